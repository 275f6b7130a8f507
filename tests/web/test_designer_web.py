"""The process designer's workspace over HTTP: a draft per designer linted on every save, publish refused while lint
finds an error and then creating a version as deploy does (written back to the workflows files), the versions with
who deployed them and how many instances run on each, a diff between two versions, and a zip export."""

import io
import re
import zipfile
from pathlib import Path

from sqlalchemy import select
from web_helpers import csrf_token, login

from caseflow.domain.actor import SYSTEM, Actor
from caseflow.domain.enums import EventAction, Role
from caseflow.errors import InvalidSpec, NotAllowed
from caseflow.extensions import db
from caseflow.models import EventLog, ProcessDraft, ProcessVersion
from caseflow.services import deployment, designer, instances

DEMO = (Path(__file__).resolve().parents[2] / "workflows" / "bpmn" / "demo_followup.bpmn").read_text()
ORPHAN = '<bpmn:task id="orphan_task" name="随访" />\n    <bpmn:endEvent id="end"'
DESIGNER = Actor("jilin_designer", frozenset({Role.DESIGNER}), "22")


def _save(client, xml: str, token: str):
    return client.post("/designer/demo_followup/draft", json={"file": "demo_followup.bpmn", "xml": xml},
                       headers={"X-CSRFToken": token})


def _current(app) -> ProcessVersion:
    with app.app_context():
        version = designer.current_version("demo_followup")
        db.session.expunge(version)
        return version


def test_a_designer_edits_lints_publishes_and_compares(app, client, demo_users, tmp_path):
    app.config["CASEFLOW_PUBLISH_DIR"] = str(tmp_path)
    old = _current(app)
    with app.app_context():
        instances.start_instance("demo_followup", actor=SYSTEM, region_code="220102")
    login(client, "jilin_designer")
    assert "demo_followup" in client.get("/designer/").get_data(as_text=True)
    token = csrf_token(client, "/designer/demo_followup")
    opened = client.get("/designer/demo_followup/draft.json").get_json()
    assert opened["file"] == "demo_followup.bpmn" and not opened["draft"] and opened["findings"] == []

    broken = _save(client, DEMO.replace('<bpmn:endEvent id="end"', ORPHAN), token).get_json()
    assert not broken["ok"]
    assert [f["element"] for f in broken["findings"] if f["severity"] == "error"] == ["orphan_task"]
    refused = client.post("/designer/demo_followup/publish", data={"csrf_token": token}, follow_redirects=True)
    assert "orphan_task" in refused.get_data(as_text=True)
    assert _current(app).id == old.id

    fixed_xml = DEMO.replace('name="Monthly follow-up visit"', 'name="每月随访（新）"')
    fixed = _save(client, fixed_xml, token).get_json()
    assert fixed["ok"] and fixed["findings"] == []
    published = client.post("/designer/demo_followup/publish", data={"csrf_token": token})
    assert published.status_code == 303
    new = _current(app)
    assert new.id != old.id and new.deployed_by == "jilin_designer"
    assert (tmp_path / "bpmn" / "demo_followup.bpmn").read_text() == fixed_xml
    with app.app_context():
        assert db.session.scalar(select(ProcessDraft).where(ProcessDraft.process_id == "demo_followup")) is None
        assert db.session.scalar(select(EventLog).where(EventLog.action == EventAction.VERSION_PUBLISHED))

    page = client.get(f"/designer/demo_followup/versions?old={old.id}&new={new.id}").get_data(as_text=True)
    assert new.sha256[:12] in page and "jilin_designer" in page
    assert re.search(r'class="changed"><code>follow_up</code> </dd>', page)  # only the renamed task changed
    assert "每月随访（新）" in page and 'class="plus"' in page
    running = re.search(rf"<code>{old.sha256[:12]}</code>.*?<td>(\d+)</td>", page, re.S).group(1)
    assert running == "1"  # the instance stays on its version

    exported = client.get(f"/designer/versions/{new.id}/export.zip")
    names = zipfile.ZipFile(io.BytesIO(exported.data)).namelist()
    assert "bpmn/demo_followup.bpmn" in names and "forms/follow_up.json" in names


def test_drafts_are_per_designer_and_discarded_on_request(app, tmp_path):
    app.config["CASEFLOW_PUBLISH_DIR"] = str(tmp_path)
    other = Actor("hubei_designer", frozenset({Role.DESIGNER}), "42")
    designer.save_draft("demo_followup", "demo_followup.bpmn", DEMO.replace("Monthly", "Weekly"), actor=DESIGNER)
    assert designer.open_workspace("demo_followup", actor=DESIGNER).is_draft
    assert not designer.open_workspace("demo_followup", actor=other).is_draft
    designer.discard_draft("demo_followup", actor=DESIGNER)
    assert not designer.open_workspace("demo_followup", actor=DESIGNER).is_draft


def test_publish_is_all_or_nothing_with_deploys_checks(app, tmp_path):
    """A draft lint passes but deploy refuses (the sandbox) publishes nothing and writes no file."""
    app.config["CASEFLOW_PUBLISH_DIR"] = str(tmp_path)
    before = designer.current_version("demo_followup").id
    unsafe = DEMO.replace('"P30D"', '().__class__.__name__')
    designer.save_draft("demo_followup", "demo_followup.bpmn", unsafe, actor=DESIGNER)
    try:
        designer.publish("demo_followup", actor=DESIGNER)
    except InvalidSpec as exc:
        assert exc.element == "wait_one_month"
    else:
        raise AssertionError("an unsafe timer expression was published")
    assert designer.current_version("demo_followup").id == before and not (tmp_path / "bpmn").exists()


def test_only_designers_reach_the_workspace(app, client, demo_users):
    login(client, "nanguan_cw1")
    assert client.get("/designer/").status_code == 403
    assert client.get("/designer/demo_followup").status_code == 403
    analyst = Actor("jilin_analyst", frozenset({Role.ANALYST}), "22")
    with app.app_context():
        try:
            designer.save_draft("demo_followup", "demo_followup.bpmn", DEMO, actor=analyst)
        except NotAllowed:
            pass
        else:
            raise AssertionError("an analyst saved a draft")


def test_the_versions_list_is_paged(app, client, demo_users):
    with app.app_context():
        for number in range(52):
            deployment.deploy({"demo_followup.bpmn": DEMO.replace("Monthly follow-up visit", f"随访 {number}")},
                              "demo_followup", actor=SYSTEM)
        total = db.session.query(ProcessVersion).filter_by(process_id="demo_followup").count()
    login(client, "jilin_designer")
    first = client.get("/designer/demo_followup/versions").get_data(as_text=True)
    last = client.get("/designer/demo_followup/versions?page=2").get_data(as_text=True)
    shown = re.findall(r'name="new" value="(\d+)"', first) + re.findall(r'name="new" value="(\d+)"', last)
    assert len(set(shown)) == total > 50 and 'rel="next"' in first
