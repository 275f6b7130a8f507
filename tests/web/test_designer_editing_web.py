"""The designer's editing tools over HTTP: the choices the properties panel offers (exactly what lint accepts), a
process's decision tables and forms saved into the designer's draft and linted, the live form preview with its
errors naming the field, forms published with the version; only designers reach any of it, and bad input is a 400
with its reason, never a 500."""

import html
import json
from pathlib import Path

from sqlalchemy import select
from web_helpers import csrf_token, login

from caseflow.domain.actor import Actor
from caseflow.domain.enums import Role
from caseflow.extensions import db
from caseflow.models import ProcessDraft
from caseflow.services import designer

WORKFLOWS = Path(__file__).resolve().parents[2] / "workflows"
DEMO = (WORKFLOWS / "bpmn" / "demo_followup.bpmn").read_text()
FOLLOW_UP = (WORKFLOWS / "forms" / "follow_up.json").read_text()
DESIGNER = Actor("jilin_designer", frozenset({Role.DESIGNER}), "22")
SURVEY = {"title": {"zh": "离校调查", "en": "Exit survey"},
          "fields": [{"name": "plans", "type": "textarea", "label": {"zh": "打算", "en": "Plans"}}]}


def _post(client, path: str, body: dict, token: str):
    return client.post(path, json=body, headers={"X-CSRFToken": token, "Accept": "application/json"})


def _relabelled(text: str, zh: str, en: str) -> str:
    form = json.loads(text)
    form["fields"][0]["label"] = {"zh": zh, "en": en}
    return json.dumps(form, ensure_ascii=False, indent=2)


def test_the_panel_offers_the_forms_operations_roles_and_timers_lint_accepts(app, client, demo_users):
    login(client, "jilin_designer")
    token = csrf_token(client, "/designer/demo_followup")
    offered = client.get("/designer/demo_followup/options.json").get_json()
    keys = [form["key"] for form in offered["forms"]]
    assert {"follow_up", "first_contact", "classify"} <= set(keys) and "exit_survey" not in keys
    assert {"title": {"zh": "月度回访", "en": "Monthly follow-up visit"}, "key": "follow_up"} in offered["forms"]
    assert "add_working_days" in offered["operations"]
    assert {"caseworker", "supervisor", "system"} <= set(offered["roles"])
    assert offered["timer_kinds"] == ["timeDate", "timeDuration", "timeCycle"]

    # A form of the draft is offered too, and a user task naming it lints clean; a name nobody offers does not.
    survey = _post(client, "/designer/demo_followup/forms/exit_survey", {"text": json.dumps(SURVEY)}, token)
    assert survey.status_code == 200
    assert "exit_survey" in [f["key"] for f in client.get("/designer/demo_followup/options.json").get_json()["forms"]]
    for form, errors in (("exit_survey", []), ("no_such_form", ["first_contact"])):
        xml = DEMO.replace('name="formKey" value="first_contact"', f'name="formKey" value="{form}"')
        saved = _post(client, "/designer/demo_followup/draft", {"file": "demo_followup.bpmn", "xml": xml}, token)
        assert [f["element"] for f in saved.get_json()["findings"] if f["severity"] == "error"] == errors


def test_a_form_is_previewed_saved_into_the_draft_and_published_with_the_version(app, client, demo_users, tmp_path):
    app.config["CASEFLOW_PUBLISH_DIR"] = str(tmp_path)
    login(client, "jilin_designer")
    page = html.unescape(client.get("/designer/demo_followup/forms?form=follow_up").get_data(as_text=True))
    assert '"name": "channel"' in page and "first_contact" in page  # the process's forms, follow_up open
    token = csrf_token(client, "/designer/demo_followup")

    edited = _relabelled(FOLLOW_UP, "回访渠道", "Contact channel")
    zh = _post(client, "/designer/demo_followup/forms/preview", {"key": "follow_up", "text": edited}, token)
    en = _post(client, "/designer/demo_followup/forms/preview",
               {"key": "follow_up", "text": edited, "locale": "en"}, token)
    assert zh.status_code == 200 and 'for="preview-channel">回访渠道' in zh.get_json()["html"]
    assert 'for="preview-channel">Contact channel' in en.get_json()["html"]
    assert '<option value="home_visit">Home visit</option>' in en.get_json()["html"]
    every_type = {"title": {"zh": "各类字段", "en": "Every type"},
                  "fields": [{"name": kind, "type": kind, "label": {"zh": kind, "en": kind}}
                             for kind in ("text", "textarea", "date", "integer", "boolean", "posting", "referral",
                                          "area_code")]}
    rendered = _post(client, "/designer/demo_followup/forms/preview",
                     {"key": "every_type", "text": json.dumps(every_type)}, token)
    assert rendered.status_code == 200 and 'id="preview-posting"' in rendered.get_json()["html"]

    saved = _post(client, "/designer/demo_followup/forms/follow_up", {"text": edited}, token)
    assert saved.status_code == 200 and saved.get_json()["ok"]
    with app.app_context():
        draft = db.session.scalar(select(ProcessDraft).where(ProcessDraft.designer == "jilin_designer"))
        assert draft.files["forms/follow_up.json"] == edited and "demo_followup.bpmn" in draft.files
    assert "回访渠道" in client.get("/designer/demo_followup/forms?form=follow_up").get_data(as_text=True)

    client.post("/designer/demo_followup/publish", data={"csrf_token": token})
    with app.app_context():
        version = designer.current_version("demo_followup")
        assert version.deployed_by == "jilin_designer" and version.files["forms/follow_up.json"] == edited
    assert (tmp_path / "forms" / "follow_up.json").read_text() == edited
    assert (tmp_path / "bpmn" / "demo_followup.bpmn").is_file()


def test_an_invalid_form_is_refused_naming_what_is_wrong(app, client, demo_users):
    login(client, "jilin_designer")
    token = csrf_token(client, "/designer/demo_followup")
    follow_up = json.loads(FOLLOW_UP)
    unknown_type = json.dumps({**follow_up, "fields": [{**follow_up["fields"][0], "type": "colour"}]})
    no_english = _relabelled(FOLLOW_UP, "回访方式", "")
    cases = [
        ('{"title": ', "line 1"),  # JSON syntax: where
        (unknown_type, "channel"),  # parse_form names the field
        (no_english, "channel"),  # every label in Chinese and English
        (json.dumps({**follow_up, "fields": [{"name": "x", "type": "choice", "label": {"zh": "甲", "en": "A"}}]}),
         "field x"),  # a choice without choices
        ("[]", "fields"),
    ]
    for text, named in cases:
        for path in ("/designer/demo_followup/forms/preview", "/designer/demo_followup/forms/follow_up"):
            answer = _post(client, path, {"key": "follow_up", "text": text}, token)
            assert answer.status_code == 400 and named in answer.get_json()["message"], (path, text[:40])
    bad_key = _post(client, "/designer/demo_followup/forms/Bad-Key", {"text": json.dumps(SURVEY)}, token)
    assert bad_key.status_code == 400 and "Bad-Key" in bad_key.get_json()["message"]
    assert _post(client, "/designer/demo_followup/forms/follow_up", {"text": 7}, token).status_code == 400
    assert _post(client, "/designer/demo_followup/forms/follow_up", {"text": "{\u0000}"}, token).status_code == 400
    assert client.get("/designer/demo_followup/forms?form=Bad%20Key").status_code == 400
    with app.app_context():
        assert db.session.scalar(select(ProcessDraft)) is None  # nothing refused was stored


def test_a_decision_table_is_saved_into_the_draft_and_linted(app, client, demo_users):
    login(client, "jilin_designer")
    token = csrf_token(client, "/designer/case_work")
    page = client.get("/designer/case_work/decisions").get_data(as_text=True)
    assert "classification_routing.dmn" in page and "build/designer-dmn-modeler.js" in page
    opened = client.get("/designer/case_work/file.json?name=classification_routing.dmn").get_json()
    assert opened["xml"].startswith("<?xml") and "classification_routing_table" in opened["xml"]
    assert client.get("/designer/case_work/file.json?name=nothing.dmn").status_code == 404
    assert client.get("/designer/case_work/decisions?file=nothing.dmn").status_code == 404
    assert client.get("/designer/dmn-js/assets/dmn-js-decision-table.css").status_code == 200

    changed = opened["xml"].replace('label="就业状态&#10;Status"', 'label="就业状态 Status"')
    saved = _post(client, "/designer/case_work/draft", {"file": "classification_routing.dmn", "xml": changed}, token)
    assert saved.status_code == 200 and saved.get_json()["ok"]
    with app.app_context():
        draft = db.session.scalar(select(ProcessDraft).where(ProcessDraft.process_id == "case_work"))
        assert draft.files["classification_routing.dmn"] == changed

    broken = _post(client, "/designer/case_work/draft",
                   {"file": "classification_routing.dmn", "xml": changed.replace("</definitions>", "")}, token)
    assert not broken.get_json()["ok"]
    assert "classification_routing.dmn" in [f["file"] for f in broken.get_json()["findings"]]


def test_a_diagram_longer_than_a_form_field_is_saved(app, client, demo_users):
    """case_work.bpmn is longer than the request guard lets a form field be; the draft endpoint checks it itself."""
    login(client, "jilin_designer")
    token = csrf_token(client, "/designer/case_work")
    xml = client.get("/designer/case_work/draft.json").get_json()["xml"]
    assert len(xml) > 20_000
    saved = _post(client, "/designer/case_work/draft", {"file": "case_work.bpmn", "xml": xml}, token)
    assert saved.status_code == 200 and saved.get_json()["ok"]
    hostile = _post(client, "/designer/case_work/draft", {"file": "case_work.bpmn", "xml": xml + "\u0000"}, token)
    assert hostile.status_code == 400


def test_only_designers_reach_the_editing_tools(app, client, demo_users):
    login(client, "nanguan_cw1")
    token = csrf_token(client, "/inbox")
    for path in ("/designer/demo_followup/options.json", "/designer/demo_followup/file.json?name=demo_followup.bpmn",
                 "/designer/case_work/decisions", "/designer/demo_followup/forms",
                 "/designer/dmn-js/assets/dmn-js-decision-table.css"):
        assert client.get(path).status_code == 403, path
    for path in ("/designer/demo_followup/forms/preview", "/designer/demo_followup/forms/follow_up"):
        assert _post(client, path, {"key": "follow_up", "text": "{}"}, token).status_code == 403, path
    with app.app_context():
        assert db.session.scalar(select(ProcessDraft)) is None


def test_every_operation_and_role_offered_lints_clean(app):
    """What the panel offers is what lint accepts: each operation on the service task, each role on the lanes."""
    offered = designer.options("demo_followup", actor=DESIGNER)
    for operation in offered["operations"]:
        xml = DEMO.replace('serviceTaskOperator id="add_working_days"', f'serviceTaskOperator id="{operation}"')
        report = designer.lint_files({"demo_followup.bpmn": xml}, "demo_followup")
        assert not [f for f in report.errors if f.element == "plan_follow_up" and "operation" in f.message], operation
    caseworker_lane = 'name="就业服务专员&#10;Caseworker"'
    assert caseworker_lane in DEMO and offered["lane_names"]["caseworker"] == "就业服务专员\nCaseworker"
    for role in offered["roles"]:
        xml = DEMO.replace(caseworker_lane, f'name="{offered["lane_names"][role].replace(chr(10), "&#10;")}"')
        report = designer.lint_files({"demo_followup.bpmn": xml}, "demo_followup")
        assert not [f for f in report.errors if "lane" in f.message], role
    wrong = designer.lint_files({"demo_followup.bpmn": DEMO.replace(caseworker_lane, 'name="办事员&#10;Clerk"')},
                                "demo_followup")
    assert {f.element for f in wrong.errors if "lane" in f.message} == {"first_contact", "follow_up"}
