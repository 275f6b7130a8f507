"""Process versions: keyed by content, never overwritten; running instances stay on theirs."""

from datetime import timedelta
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from helpers import CONTACT, TESTS_DIR, count_events, only_ready_task
from sqlalchemy import func, select

from caseflow.domain.actor import SYSTEM, Actor
from caseflow.domain.enums import EventAction, Role
from caseflow.errors import InvalidSpec, NotAllowed
from caseflow.extensions import db
from caseflow.models import ProcessInstance, ProcessVersion
from caseflow.services import deployment, instances, timers

DEMO = (Path(__file__).resolve().parents[2] / "workflows" / "bpmn" / "demo_followup.bpmn").read_text()


def version_count() -> int:
    return db.session.scalar(select(func.count()).select_from(ProcessVersion))


def test_deploying_the_same_bpmn_twice_yields_one_version(app):
    before = version_count()
    first, created_first = deployment.deploy({"demo_followup.bpmn": DEMO}, "demo_followup", actor=SYSTEM)
    again, created_again = deployment.deploy({"demo_followup.bpmn": DEMO}, "demo_followup", actor=SYSTEM)
    assert (created_first, created_again) == (False, False)  # the fixture deployed it already
    assert first.id == again.id and version_count() == before


def test_changed_bpmn_is_a_new_version_and_running_instances_stay_on_theirs(app, clock):
    old = instances.start_instance("demo_followup", actor=SYSTEM)
    changed = DEMO.replace('name="月度回访&#10;Monthly follow-up visit"', 'name="回访（二）&#10;Follow-up visit (v2)"')
    new_version, created = deployment.deploy({"demo_followup.bpmn": changed}, "demo_followup", actor=SYSTEM)
    old_version_id = db.session.get(ProcessInstance, old).version_id
    assert created and new_version.id != old_version_id
    fresh = instances.start_instance("demo_followup", actor=SYSTEM)
    assert db.session.get(ProcessInstance, fresh).version_id == new_version.id
    for instance in (old, fresh):
        instances.complete_task(only_ready_task(instance).id, actor=SYSTEM, data=CONTACT)
    clock.advance(timedelta(days=31))
    timers.sweep()
    assert only_ready_task(old).name == "月度回访\nMonthly follow-up visit"
    assert only_ready_task(fresh).name == "回访（二）\nFollow-up visit (v2)"
    assert db.session.get(ProcessVersion, old_version_id).files["demo_followup.bpmn"] == DEMO


def test_invalid_bpmn_deploys_nothing(app):
    before = version_count()
    with pytest.raises(InvalidSpec) as err:
        deployment.deploy({"demo_followup.bpmn": DEMO.replace("add_working_days", "no_such_op")}, "demo_followup",
                          actor=SYSTEM)
    assert err.value.element == "plan_follow_up"
    assert version_count() == before


def write_workflows(directory: Path, files: dict[str, str]) -> Path:
    (directory / "bpmn").mkdir(parents=True)
    for name, content in files.items():
        (directory / "bpmn" / name).write_text(content, encoding="utf-8")
    return directory


def test_directory_deploy_is_all_or_nothing(app, tmp_path):
    before, events = version_count(), count_events(EventAction.VERSION_DEPLOYED)
    changed = DEMO.replace('name="月度回访&#10;Monthly follow-up visit"', 'name="回访（二）&#10;Follow-up visit (v2)"')
    timer = (TESTS_DIR / "bpmn" / "sandbox_timer.bpmn").read_text()
    files = {"demo_followup.bpmn": changed, "sandbox_timer.bpmn": timer.replace('"P1D"', "P1D")}
    with pytest.raises(InvalidSpec) as err:
        deployment.deploy_directory(actor=SYSTEM, directory=write_workflows(tmp_path / "bad", files))
    assert err.value.element == "wait"
    assert version_count() == before and count_events(EventAction.VERSION_DEPLOYED) == events
    files["sandbox_timer.bpmn"] = timer
    results = deployment.deploy_directory(actor=SYSTEM, directory=write_workflows(tmp_path / "good", files))
    assert [(version.process_id, created) for version, created in results] == [
        ("demo_followup", True), ("sandbox_timer", True)]
    assert version_count() == before + 2 and count_events(EventAction.VERSION_DEPLOYED) == events + 2


SANDBOX_FILES = {name: (TESTS_DIR / "bpmn" / name).read_text() for name in (
    "sandbox_script.bpmn", "sandbox_gateway.bpmn", "sandbox_timer.bpmn", "sandbox_decision.bpmn",
    "sandbox_routing.dmn")}
# (file, text the payload replaces, element the refusal names)
PAYLOAD_PLACES = [
    ("sandbox_script.bpmn", '"nothing"', "leak"),
    ("sandbox_gateway.bpmn", 'route == "payload"', "to_payload"),
    ("sandbox_timer.bpmn", '"P1D"', "wait"),
    ("sandbox_routing.dmn", "<text>status</text>", "sandbox_routing_in"),
    ("sandbox_routing.dmn", '<text>"seeking"</text>', "sandbox_routing_r1_in"),
    ("sandbox_routing.dmn", '<text>"advise"</text>', "sandbox_routing_r1_out"),
]
ESCAPES = [
    "().__class__.__base__.__subclasses__()", '"{0.__class__}".format(())', '"{x.__class__}".format_map({"x": ()})',
    "(x for x in ()).gi_frame.f_globals", "(lambda: 0).__globals__", "(lambda y: lambda: y)(1)",
    'type("Escape", (), {})', '__import__("os")', 'getattr((), "__cl" + "ass__")', "[].__class__", "vars()",
    "globals()",
]


@pytest.mark.parametrize(("file", "old", "element"), PAYLOAD_PLACES, ids=[p[2] for p in PAYLOAD_PLACES])
def test_escape_payloads_are_refused_at_deploy_and_nothing_is_stored(app, tmp_path, file, old, element):
    before = version_count()
    for number, payload in enumerate(ESCAPES):
        text = f"<text>{escape(payload)}</text>" if old.startswith("<text>") else escape(payload)
        files = {**SANDBOX_FILES, file: SANDBOX_FILES[file].replace(old, text)}
        with pytest.raises(InvalidSpec) as err:
            deployment.deploy_directory(actor=SYSTEM, directory=write_workflows(tmp_path / str(number), files))
        assert err.value.element == element, payload
    assert version_count() == before


@pytest.mark.parametrize("literal", ['"PXYZ"', '"-P1D"'])
def test_malformed_timer_literal_is_refused_at_deploy_not_at_instance_start(app, literal):
    timer = (TESTS_DIR / "bpmn" / "sandbox_timer.bpmn").read_text().replace('"P1D"', literal)
    before = version_count()
    with pytest.raises(InvalidSpec) as err:
        deployment.deploy({"sandbox_timer.bpmn": timer}, "sandbox_timer", actor=SYSTEM)
    assert err.value.element == "wait" and literal in str(err.value)
    assert version_count() == before


def test_only_designers_deploy(app):
    caseworker = Actor("cw", frozenset({Role.CASEWORKER}), "")
    with pytest.raises(NotAllowed):
        deployment.deploy({"demo_followup.bpmn": DEMO}, "demo_followup", actor=caseworker)


def test_every_workflow_file_deploys_with_known_operations_forms_and_a_current_layout(app):
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    stems = sorted(path.stem for path in (root / "workflows" / "bpmn").glob("*.bpmn"))
    deployed = sorted({version.process_id for version in deployment.list_versions()})
    assert deployed == stems  # validation refuses unknown operations, forms, lanes and unquoted timers
    journey = instances.latest_version("graduate_journey")
    assert {"graduate_journey.bpmn", "case_work.bpmn", "contact_round.bpmn", "seeker_services.bpmn",
            "classification_routing.dmn", "package_requirements.dmn", "startup_subsidy.dmn"} <= set(journey.files)
    check = subprocess.run([sys.executable, "scripts/bpmn_layout.py", "--check", *[f"workflows/bpmn/{s}.bpmn"
                                                                                    for s in stems]],
                           cwd=root, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
