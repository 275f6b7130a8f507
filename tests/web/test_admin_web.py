"""The administration pages through the Flask client: accounts paged, added, edited, disabled and reset; a staff
file imported; the lane → role table; province profiles with the rule that applies; a forced password change."""

import io
import re

import pytest
from openpyxl import Workbook
from sqlalchemy import event, select
from web_helpers import csrf_token, login, walk

from caseflow.domain.actor import SYSTEM
from caseflow.domain.enums import EventAction, Role
from caseflow.extensions import db
from caseflow.models import EventLog, Region, User
from caseflow.services import accounts, staff_import

NEW_PASSWORD = "my-own-password-7"


def _html(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.get_data(as_text=True)


def _post(client, url: str, data: dict, *, page: str | None = None, **kwargs):
    return client.post(url, data={**data, "csrf_token": csrf_token(client, page or url)}, **kwargs)


@pytest.mark.parametrize("username", ["nanguan_cw1", "nanguan_sup", "jilin_analyst", "jilin_designer"])
def test_only_administrators_reach_the_administration_pages(client, demo_users, username):
    login(client, username)
    assert "/admin/users" not in _html(client, "/inbox")
    for url in ("/admin/users", "/admin/users/new", "/admin/lanes", "/admin/provinces", "/admin/user/admin"):
        assert client.get(url).status_code == 403, url
    assert client.post("/admin/users/new", data={"csrf_token": csrf_token(client, "/inbox"),
                                                 "username": "x_new"}).status_code == 403


def test_the_account_list_pages_past_fifty_and_filters(app, client, demo_users):
    with app.app_context():
        rows = "\n".join(f"nanguan_extra{n},员工{n},caseworker,220102," for n in range(60))
        staff_import.import_staff(f"用户名,姓名,角色,地区代码,初始密码\n{rows}\n".encode(), file_name="a.csv",
                                  actor=SYSTEM)
    login(client, "admin")
    client.get("/lang/en")
    seen, pages = walk(client, "/admin/users")
    assert pages == 2 and len(seen) == 70  # Jilin's ten demo accounts and sixty more; Hubei's are not shown
    mentors = _html(client, "/admin/users?role=mentor")
    assert "nanguan_mentor" in mentors and "nanguan_cw1" not in mentors
    assert "Must change password" in _html(client, "/admin/users?q=extra1")
    assert "南关区" in _html(client, "/admin/users?q=nanguan_cw1")  # the region's name, not only its code


def test_an_added_account_must_choose_its_password_before_anything_else(client, demo_users):
    login(client, "admin")
    client.get("/lang/en")
    form = {"username": "nanguan_cw3", "display_name": "新人", "roles": ["caseworker", "mentor"],
            "region_code": "220102", "password": "first-password-1"}
    added = _post(client, "/admin/users/new", form, page="/admin/users/new")
    assert added.status_code == 303 and added.headers["Location"].endswith("/admin/user/nanguan_cw3")
    assert "Caseworker" in _html(client, "/admin/user/nanguan_cw3")
    refused = _post(client, "/admin/users/new", {**form, "region_code": "420102"}, page="/admin/users/new")
    assert refused.status_code == 400 and "lies outside yours" in refused.get_data(as_text=True)
    login(client, "nanguan_cw3", "first-password-1")
    assert client.get("/inbox").headers["Location"].endswith("/account/password")
    assert client.get("/cases").status_code == 302
    assert client.post("/api/tasks/x/complete", json={}).status_code == 403
    assert "choose your own" in _html(client, "/account/password")
    changed = _post(client, "/account/password", {"current": "first-password-1", "new": NEW_PASSWORD,
                                                   "again": NEW_PASSWORD})
    assert changed.status_code == 302
    assert client.get("/inbox").status_code == 200


def test_roles_disable_enable_and_a_reset_that_shows_the_password_once(app, client, demo_users):
    worker = app.test_client()
    login(worker, "nanguan_cw2")
    assert worker.get("/inbox").status_code == 200
    login(client, "admin")
    client.get("/lang/en")
    page = "/admin/user/nanguan_cw2"
    saved = _post(client, page, {"roles": ["caseworker", "mentor"], "region_code": "220102",
                                 "display_name": "刘洋"}, follow_redirects=True)
    assert "saved" in saved.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(User).where(User.username == "nanguan_cw2")).one().roles == {
            Role.CASEWORKER, Role.MENTOR}
    assert worker.get("/inbox").status_code == 200  # new roles apply without signing in again
    _post(client, f"{page}/active", {"active": "0"}, page=page)
    assert worker.get("/inbox").status_code == 302  # the disabled account's session ended
    assert login(worker, "nanguan_cw2").status_code == 401
    _post(client, f"{page}/active", {"active": "1"}, page=page)
    reset = _post(client, f"{page}/password", {}, page=page).get_data(as_text=True)
    temporary = re.search(r'id="temporary-password".*?<strong class="mono">([^<]+)</strong>', reset, re.S).group(1)
    assert temporary not in _html(client, page)  # shown once
    login(worker, "nanguan_cw2", temporary)
    assert worker.get("/inbox").headers["Location"].endswith("/account/password")
    assert "/admin/user/admin/active" not in _html(client, "/admin/user/admin")  # no disabling oneself
    with app.app_context():
        actions = set(db.session.scalars(select(EventLog.action).where(EventLog.actor == "admin")))
    assert {EventAction.USER_UPDATED, EventAction.USER_DISABLED, EventAction.USER_ENABLED,
            EventAction.PASSWORD_RESET} <= actions


def _workbook(*rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["用户名", "姓名", "角色", "地区代码", "初始密码"])
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _upload(client, data: bytes, **extra):
    return client.post("/admin/users/import", data={"csrf_token": csrf_token(client, "/admin/users/import"),
                                                    "file": (io.BytesIO(data), "staff.xlsx"), **extra},
                       content_type="multipart/form-data")


def test_a_staff_workbook_imports_whole_or_not_at_all(app, client, demo_users):
    login(client, "hubei_admin")
    client.get("/lang/en")
    bad = _upload(client, _workbook(("wuchang_cw2", "王五", "caseworker", "420106", None),
                                    ("=HYPERLINK(\"http://x\")", "x", "caseworker", "420106", None),
                                    ("wuchang_cw3", "赵六", "boss 13912345678", "420106", None),
                                    ("nanguan_cw9", "钱七", "caseworker", "220102", "secret-password-9")))
    body = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "No account was imported" in body
    assert body.count("<tr><td>") == 3 and "139****5678" in body and "13912345678" not in body
    assert "secret-password-9" not in body and "outside your region" in body
    good = _upload(client, _workbook(("wuchang_cw2", "王五", "caseworker", "420106", None),
                                     ("wuchang_cw3", "赵六", "主管 创业就业指导师", "420106", None)))
    body = good.get_data(as_text=True)
    assert good.status_code == 200 and "2 accounts imported" in body
    passwords = dict(re.findall(r'<tr><td class="mono">([a-z_0-9]+)</td><td class="mono">([a-z0-9-]+)</td>', body))
    assert set(passwords) == {"wuchang_cw2", "wuchang_cw3"}
    login(client, "wuchang_cw3", passwords["wuchang_cw3"])
    assert client.get("/supervision/").headers["Location"].endswith("/account/password")


def test_the_lane_table_names_the_role_of_every_deployed_lane(client, demo_users):
    login(client, "admin")
    client.get("/lang/en")
    page = _html(client, "/admin/lanes")
    row = re.search(r'<tr data-lane="Supervisor">(.*?)</tr>', page, re.S).group(1)
    assert "supervisor" in row and "contact_round" in row and "hardship_support" in row
    assert re.search(r'<tr data-lane="Caseworker">.*?caseworker.*?graduate_journey', page, re.S)
    assert "reveal_case_data" in page and "manage_accounts" in page


def test_province_profiles_show_the_rule_that_applies_and_change(app, client, demo_users):
    login(client, "admin")
    client.get("/lang/en")
    page = _html(client, "/admin/provinces")
    jilin = re.search(r'<tr id="province-22">(.*?)</tr>', page, re.S).group(1)
    assert "jilin_1311" in jilin and "package_requirements_r1" in jilin and "Internship 1" in jilin
    assert 'id="province-42"' not in page  # Jilin's administrator sets Jilin's profile only
    assert _post(client, "/admin/provinces/22", {"profile": "hubei"}, page="/admin/provinces").status_code == 303
    jilin = re.search(r'<tr id="province-22">(.*?)</tr>', _html(client, "/admin/provinces"), re.S).group(1)
    assert "package_requirements_r2" in jilin and "Training or internship 1" in jilin
    wrong = _post(client, "/admin/provinces/22", {"profile": "atlantis"}, page="/admin/provinces",
                  follow_redirects=True).get_data(as_text=True)
    assert "names no profile atlantis" in wrong
    assert _post(client, "/admin/provinces/42", {"profile": ""}, page="/admin/provinces",
                 follow_redirects=True).status_code == 200
    with app.app_context():
        assert db.session.get(Region, "22").profile == "hubei" and db.session.get(Region, "42").profile == "hubei"
        assert db.session.scalar(select(EventLog.detail).where(EventLog.action == EventAction.PROFILE_SET)) == {
            "region": "22", "profile": "hubei", "before": "jilin_1311"}


def test_an_account_outside_the_region_is_not_found_and_the_refusal_audited(app, client, demo_users):
    login(client, "hubei_admin")
    assert client.get("/admin/user/nanguan_cw1").status_code == 404
    with app.app_context():
        refusal = db.session.scalars(select(EventLog).where(EventLog.action == EventAction.ACCESS_DENIED)).one()
    assert refusal.actor == "hubei_admin" and refusal.detail["kind"] == "user"


def test_the_signed_in_user_and_all_their_roles_cost_one_statement(app, demo_users):
    with app.app_context():
        lead = db.session.scalars(select(User).where(User.username == "jiangan_sup")).one()
        session_id = f"{lead.id}:{lead.session_generation}"
        seen = []
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            user = accounts.load_session_user(session_id)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
    assert user.roles == {Role.SUPERVISOR, Role.MENTOR} and len(seen) == 1
