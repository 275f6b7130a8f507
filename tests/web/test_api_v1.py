"""The integration API /api/v1: tokens (command line and admin page), authentication and CSRF, and each resource
through the documented endpoints — cases, tasks, postings, messages, indicators."""

import io
import re

import pytest
from helpers import graduate, valid_id
from openpyxl import Workbook
from sqlalchemy import select
from stdnum.cn import ric
from web_helpers import csrf_token, login

from caseflow.domain.actor import SYSTEM, Actor
from caseflow.domain.enums import CaseStatus, EventAction, HumanTaskState, Role
from caseflow.domain.postings import COLUMNS
from caseflow.extensions import db
from caseflow.models import ApiToken, Case, EventLog, Graduate, HumanTask, Placement
from caseflow.services import api_tokens, cases, inbox, instances, protection


def real_id(prefix17: str) -> str:
    """An ID number with its GB 11643 check digit (what the social-insurance bureau sends)."""
    return prefix17 + ric.calc_check_digit(prefix17 + "?")


ID_A = real_id("22010220030101123")
CONTACT = {"channel": "phone", "outcome": "reached", "contacted_on": "2026-07-01"}
SEEKING = {"status": "seeking", "startup_intent": False, "effective_on": "2026-07-01", "intended_place": "220102"}


def token(app, name: str, role: str, region: str) -> dict:
    """An Authorization header for a new token made on the command line (as an operator would)."""
    result = app.test_cli_runner().invoke(args=["caseflow", "tokens", "add", name, "--role", role,
                                                "--region", region])
    assert result.exit_code == 0, result.output
    secret = re.search(r"^(cf_\S+)$", result.output, re.M).group(1)
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def nanguan(app, demo_users):
    """A case in 南关区 (220102), its first task released into the team queue, and one in 宽城区 (220103)."""
    with app.app_context():
        cases.open_cases([graduate(ID_A, hukou="220102", name="张三"),
                          graduate(valid_id("22010320030202456"), hukou="220103", name="李四")],
                         cohort=2026, actor=SYSTEM)
        db.session.commit()
        ids = dict(db.session.execute(select(Case.county_code, Case.id)).all())
        task = db.session.scalars(select(HumanTask).where(HumanTask.case_id == ids["220102"])).one()
        owner = Actor(task.assignee, frozenset({Role.CASEWORKER}), "220102")
        inbox.release_task(task.id, actor=owner)
        return {"a": ids["220102"], "b": ids["220103"], "task": task.id, "owner": owner.user_id}


def ready_task(app, case_id: int) -> HumanTask:
    with app.app_context():
        return db.session.scalars(select(HumanTask).where(HumanTask.case_id == case_id,
                                                          HumanTask.state == HumanTaskState.READY)).one()


def _claim_from_the_team_queue(client, callcentre: dict, task_id: str) -> None:
    queue = client.get("/api/v1/tasks?scope=team", headers=callcentre).get_json()
    assert [row["id"] for row in queue["items"]] == [task_id]
    assert queue["items"][0]["id_masked"].endswith(ID_A[-4:]) and ID_A not in str(queue)
    claimed = client.post(f"/api/v1/tasks/{task_id}/claim", headers=callcentre)
    assert claimed.status_code == 200 and claimed.get_json()["assignee"] == "api:nanguan-callcentre"
    assert client.post(f"/api/v1/tasks/{task_id}/claim", headers=callcentre).status_code == 409
    released = client.post(f"/api/v1/tasks/{task_id}/release", headers=callcentre)
    assert released.status_code == 200 and released.get_json()["assignee"] is None
    assert client.post(f"/api/v1/tasks/{task_id}/claim", headers=callcentre).status_code == 200
    mine = client.get("/api/v1/tasks", headers=callcentre).get_json()
    assert mine["items"][0]["assignee"] == "api:nanguan-callcentre"


def test_an_integration_token_completes_a_task_and_a_social_insurance_match_verifies_the_placement(
        app, client, nanguan):
    """The issue's 'done when': through the documented API only, with tokens from the command line."""
    callcentre = token(app, "nanguan-callcentre", "caseworker", "220102")
    bureau = token(app, "jilin-social-insurance", "system", "22")
    _claim_from_the_team_queue(client, callcentre, nanguan["task"])
    form = client.get(f"/api/v1/tasks/{nanguan['task']}", headers=callcentre).get_json()["form"]
    assert {"channel", "outcome"} <= {field["name"] for field in form}
    url = f"/api/v1/tasks/{nanguan['task']}/complete"
    keyed = {**callcentre, "Idempotency-Key": "callcentre-0001"}
    done = client.post(url, json={"data": CONTACT}, headers=keyed)
    assert done.status_code == 200 and done.get_json()["replayed"] is False
    again = client.post(url, json={"data": CONTACT}, headers=keyed)  # a retry after a lost answer
    assert again.status_code == 200 and again.get_json()["replayed"] is True
    assert client.post(url, json={"data": CONTACT}, headers=callcentre).status_code == 409
    classify = ready_task(app, nanguan["a"])
    assert classify.bpmn_id == "classify" and classify.assignee == nanguan["owner"]  # the case's caseworker's
    assert client.post(f"/api/v1/tasks/{classify.id}/complete", json={"data": SEEKING},
                       headers=callcentre).status_code == 403
    with app.app_context():  # the caseworker classifies in the web UI: the graduate is seeking work
        instances.complete_task(classify.id, actor=Actor(nanguan["owner"], frozenset({Role.CASEWORKER}), "220102"),
                                data=SEEKING)

    match = client.post("/api/v1/messages/employment-match", headers=bureau,
                        json={"id_number": ID_A, "employer": "长春一汽", "insured_from": "2026-07-01"})
    assert match.status_code == 200, match.get_json()
    body = match.get_json()
    assert body == {"case_id": nanguan["a"], "placement_id": body["placement_id"], "new_placement": True,
                    "journey_told": True, "verified_how": "social_insurance"}
    with app.app_context():
        placement = db.session.get(Placement, body["placement_id"])
        assert (placement.employer, placement.verified_how, placement.verified_by) == (
            "长春一汽", "social_insurance", "api:jilin-social-insurance")
        assert db.session.get(Case, nanguan["a"]).status == CaseStatus.PLACED
        actors = set(db.session.scalars(select(EventLog.actor).where(EventLog.case_id == nanguan["a"])))
        assert {"api:nanguan-callcentre", "api:jilin-social-insurance"} <= actors
    assert ready_task(app, nanguan["a"]).bpmn_id == "verify"  # the journey left services for closure
    case = client.get(f"/api/v1/cases/{nanguan['a']}", headers=callcentre).get_json()
    assert case["status"] == "placed" and case["placements"][0]["verified_how"] == "social_insurance"
    assert ID_A not in str(case) and "13912345678" not in str(case)

    again = client.post("/api/v1/messages/employment-match", headers=bureau,
                        json={"id_number": ID_A, "employer": "长春一汽", "insured_from": "2026-07-01"})
    assert again.get_json()["new_placement"] is False and again.get_json()["placement_id"] == body["placement_id"]


def test_tokens_are_listed_revoked_and_refused_once_revoked(app, client, demo_users):
    header = token(app, "wuhan-jobs", "caseworker", "4201")
    runner = app.test_cli_runner()
    listed = runner.invoke(args=["caseflow", "tokens", "list"]).output
    assert "wuhan-jobs" in listed and "active" in listed and header["Authorization"][7:] not in listed
    assert client.get("/api/v1/me", headers=header).get_json() == {
        "actor": "api:wuhan-jobs", "roles": ["caseworker"], "region_code": "4201", "token": True}
    assert runner.invoke(args=["caseflow", "tokens", "revoke", "wuhan-jobs"]).exit_code == 0
    refused = client.get("/api/v1/me", headers=header)
    assert refused.status_code == 401 and refused.get_json()["error"] == "Unauthorized"
    assert "revoked" in runner.invoke(args=["caseflow", "tokens", "list"]).output
    assert runner.invoke(args=["caseflow", "tokens", "revoke", "wuhan-jobs"]).exit_code == 1
    assert runner.invoke(args=["caseflow", "tokens", "add", "x", "--role", "caseworker",
                               "--region", "22"]).exit_code == 1  # too short a name
    assert runner.invoke(args=["caseflow", "tokens", "add", "root", "--role", "admin",
                               "--region", "22"]).exit_code == 2  # no administrator tokens
    with app.app_context():
        stored = db.session.scalars(select(ApiToken)).one()
        assert stored.secret_hash == api_tokens.secret_hash(header["Authorization"][7:])
        assert header["Authorization"][7:] not in str(stored.__dict__)
        actions = set(db.session.scalars(select(EventLog.action).where(EventLog.actor == "system")))
        assert {EventAction.TOKEN_ADDED, EventAction.TOKEN_REVOKED} <= actions
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer cf_nonsense"}).status_code == 401
    assert client.get("/api/v1/me").status_code == 401


def test_the_admin_page_adds_and_revokes_tokens_and_shows_the_secret_once(app, client, demo_users):
    login(client, "admin")
    client.get("/lang/en")
    page = client.get("/admin/tokens")
    assert page.status_code == 200 and "API tokens" in page.get_data(as_text=True)
    added = client.post("/admin/tokens", data={"csrf_token": csrf_token(client, "/admin/tokens"),
                                               "name": "changchun-edu", "role": "system", "region_code": "2201"})
    assert added.status_code == 201
    secret = re.search(r"(cf_[A-Za-z0-9_-]+)", added.get_data(as_text=True)).group(1)
    assert secret not in client.get("/admin/tokens").get_data(as_text=True)
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    outside = client.post("/admin/tokens", data={"csrf_token": csrf_token(client, "/admin/tokens"),
                                                 "name": "hubei-edu", "role": "system", "region_code": "42"})
    assert outside.status_code == 400  # Jilin's administrator cannot give Hubei a token
    client.post("/admin/tokens/changchun-edu/revoke", data={"csrf_token": csrf_token(client, "/admin/tokens")})
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    login(client, "nanguan_sup")
    assert client.get("/admin/tokens").status_code == 403


def test_the_session_cookie_works_and_its_changes_need_the_csrf_token(app, client, nanguan):
    login(client, "nanguan_sup")
    assert client.get("/api/v1/me").get_json()["token"] is False
    url = f"/api/v1/tasks/{nanguan['task']}/claim"
    refused = client.post(url)
    assert refused.status_code == 400 and refused.get_json()["error"] == "CSRFError"
    claimed = client.post(url, headers={"X-CSRFToken": csrf_token(client, "/inbox")})
    assert claimed.status_code == 403  # a supervisor does not work the caseworkers' lane
    with app.app_context():
        assert db.session.get(HumanTask, nanguan["task"]).assignee is None


def test_cases_are_searched_a_page_at_a_time_inside_the_region_only(app, client, nanguan):
    with app.app_context():
        cases.open_cases([graduate(valid_id(f"220102200301{n:04d}1"), hukou="220102", name=f"王{n}")
                          for n in range(60)], cohort=2026, actor=SYSTEM)
        db.session.commit()
    header = token(app, "nanguan-reader", "caseworker", "220102")
    first = client.get("/api/v1/cases", headers=header).get_json()
    assert (first["total"], first["pages"], first["per_page"], len(first["items"])) == (61, 2, 50, 50)
    assert first["links"]["prev"] is None and first["links"]["next"].endswith("page=2")
    second = client.get(first["links"]["next"], headers=header).get_json()
    assert len(second["items"]) == 11 and second["links"]["next"] is None
    assert not {row["id"] for row in first["items"]} & {row["id"] for row in second["items"]}
    assert nanguan["b"] not in {row["id"] for row in first["items"] + second["items"]}
    assert client.get("/api/v1/cases?q=张三", headers=header).get_json()["total"] == 1
    outside = client.get(f"/api/v1/cases/{nanguan['b']}", headers=header)
    assert outside.status_code == 404 and outside.get_json()["error"] == "OutOfRegion"
    assert client.get("/api/v1/cases?page=99", headers=header).get_json()["page"] == 2
    assert client.get("/api/v1/cases?page=x", headers=header).status_code == 422


def _posting(**changes) -> dict:
    return {"employer": "长春一汽", "title": "软件工程师", "area_code": "220102", "industry": "制造业",
            "major_prefixes": ["0809"], "min_degree": "bachelor", "salary_min": 6000, "salary_max": 9000,
            "open_until": "2026-09-30", **changes}


def test_postings_are_created_listed_closed_and_imported(app, client, nanguan):
    header = token(app, "nanguan-jobs", "caseworker", "220102")
    created = client.post("/api/v1/postings", json=_posting(), headers=header)
    assert created.status_code == 201, created.get_json()
    posting = created.get_json()
    assert posting["state"] == "open" and posting["major_prefixes"] == ["0809"]
    duplicate = client.post("/api/v1/postings", json=_posting(), headers=header)
    assert duplicate.status_code == 400 and "_row" in duplicate.get_json()["errors"]
    missing = client.post("/api/v1/postings", json={"title": "x"}, headers=header)
    assert missing.status_code == 422 and "employer" in missing.get_json()["errors"]["json"]
    outside = client.post("/api/v1/postings", json=_posting(area_code="420102"), headers=header)
    assert outside.status_code == 400
    assert client.post(f"/api/v1/postings/{posting['id']}/close", headers=header).get_json()["state"] == "closed"
    assert client.post(f"/api/v1/postings/{posting['id']}/close", headers=header).status_code == 409
    assert client.get("/api/v1/postings?state=closed", headers=header).get_json()["total"] == 1

    workbook = Workbook()
    sheet = workbook.active
    sheet.append([column.header for column in COLUMNS])
    sheet.append(["吉林银行", "柜员", "220102", "金融业", "", "本科", 4000, 6000, "2026-10-31"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    imported = client.post("/api/v1/postings/import", headers=header,
                           data={"file": (io.BytesIO(buffer.getvalue()), "jobs.xlsx")},
                           content_type="multipart/form-data")
    assert imported.status_code == 200, imported.get_json()
    assert imported.get_json()["imported"] == 1 and imported.get_json()["refused"] == []
    app.config["CASEFLOW_POSTING_IMPORT_MAX_BYTES"] = 1000
    too_large = client.post("/api/v1/postings/import", headers=header, content_type="multipart/form-data",
                            data={"file": (io.BytesIO(b"x" * 200_000), "jobs.csv")})
    assert too_large.status_code == 413 and too_large.get_json()["error"] == "RequestEntityTooLarge"
    system = token(app, "nanguan-bureau", "system", "220102")
    assert client.post("/api/v1/postings", json=_posting(title="会计"), headers=system).status_code == 403


def test_contact_details_reach_the_waiting_case_and_indicators_come_as_json(app, client, nanguan):
    bureau = token(app, "jilin-education", "system", "22")
    delivered = client.post("/api/v1/messages/contact-details", json={"case_id": nanguan["a"], "phone": "13800000000"},
                            headers=bureau)
    assert delivered.status_code == 409  # the case is not waiting for new contact details
    assert client.post("/api/v1/messages/contact-details", json={"case_id": nanguan["a"], "phone": "12ab"},
                       headers=bureau).status_code == 400
    caseworker = token(app, "nanguan-cw", "caseworker", "220102")
    assert client.post("/api/v1/messages/employment-match", headers=caseworker,
                       json={"id_number": ID_A, "employer": "x", "insured_from": "2026-07-01"}).status_code == 403
    unknown = client.post("/api/v1/messages/employment-match", headers=bureau,
                          json={"id_number": real_id("22010220030101999"), "employer": "x",
                                "insured_from": "2026-07-01"})
    assert unknown.status_code == 404
    analyst = token(app, "jilin-statistics", "analyst", "22")
    report = client.get("/api/v1/indicators?region=2201&on=2026-07-01", headers=analyst)
    assert report.status_code == 200, report.get_json()
    body = report.get_json()
    assert (body["region"], body["region_name"], body["level"]) == ("2201", "长春市", "county")
    assert {"handed_over", "reached", "placed", "overdue"} <= set(body["total"])
    assert [row["key"] for row in body["rows"]] and body["trend"]
    assert client.get("/api/v1/indicators?region=42", headers=analyst).status_code == 404
    assert client.get("/api/v1/indicators?on=2030-01-01", headers=analyst).status_code == 400  # the future


def test_the_openapi_document_and_its_interactive_docs_are_served_from_this_site(client, app):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.") and "/api/v1/messages/employment-match" in spec["paths"]
    assert "bearerAuth" in spec["components"]["securitySchemes"]
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "/api/v1/docs/swagger-ui-bundle.js" in html and "http" not in html.split("<body>")[1].split("</p>")[1]
    assert client.get("/api/v1/docs/swagger-ui-bundle.js").status_code == 200
    assert client.get("/api/v1/docs/index.js").status_code == 404


def test_the_education_department_answers_a_contact_details_request_through_the_api(app, client, nanguan):
    """Three failed attempts and the supervisor's approval park the case waiting for new details; the answer
    keeps the new phone encrypted and sends the caseworker back to the phone."""
    caseworker = Actor(nanguan["owner"], frozenset({Role.CASEWORKER}), "220102")
    with app.app_context():
        for channel in ("phone", "phone", "sms"):
            task = db.session.scalars(select(HumanTask).where(HumanTask.case_id == nanguan["a"],
                                                              HumanTask.state == HumanTaskState.READY)).one()
            instances.complete_task(task.id, actor=caseworker, data={"channel": channel, "outcome": "no_answer",
                                                                     "contacted_on": "2026-07-01"})
    approval = ready_task(app, nanguan["a"])
    assert approval.bpmn_id == "approve_unreachable"
    with app.app_context():
        instances.complete_task(approval.id, actor=Actor("nanguan_sup", frozenset({Role.SUPERVISOR}), "220102"),
                                data={"decision": "approve"})
    education = token(app, "jilin-education", "system", "22")
    outside = client.post("/api/v1/messages/contact-details", json={"case_id": nanguan["b"]},
                          headers=token(app, "nanguan-education", "system", "220102"))
    assert outside.status_code == 404
    answered = client.post("/api/v1/messages/contact-details", headers=education,
                           json={"case_id": nanguan["a"], "phone": "13800000001"})
    assert answered.status_code == 200 and answered.get_json() == {"delivered": 1}
    assert ready_task(app, nanguan["a"]).bpmn_id == "attempt"
    with app.app_context():
        person = db.session.get(Graduate, db.session.get(Case, nanguan["a"]).graduate_id)
        assert person.phone_masked == "138****0001" and protection.decrypt(person.phone_encrypted) == "13800000001"
    again = client.post("/api/v1/messages/contact-details", headers=education,
                        json={"case_id": nanguan["a"], "phone": "13900000002"})
    assert again.status_code == 409  # nothing waits any more, and nothing was changed
    with app.app_context():
        assert db.session.get(Graduate, db.session.get(Case, nanguan["a"]).graduate_id).phone_masked == "138****0001"


def test_a_supervisor_token_uploads_previews_and_commits_a_ledger(app, client, demo_users):
    """Ledger batches through the API: upload (stored encrypted, checked by the scheduler's job), the refused
    rows a page at a time, commit as a second job; region scope and roles as on the handover page."""
    from handover_helpers import csv_bytes

    from caseflow.services import ledger_upload

    handover = token(app, "nanguan-handover", "supervisor", "220102")
    neighbour = token(app, "kuancheng-handover", "supervisor", "220103")
    caseworker = token(app, "nanguan-desk", "caseworker", "220102")
    bad_ids = {index: {"id_number": "220102200001010013"} for index in range(55)}  # failing the checksum
    ledger = csv_bytes(120, edits=bad_ids)

    def upload(headers):
        return client.post("/api/v1/ledger-batches?cohort=2026", headers=headers,
                           data={"file": (io.BytesIO(ledger), "台账.csv")}, content_type="multipart/form-data")

    assert upload(caseworker).status_code == 403
    uploaded = upload(handover)
    assert uploaded.status_code == 202, uploaded.get_json()
    batch = uploaded.get_json()
    assert (batch["status"], batch["state"], batch["working"], batch["cohort"]) == ("queued", "queued", True, 2026)
    with app.app_context():
        assert ledger_upload.run_pending() == 1  # the scheduler process's job
    shown = client.get(f"/api/v1/ledger-batches/{batch['batch']}", headers=handover).get_json()
    assert (shown["status"], shown["state"], shown["percent"]) == ("previewed", "done", 100)
    assert (shown["total_rows"], shown["accepted_rows"], shown["rejected_rows"]) == (120, 65, 55)
    assert client.get(f"/api/v1/ledger-batches/{batch['batch']}", headers=neighbour).status_code == 404

    first = client.get(f"/api/v1/ledger-batches/{batch['batch']}/refused", headers=handover).get_json()
    assert (len(first["items"]), first["pages"], first["total"]) == (50, 2, 55)
    assert {row["reason"] for row in first["items"]} == {"invalid_id"} and first["items"][0]["row"] == 2
    second = client.get(first["links"]["next"], headers=handover).get_json()
    assert len(second["items"]) == 5 and second["links"]["next"] is None
    listed = client.get("/api/v1/ledger-batches", headers=handover).get_json()
    assert [row["batch"] for row in listed["items"]] == [batch["batch"]]

    committed = client.post(f"/api/v1/ledger-batches/{batch['batch']}/commit", headers=handover)
    assert committed.status_code == 202 and committed.get_json()["kind"] == "commit"
    assert client.post(f"/api/v1/ledger-batches/{batch['batch']}/commit", headers=handover).status_code == 409
    with app.app_context():
        assert ledger_upload.run_pending() == 1
        assert db.session.query(Case).count() == 65
    assert client.get(f"/api/v1/ledger-batches/{batch['batch']}", headers=handover).get_json()["status"] == "committed"
    assert client.post(f"/api/v1/ledger-batches/{batch['batch']}/discard", headers=handover).status_code == 409
