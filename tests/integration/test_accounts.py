"""Accounts on a real database: adding with several roles, importing a city's staff all or nothing, disabling,
enabling, roles and region, a reset that forces a new password; every change audited, administrators kept."""

import io

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from caseflow.domain.actor import SYSTEM, Actor
from caseflow.domain.enums import EventAction, Role
from caseflow.domain.staff import Reason
from caseflow.errors import Conflict, InvalidInput, NotAllowed, OutOfRegion
from caseflow.extensions import db
from caseflow.models import EventLog, User, UserRole
from caseflow.services import accounts, regions, staff, staff_import
from caseflow.services.accounts import load_session_user

PASSWORD = "a-long-password-26"
HUBEI_ADMIN = Actor("hubei_admin", frozenset({Role.ADMIN}), "42")


@pytest.fixture
def regions_loaded(app):
    regions.load_reference_regions()


def _user(username: str) -> User:
    db.session.expire_all()
    return db.session.scalars(select(User).where(User.username == username)).one()


def _events(action: str) -> list[EventLog]:
    return list(db.session.scalars(select(EventLog).where(EventLog.action == action).order_by(EventLog.id)))


def _csv(*rows: str, header: str = "用户名,姓名,角色,地区代码,初始密码") -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


def test_an_account_holds_several_roles_and_acts_with_all_of_them(regions_loaded):
    accounts.add_user("jiangan_lead", password=PASSWORD, roles={Role.SUPERVISOR, Role.MENTOR}, region_code="420102",
                      display_name="张伟", actor=SYSTEM)
    user = _user("jiangan_lead")
    assert user.roles == {Role.SUPERVISOR, Role.MENTOR}
    actor = accounts.actor_for(user)
    assert actor.roles == {Role.SUPERVISOR, Role.MENTOR} and actor.may_work_lane("Supervisor")
    session = load_session_user(f"{user.id}:0")
    assert session.roles == {Role.SUPERVISOR, Role.MENTOR} and session.may("reassign_work")
    assert _events(EventAction.USER_ADDED)[-1].detail == {"user": "jiangan_lead", "roles": ["mentor", "supervisor"],
                                                          "region": "420102"}


def test_adding_refuses_bad_names_roles_passwords_regions_and_taken_names(regions_loaded):
    def add(username="wuchang_cw9", *, password=PASSWORD, roles=(Role.CASEWORKER,), region="420106",
            actor=HUBEI_ADMIN):
        return accounts.add_user(username, password=password, roles=roles, region_code=region, display_name=None,
                                 actor=actor)
    for bad in ({"username": "-x"}, {"username": "a b"}, {"password": "short"}, {"password": "wuchang_cw9"},
                {"password": "caseflow-demo"}, {"roles": ()}, {"roles": (Role.SYSTEM,)}, {"region": "429999"},
                {"region": "220102"}):
        with pytest.raises(InvalidInput):
            add(**bad)
    with pytest.raises(NotAllowed):
        add(actor=Actor("wuchang_sup", frozenset({Role.SUPERVISOR}), "420106"))
    add()
    with pytest.raises(Conflict):
        add("WUCHANG_CW9")
    assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_a_staff_file_with_one_bad_row_imports_nothing_and_says_why_row_by_row(regions_loaded):
    accounts.add_user("jiangan_cw1", password=PASSWORD, roles={Role.CASEWORKER}, region_code="420102",
                      display_name=None, actor=SYSTEM)
    data = _csv("jiangan_cw2,李娜,就业服务专员,420102,",
                "jiangan_cw1,重名,就业服务专员,420102,",
                "=cmd|' /C calc'!A0,公式,主管,420102,",
                "wuchang_x,王五 420106199001011234,局长,420106,",
                "wuchang_y,赵六,主管,220102,",
                "wuchang_z,钱七,主管,420106,short",
                "jiangan_cw2,又一个,专员,420102,")
    report = staff_import.import_staff(data, file_name="wuhan.csv", actor=HUBEI_ADMIN)
    assert (report.total, report.accepted, report.refused_rows, report.imported) == (7, 1, 6, 0)
    reasons = {(number, error.field, error.reason) for number, error in report.refused}
    assert {(3, "username", Reason.TAKEN), (4, "username", Reason.FORMULA), (5, "roles", Reason.UNKNOWN_ROLE),
            (6, "region_code", Reason.OUTSIDE_REGION), (7, "password", Reason.WEAK_PASSWORD),
            (8, "username", Reason.DUPLICATE_IN_FILE)} <= reasons
    echoed = " ".join(error.shown_value for _, error in report.refused)
    assert "420106199001011234" not in echoed and "short" not in echoed  # masked, and never a password
    assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_a_clean_staff_workbook_imports_every_account_with_a_forced_password_change(regions_loaded):
    book = Workbook()
    sheet = book.active
    sheet.append(["武汉市就业服务人员名单"])  # a title above the header row
    sheet.append(["序号", "用户名", "姓名", "角色", "地区代码", "初始密码"])
    sheet.append([1, "jiangan_cw1", "李娜", "就业服务专员", "420102", None])
    sheet.append([2, "jiangan_sup", "张伟", "主管、创业就业指导师", 420102, "given-password-1"])
    sheet.append([3, "wuhan_sup", "杨帆", "supervisor", "4201", None])
    buffer = io.BytesIO()
    book.save(buffer)
    report = staff_import.import_staff(buffer.getvalue(), file_name="wuhan.xlsx", actor=HUBEI_ADMIN)
    assert (report.total, report.refused_rows, report.imported) == (3, 0, 3)
    made_up = dict(report.temporary)
    assert set(made_up) == {"jiangan_cw1", "wuhan_sup"}
    lead = _user("jiangan_sup")
    assert lead.roles == {Role.SUPERVISOR, Role.MENTOR} and lead.must_change_password
    assert check_password_hash(lead.password_hash, "given-password-1")
    assert check_password_hash(_user("jiangan_cw1").password_hash, made_up["jiangan_cw1"])
    event = _events(EventAction.USERS_IMPORTED)[-1]
    assert event.actor == "hubei_admin" and event.detail["imported"] == 3
    assert all(password not in str(event.detail) for password in made_up.values())


def test_check_only_imports_nothing(regions_loaded):
    report = staff_import.import_staff(_csv("jiangan_cw1,李娜,caseworker,420102,"), file_name="a.csv",
                                       actor=HUBEI_ADMIN, check_only=True)
    assert (report.accepted, report.imported) == (1, 0)
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_unreadable_files_are_refused_whole(regions_loaded):
    for data in (b"", _csv(header="name,role"), _csv(header="用户名,姓名,角色,地区代码"),
                 b"\xd0\xcf\x11\xe0old excel"):
        with pytest.raises(InvalidInput):
            staff_import.import_staff(data, file_name="x.csv", actor=HUBEI_ADMIN)


def test_disabling_ends_sessions_and_keeps_an_administrator(regions_loaded):
    accounts.add_user("hubei_admin", password=PASSWORD, roles={Role.ADMIN}, region_code="42", display_name=None,
                      actor=SYSTEM)
    accounts.add_user("wuchang_cw1", password=PASSWORD, roles={Role.CASEWORKER}, region_code="420106",
                      display_name=None, actor=SYSTEM)
    worker = _user("wuchang_cw1")
    assert load_session_user(f"{worker.id}:0") is not None
    staff.set_active("wuchang_cw1", False, actor=HUBEI_ADMIN)
    assert load_session_user(f"{worker.id}:0") is None and load_session_user(f"{worker.id}:1") is None
    staff.set_active("wuchang_cw1", True, actor=HUBEI_ADMIN)
    assert load_session_user(f"{worker.id}:1") is not None
    with pytest.raises(Conflict):
        staff.set_active("hubei_admin", False, actor=HUBEI_ADMIN)  # oneself
    with pytest.raises(Conflict):
        staff.set_active("hubei_admin", False, actor=SYSTEM)  # the last administrator
    with pytest.raises(Conflict):
        staff.update_user("hubei_admin", roles={Role.SUPERVISOR}, actor=SYSTEM)
    assert [e.detail["user"] for e in _events(EventAction.USER_DISABLED)] == ["wuchang_cw1"]
    assert [e.detail["user"] for e in _events(EventAction.USER_ENABLED)] == ["wuchang_cw1"]


def test_administrators_see_and_change_only_accounts_of_their_region(app):
    regions.load_reference_regions()
    accounts.seed_demo_users()
    page = staff.list_users(HUBEI_ADMIN, staff.UserQuery())
    assert {row.user.region_code[:2] for row in page.rows} == {"42"} and page.total == 7
    assert page.role_counts[Role.CASEWORKER] == 3
    assert staff.list_users(HUBEI_ADMIN, staff.UserQuery(role=Role.MENTOR)).rows[0].user.username == "jiangan_sup"
    with pytest.raises(OutOfRegion):
        staff.set_active("nanguan_cw1", False, actor=HUBEI_ADMIN)
    with pytest.raises(InvalidInput):
        staff.update_user("wuchang_cw1", roles={Role.CASEWORKER}, region_code="220102", actor=HUBEI_ADMIN)


def test_roles_and_region_change_and_a_caseworker_with_cases_cannot_move(app):
    from supervision_helpers import open_in, owner

    regions.load_reference_regions()
    accounts.seed_demo_users()
    staff.update_user("jiangan_cw2", roles={Role.CASEWORKER, Role.MENTOR}, region_code="420106",
                      display_name="黄磊（武昌区）", actor=HUBEI_ADMIN)
    moved = _user("jiangan_cw2")
    assert (moved.roles, moved.region_code, moved.display_name) == ({Role.CASEWORKER, Role.MENTOR}, "420106",
                                                                    "黄磊（武昌区）")
    assert db.session.scalar(select(func.count()).select_from(UserRole).where(UserRole.user_id == moved.id)) == 2
    event = _events(EventAction.USER_UPDATED)[-1]
    assert event.detail["region"] == "420102 → 420106"
    holder = owner(open_in("420106", 1)[0])
    with pytest.raises(Conflict):
        staff.update_user(holder, roles={Role.CASEWORKER}, region_code="420102", actor=HUBEI_ADMIN)


def test_a_reset_password_must_be_changed_and_ends_every_session(app, regions_loaded):
    from caseflow.services import signin

    accounts.add_user("jiangan_cw1", password=PASSWORD, roles={Role.CASEWORKER}, region_code="420102",
                      display_name=None, actor=SYSTEM)
    user = _user("jiangan_cw1")
    temporary = staff.reset_password("jiangan_cw1", actor=HUBEI_ADMIN)
    user = _user("jiangan_cw1")
    assert user.must_change_password and user.session_generation == 1
    assert load_session_user(f"{user.id}:0") is None
    assert check_password_hash(user.password_hash, temporary) and len(temporary) >= 10
    event = _events(EventAction.PASSWORD_RESET)[-1]
    assert event.detail == {"user": "jiangan_cw1", "generated": True} and temporary not in str(event.detail)
    signed_in = signin.authenticate("jiangan_cw1", temporary, remote_addr="10.0.0.1")
    assert signed_in.must_change_password
    after = signin.change_password(user.id, current=temporary, new="my-own-password-1", remote_addr="10.0.0.1")
    assert not after.must_change_password and not _user("jiangan_cw1").must_change_password


def test_reloading_the_reference_regions_keeps_a_profile_an_administrator_set(app, regions_loaded):
    from caseflow.services import provinces

    provinces.set_profile("22", "hubei", actor=SYSTEM)
    regions.load_reference_regions()
    assert regions.get_region("22").profile == "hubei"
