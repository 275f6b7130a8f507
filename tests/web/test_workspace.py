"""The caseworker workspace through the Flask client: sign-in, inbox, task forms, the case file, region scope."""

import io
import re

import pytest
from helpers import graduate, valid_id
from openpyxl import load_workbook
from sqlalchemy import func, select
from web_helpers import csrf_token, login

from caseflow.domain.actor import SYSTEM
from caseflow.domain.enums import EventAction, HumanTaskState
from caseflow.extensions import db
from caseflow.models import Case, EventLog, HumanTask
from caseflow.services import cases

REACHED = {"channel": "phone", "outcome": "reached", "contacted_on": "2026-07-01"}


@pytest.fixture
def two_counties(app, demo_users):
    """A case in 南关区 (220102) named 张三 and one in 宽城区 (220103) named 李四."""
    with app.app_context():
        cases.open_cases([graduate(valid_id("22010220030101123"), hukou="220102", name="张三"),
                          graduate(valid_id("22010320030202456"), hukou="220103", name="李四")],
                         cohort=2026, actor=SYSTEM)
        db.session.commit()
        ids = dict(db.session.execute(select(Case.county_code, Case.id)).all())
        tasks = {county: db.session.scalars(select(HumanTask.id).where(HumanTask.case_id == case_id)).one()
                 for county, case_id in ids.items()}
        owner = db.session.scalar(select(HumanTask.assignee).where(HumanTask.id == tasks["220102"]))
    return {"a": ids["220102"], "b": ids["220103"], "task_a": tasks["220102"], "task_b": tasks["220103"],
            "owner_a": owner}


def events(app, action) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(EventLog).where(EventLog.action == action))


def english(client):
    client.get("/lang/en")


def test_sign_in_with_a_wrong_password_is_refused(client, demo_users):
    assert login(client, "nanguan_cw1", "wrong").status_code == 401
    assert login(client, "nanguan_cw1").status_code == 302  # throttling: tests/web/test_signin_hardening.py


def test_post_without_csrf_token_is_refused(client, demo_users):
    assert client.post("/login", data={"username": "admin", "password": "caseflow-demo"}).status_code == 400


def test_inbox_lists_my_tasks_with_due_badges_and_search(app, client, two_counties):
    login(client, two_counties["owner_a"])
    english(client)
    html = client.get("/inbox").get_data(as_text=True)
    assert "Record a contact attempt" in html and "张三" in html and "李四" not in html
    assert "On track" in html
    assert "张三" in client.get("/inbox?q=张").get_data(as_text=True)
    assert "张三" not in client.get("/inbox?q=王").get_data(as_text=True)
    assert "张三" in client.get("/inbox?q=" + valid_id("22010220030101123")[-4:]).get_data(as_text=True)
    assert "No task matches" in client.get("/inbox?overdue=1").get_data(as_text=True)


def test_supervisor_claims_from_the_team_queue_and_releases(app, client, two_counties):
    login(client, two_counties["owner_a"])
    token = csrf_token(client, f"/tasks/{two_counties['task_a']}")
    for channel in ("phone", "sms", "phone"):
        with app.app_context():
            task_id = db.session.scalars(select(HumanTask.id).where(HumanTask.case_id == two_counties["a"],
                                                                    HumanTask.state == HumanTaskState.READY)).one()
        client.post(f"/tasks/{task_id}", data={"csrf_token": token, "channel": channel, "outcome": "no_answer",
                                                "contacted_on": "2026-07-01"})
    login(client, "nanguan_sup")
    english(client)
    team = client.get("/inbox?scope=team").get_data(as_text=True)
    approval = re.search(r'/tasks/([0-9a-f-]{36})"', team).group(1)
    token = csrf_token(client, "/inbox?scope=team")
    assert client.post(f"/tasks/{approval}/claim", data={"csrf_token": token}).status_code == 303
    assert "Approve the unreachable status" in client.get("/inbox").get_data(as_text=True)
    login(client, "changchun_sup")
    token = csrf_token(client, "/inbox?scope=team")
    again = client.post(f"/tasks/{approval}/claim", data={"csrf_token": token}, follow_redirects=True)
    assert "claimed by someone else" in again.get_data(as_text=True) or "已被他人领取" in again.get_data(as_text=True)
    assert events(app, EventAction.TASK_CLAIMED) == 1


def test_task_form_validates_saves_a_draft_completes_and_reports_the_second_completion(app, client, two_counties):
    login(client, two_counties["owner_a"])
    english(client)
    url = f"/tasks/{two_counties['task_a']}"
    token = csrf_token(client, url)
    missing = client.post(url, data={"csrf_token": token, "channel": "phone"})
    assert missing.status_code == 400 and "This field is required." in missing.get_data(as_text=True)
    client.post(f"{url}/draft", data={"csrf_token": token, "channel": "wechat", "notes": "打过两次"})
    assert 'value="wechat" selected' in client.get(url).get_data(as_text=True)
    done = client.post(url, data={"csrf_token": token, **REACHED}, follow_redirects=True)
    assert "Completed: Record a contact attempt" in done.get_data(as_text=True)
    again = client.post(url, data={"csrf_token": token, **REACHED}, follow_redirects=True)
    assert f"already completed by {two_counties['owner_a']}" in again.get_data(as_text=True)
    assert events(app, EventAction.TASK_COMPLETED) == 1


def test_case_file_shows_masked_data_timeline_and_reveals_with_a_reason(app, client, two_counties):
    login(client, two_counties["owner_a"])
    english(client)
    url = f"/cases/{two_counties['a']}"
    html = client.get(url).get_data(as_text=True)
    full_id = valid_id("22010220030101123")
    assert "220102********" + full_id[-4:] in html and full_id not in html and "139****5678" in html
    assert "Case opened from the handover ledger" in html
    token = csrf_token(client, url)
    refused = client.post(f"{url}/reveal", data={"csrf_token": token, "reason": ""}, follow_redirects=True)
    assert full_id not in refused.get_data(as_text=True)
    shown = client.post(f"{url}/reveal", data={"csrf_token": token, "reason": "电话回访核对身份"})
    assert full_id in shown.get_data(as_text=True) and "13912345678" in shown.get_data(as_text=True)
    assert events(app, EventAction.DATA_REVEALED) == 1 and events(app, EventAction.CASE_VIEWED) >= 2


def test_contact_attempt_and_note_can_be_logged_from_the_case_file(app, client, two_counties):
    login(client, two_counties["owner_a"])
    english(client)
    url = f"/cases/{two_counties['a']}"
    token = csrf_token(client, url)
    client.post(f"{url}/actions/note", data={"csrf_token": token, "text": "家长代为转告"})
    bad = client.post(f"{url}/actions/contact_attempt", data={"csrf_token": token, "channel": "phone"})
    assert bad.status_code == 400
    client.post(f"{url}/actions/contact_attempt", data={"csrf_token": token, **REACHED})
    html = client.get(url).get_data(as_text=True)
    assert "Recorded on the case file: Add a note" in html and "Text: 家长代为转告" not in html
    assert "Note: 家长代为转告" in html and "Recorded on the case file: Record a contact attempt" in html
    assert "Channel: Phone; Outcome: Reached" in html


def test_diagram_of_the_current_process_highlights_the_open_task(app, client, two_counties):
    login(client, two_counties["owner_a"])
    data = client.get(f"/cases/{two_counties['a']}/diagram.json").json
    assert data["process"] == "contact_round" and data["active"] == ["attempt"]
    assert data["path"] == ["graduate_journey", "case_work", "contact_round"]
    assert 'bpmn:process id="contact_round"' in data["xml"]


def test_export_is_region_scoped_and_neutralises_formulas(app, client, two_counties):
    login(client, two_counties["owner_a"])
    workbook = load_workbook(io.BytesIO(client.get("/cases/export.xlsx").data))
    names = [row[1] for row in workbook.active.iter_rows(min_row=2, values_only=True)]
    assert names == ["张三"]
    assert events(app, EventAction.EXPORTED) == 1


@pytest.mark.parametrize("method, path", [
    ("get", "/cases/{b}"), ("get", "/cases/{b}/diagram.json"), ("post", "/cases/{b}/reveal"),
    ("post", "/cases/{b}/actions/note"), ("get", "/tasks/{task_b}"), ("post", "/tasks/{task_b}"),
    ("post", "/tasks/{task_b}/claim"), ("post", "/tasks/{task_b}/draft"),
])
def test_caseworker_of_county_a_cannot_reach_county_b(app, client, two_counties, method, path):
    login(client, two_counties["owner_a"])
    token = csrf_token(client, "/inbox")
    url = path.format(**two_counties)
    data = {"csrf_token": token, "reason": "just looking", "text": "x", **REACHED}
    response = client.get(url) if method == "get" else client.post(url, data=data)
    body = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "李四" not in body and valid_id("22010320030202456")[-4:] not in body


def test_search_and_export_never_show_another_county(app, client, two_counties):
    login(client, two_counties["owner_a"])
    assert "李四" not in client.get("/cases?q=李").get_data(as_text=True)
    assert "李四" not in client.get("/cases").get_data(as_text=True)
    login(client, "changchun_sup")  # the city sees both counties
    html = client.get("/cases").get_data(as_text=True)
    assert "李四" in html and "张三" in html


def test_contact_classify_service_and_referral_outcome_can_all_be_done_by_forms(app, client, two_counties):
    with app.app_context():
        from datetime import date

        from caseflow.models import JobPosting
        for n in range(3):
            db.session.add(JobPosting(employer=f"长春软件{n}", title="测试工程师", area_code="220102",
                                      major_prefixes=[], open_until=date(2027, 6, 30)))
        db.session.commit()
    login(client, two_counties["owner_a"])
    english(client)

    def open_task(bpmn_id):
        with app.app_context():
            return db.session.scalars(select(HumanTask.id).where(HumanTask.case_id == two_counties["a"],
                                                                 HumanTask.bpmn_id == bpmn_id,
                                                                 HumanTask.state == HumanTaskState.READY)).one()

    token = csrf_token(client, "/inbox")
    client.post(f"/tasks/{open_task('attempt')}", data={"csrf_token": token, **REACHED})
    client.post(f"/tasks/{open_task('classify')}", data={"csrf_token": token, "status": "seeking",
                                                          "effective_on": "2026-07-01"})
    client.post(f"/tasks/{open_task('deliver')}", data={"csrf_token": token, "kind": "career_guidance",
                                                         "response": "accepted", "delivered_on": "2026-07-03"})
    page = client.get(f"/cases/{two_counties['a']}").get_data(as_text=True)
    referral = re.search(r'name="referral_id" value="(\d+)"', page).group(1)  # a pushed posting's row form
    client.post(f"/cases/{two_counties['a']}/actions/referral_outcome",
                data={"csrf_token": token, "referral_id": referral, "outcome": "hired", "outcome_on": "2026-07-20"})
    page = client.get(f"/cases/{two_counties['a']}").get_data(as_text=True)
    assert "Placed" in page and "Verify and close the case" in page
    assert "Completed: Deliver a package service" in page and "Career guidance" in page


def test_analysts_may_neither_record_nor_reveal(app, client, two_counties):
    login(client, "jilin_analyst")
    url = f"/cases/{two_counties['a']}"
    token = csrf_token(client, url)
    assert client.post(f"{url}/actions/note", data={"csrf_token": token, "text": "x"}).status_code == 403
    assert client.post(f"{url}/reveal", data={"csrf_token": token, "reason": "curious"}).status_code == 403


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil"])
def test_language_switch_and_sign_in_never_redirect_off_site(client, demo_users, target):
    assert client.get("/lang/en", query_string={"next": target}).headers["Location"] == "/"
    token = csrf_token(client)
    response = client.post("/login", query_string={"next": target},
                           data={"username": "nanguan_cw1", "password": "caseflow-demo", "csrf_token": token})
    assert response.headers["Location"] == "/inbox"


def test_a_next_link_with_a_control_character_is_refused_not_followed(client, demo_users):
    target = "/\t/evil.example/"
    assert client.get("/lang/en", query_string={"next": target}).status_code == 400
    token = csrf_token(client)
    response = client.post("/login", query_string={"next": target},
                           data={"username": "nanguan_cw1", "password": "caseflow-demo", "csrf_token": token})
    assert response.status_code == 400 and "Location" not in response.headers


def test_api_completion_takes_only_the_forms_fields(app, client, two_counties):
    login(client, two_counties["owner_a"])
    url = f"/api/tasks/{two_counties['task_a']}/complete"
    assert client.post(url, json={"data": {"channel": "phone"}}).status_code == 400
    done = client.post(url, json={"data": {**REACHED, "case_id": two_counties["b"]}})
    assert done.status_code == 200
    with app.app_context():
        data = db.session.scalars(select(EventLog.detail).where(EventLog.action == EventAction.TASK_COMPLETED)).one()
    assert "case_id" not in data["data"]


def test_only_who_may_complete_a_task_may_save_its_draft(app, client, two_counties):
    login(client, "nanguan_mentor")
    url = f"/tasks/{two_counties['task_a']}/draft"
    assert client.post(url, data={"csrf_token": csrf_token(client, "/inbox"), "channel": "sms"}).status_code == 403


def _team_task(client, name: str) -> str:
    team = client.get("/inbox?scope=team").get_data(as_text=True)
    return re.search(rf'/tasks/([0-9a-f-]{{36}})"[^>]*>{name}', team).group(1)


def test_a_case_is_transferred_from_the_case_file_and_accepted_by_the_receiving_supervisor(app, client,
                                                                                           two_counties):
    login(client, two_counties["owner_a"])
    url = f"/cases/{two_counties['a']}"
    found = client.get(f"{url}?county_q=江岸").get_data(as_text=True)  # any county of the country
    assert 'value="420102">湖北省 武汉市 江岸区 (420102)' in found
    client.post(f"{url}/transfer", data={"csrf_token": csrf_token(client, url), "to_county": "220103",
                                         "reason": "已迁居宽城区"})
    login(client, "nanguan_sup")  # the origin's supervisor approves first
    english(client)
    approve = _team_task(client, "Approve the transfer request")
    client.post(f"/tasks/{approve}", data={"csrf_token": csrf_token(client, f"/tasks/{approve}"),
                                           "decision": "approve"})
    login(client, "kuancheng_sup")
    english(client)
    team = client.get("/inbox?scope=team").get_data(as_text=True)
    accept = re.search(r'/tasks/([0-9a-f-]{36})"[^>]*>Accept the transferred case', team).group(1)
    page = client.get(f"/tasks/{accept}")
    assert page.status_code == 200 and "张三" in page.get_data(as_text=True)
    client.post(f"/tasks/{accept}", data={"csrf_token": csrf_token(client, f"/tasks/{accept}"),
                                          "decision": "approve"})
    assert "张三" in client.get(url).get_data(as_text=True)  # now a case of 宽城区


def test_a_graduate_from_another_province_is_seen_in_the_pool_and_offered_their_own_county(app, client, demo_users):
    with app.app_context():  # every demo account works in Jilin: the installation serves province 22
        cases.open_cases([graduate(valid_id("11010520030101123"), hukou="110105", name="王五")], cohort=2026,
                         actor=SYSTEM)
        db.session.commit()
        case_id, region = db.session.execute(select(Case.id, Case.region_code)).one()
    assert region == "22"
    login(client, "admin")
    english(client)
    page = client.get(f"/cases/{case_id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'data-flag="outside"' in html and "北京市 朝阳区" in html
    assert '<option value="110105">北京市 朝阳区 (110105)</option>' in html


def test_placement_and_reclassification_are_recorded_from_the_case_file_page(app, client, two_counties):
    login(client, two_counties["owner_a"])
    english(client)
    url = f"/cases/{two_counties['a']}"
    html = client.get(url).get_data(as_text=True)
    assert "Record a placement" in html and "Reclassify the graduate" in html and "选调生" in html
    token = csrf_token(client, url)
    bad = client.post(f"{url}/actions/reclassify", data={"csrf_token": token, "status": "no_intent",
                                                          "reason": "备考", "effective_on": "2026-07-01"})
    assert bad.status_code == 400  # no-intent needs its reason
    future = client.post(f"{url}/actions/contact_attempt", data={"csrf_token": token, **REACHED,
                                                                  "contacted_on": "2026-07-02"})
    assert future.status_code == 400 and "cannot be in the future" in future.get_data(as_text=True)
    unverified = client.post(f"{url}/actions/placement", data={
        "csrf_token": token, "kind": "selected_graduate", "employer": "吉林省委组织部", "start_date": "2026-07-01"})
    assert unverified.status_code == 400
    done = client.post(f"{url}/actions/placement", data={
        "csrf_token": token, "kind": "selected_graduate", "employer": "吉林省委组织部", "start_date": "2026-07-01",
        "verified_how": "appointment_notice"})
    assert done.status_code == 303
    with app.app_context():
        assert db.session.get(Case, two_counties["a"]).status == "placed"
    assert "Recorded on the case file: Record a placement" in client.get(url).get_data(as_text=True)
