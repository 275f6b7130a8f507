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
from caseflow.errors import InvalidInput, InvalidSpec, NotAllowed
from caseflow.extensions import db
from caseflow.models import EventLog, ProcessDraft, ProcessInstance, ProcessVersion
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

    fixed_xml = DEMO.replace('name="月度回访&#10;Monthly follow-up visit"', 'name="每月随访（新）"')
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
    assert designer.current_version("demo_followup").id == before
    assert not [path for path in tmp_path.rglob("*") if path.is_file()]  # not even a staged temporary file


def test_a_workflows_directory_that_cannot_be_written_refuses_the_publish_before_deploying(app, tmp_path):
    """Publishing writes the files back; when that cannot happen nothing is deployed and the draft stays."""
    blocked = tmp_path / "workflows"
    blocked.write_text("a file where the directory should be")
    app.config["CASEFLOW_PUBLISH_DIR"] = str(blocked)
    before = designer.current_version("demo_followup").id
    designer.save_draft("demo_followup", "demo_followup.bpmn", DEMO.replace("Monthly", "Weekly"), actor=DESIGNER)
    db.session.commit()
    try:
        designer.publish("demo_followup", actor=DESIGNER)
    except InvalidInput as exc:
        assert "nothing was published" in str(exc.message)
    else:
        raise AssertionError("a publish whose files could not be written went through")
    db.session.rollback()
    assert designer.current_version("demo_followup").id == before
    assert designer.open_workspace("demo_followup", actor=DESIGNER).is_draft
    assert [path.name for path in tmp_path.iterdir()] == ["workflows"]


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


def test_a_designer_dry_runs_and_moves_running_cases_from_the_page(app, client, demo_users):
    """51 instances wait at the renamed task: the dry run pages their reasons; with the map all of them move."""
    with app.app_context():
        old = designer.current_version("demo_followup").id
        started = [instances.start_instance("demo_followup", actor=SYSTEM, region_code="220102") for _ in range(51)]
        xml = DEMO
        for pattern in ('id="{}"', 'sourceRef="{}"', 'targetRef="{}"', 'bpmnElement="{}"', ">{}<"):
            xml = xml.replace(pattern.format("first_contact"), pattern.format("initial_contact"))
        new = deployment.deploy({"demo_followup.bpmn": xml}, "demo_followup", actor=SYSTEM)[0].id
    login(client, "jilin_designer")
    page = client.get(f"/designer/demo_followup/migrate?from={old}&to={new}").get_data(as_text=True)
    assert "0 of 51" in page or "51 个运行中的实例中有 0 个可以迁移" in page
    second = client.get(f"/designer/demo_followup/migrate?from={old}&to={new}&page=2").get_data(as_text=True)
    rows = re.findall(r'<tr id="instance-(\d+)"', page) + re.findall(r'<tr id="instance-(\d+)"', second)
    assert sorted(map(int, rows)) == sorted(started) and "first_contact" in page
    mapped = client.get(f"/designer/demo_followup/migrate?from={old}&to={new}&map=first_contact%3Dinitial_contact")
    token = csrf_token(client, f"/designer/demo_followup/migrate?from={old}&to={new}")
    assert 'id="run-migration"' in mapped.get_data(as_text=True)
    moved = client.post("/designer/demo_followup/migrate", data={"csrf_token": token, "from": old, "to": new,
                                                                  "map": "first_contact=initial_contact"},
                        follow_redirects=True)
    assert "51" in moved.get_data(as_text=True)
    with app.app_context():
        assert {db.session.get(ProcessInstance, i).version_id for i in started} == {new}


def test_the_migrate_cli_dry_runs_and_moves(app):
    old = designer.current_version("demo_followup").id
    instance_id = instances.start_instance("demo_followup", actor=SYSTEM, region_code="220102")
    new = deployment.deploy({"demo_followup.bpmn": DEMO.replace("Monthly follow-up visit", "每月随访")},
                            "demo_followup", actor=SYSTEM)[0].id
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["caseflow", "migrate", "demo_followup", "--from", str(old), "--dry-run"])
    assert dry.exit_code == 0 and f"instance {instance_id}: can move" in dry.output
    assert db.session.get(ProcessInstance, instance_id).version_id == old
    done = runner.invoke(args=["caseflow", "migrate", "demo_followup", "--from", str(old), "--batch", "1"])
    assert done.exit_code == 0 and "1/1: moved 1" in done.output
    db.session.expire_all()
    assert db.session.get(ProcessInstance, instance_id).version_id == new
    bad = runner.invoke(args=["caseflow", "migrate", "demo_followup", "--from", str(old), "--map", "x"])
    assert bad.exit_code != 0 and "old_id=new_id" in bad.output
