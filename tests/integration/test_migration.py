"""Moving running instances between versions: a dry run says who can move and why not, the run moves them in
batches; waiting timers keep their due dates (checked cold, after the specs are forgotten as on a restart),
ready tasks keep their id, assignee and draft, and every move is in the event log."""

from datetime import timedelta
from pathlib import Path

from helpers import CONTACT, count_events, only_ready_task, ready_tasks
from sqlalchemy import select, update

from caseflow import engine
from caseflow.domain.actor import SYSTEM, Actor
from caseflow.domain.enums import EventAction, Role
from caseflow.errors import InvalidInput, NotAllowed
from caseflow.extensions import db
from caseflow.models import HumanTask, ProcessInstance
from caseflow.services import deployment, instances, migration, timers
from caseflow.services.workflow import committing

DEMO = (Path(__file__).resolve().parents[2] / "workflows" / "bpmn" / "demo_followup.bpmn").read_text()
DESIGNER = Actor("jilin_designer", frozenset({Role.DESIGNER}), "22")


def renamed(xml: str, old: str, new: str) -> str:
    """The diagram with element `old` renamed to `new` where it is declared and referenced (its form stays)."""
    for pattern in ('id="{}"', 'sourceRef="{}"', 'targetRef="{}"', 'bpmnElement="{}"', ">{}<"):
        xml = xml.replace(pattern.format(old), pattern.format(new))
    return xml


def new_version(xml: str) -> int:
    version, created = deployment.deploy({"demo_followup.bpmn": xml}, "demo_followup", actor=SYSTEM)
    assert created
    return version.id


def start(complete_first: bool) -> int:
    instance_id = instances.start_instance("demo_followup", actor=SYSTEM, region_code="220102")
    if complete_first:
        instances.complete_task(only_ready_task(instance_id).id, actor=SYSTEM, data=CONTACT)
    return instance_id


def test_timers_keep_their_due_dates_across_a_migration_checked_cold(app, clock):
    old = instances.latest_version_id("demo_followup")
    waiting = [start(complete_first=True) for _ in range(3)]
    due = db.session.get(ProcessInstance, waiting[0]).next_due
    clock.advance(timedelta(days=10))
    new = new_version(DEMO.replace('"P30D"', '"P45D"'))  # a longer wait for cases that start from now on

    outcome = migration.run("demo_followup", old, new, {}, actor=DESIGNER, batch_size=2)
    assert (outcome.moved, outcome.refused, outcome.failed) == (3, 0, 0)
    db.session.expire_all()
    rows = [db.session.get(ProcessInstance, i) for i in waiting]
    assert {row.version_id for row in rows} == {new} and {row.next_due for row in rows} == {due}
    assert count_events(EventAction.INSTANCE_MIGRATED) == 3

    engine.forget_specs()  # as a restarted process: everything from the database
    db.session.expire_all()
    clock.advance(timedelta(days=19, hours=23))  # day 29 and a bit: not yet
    assert timers.sweep().woken == 0
    clock.advance(timedelta(days=1, hours=1))  # day 31: due as the old version said, not at day 55
    assert timers.sweep().woken == 3
    assert [only_ready_task(i).bpmn_id for i in waiting] == ["follow_up"] * 3


def test_ready_tasks_keep_id_assignee_and_draft(app, clock):
    old = instances.latest_version_id("demo_followup")
    instance_id = start(complete_first=False)
    task = only_ready_task(instance_id)
    with committing():
        db.session.execute(update(HumanTask).where(HumanTask.id == task.id)
                           .values(assignee="nanguan_cw1", draft={"channel": "phone"}))
    new = new_version(DEMO.replace('name="记录首次联系&#10;Record first contact"', 'name="首次联系"'))
    assert migration.run("demo_followup", old, new, {}, actor=DESIGNER).moved == 1
    kept = only_ready_task(instance_id)
    assert (kept.id, kept.assignee, kept.draft, kept.name) == (task.id, "nanguan_cw1", {"channel": "phone"}, "首次联系")
    engine.forget_specs()
    instances.complete_task(kept.id, actor=SYSTEM, data=CONTACT)  # completes on the new version, cold
    assert db.session.get(ProcessInstance, instance_id).next_due is not None


def test_dry_run_names_what_blocks_and_a_map_lets_renamed_tasks_move(app, clock):
    old = instances.latest_version_id("demo_followup")
    at_first_contact = start(complete_first=False)
    at_timer = start(complete_first=True)
    new = new_version(renamed(DEMO, "first_contact", "initial_contact"))

    checked = {c.instance_id: c for c in migration.dry_run("demo_followup", old, new, {}, actor=DESIGNER)}
    # SpiffWorkflow would match the renamed task by its place in the flow; only the designer's map may
    for instance_id, state in ((at_first_contact, "READY"), (at_timer, "COMPLETED")):
        refusal = checked[instance_id].refusals[0]
        assert (refusal.element, refusal.state) == ("first_contact", state) and "map it" in refusal.text()

    mapping = migration.parse_map("first_contact=initial_contact")
    assert all(c.movable for c in migration.dry_run("demo_followup", old, new, mapping, actor=DESIGNER))
    outcome = migration.run("demo_followup", old, new, mapping, actor=DESIGNER)
    assert outcome.moved == 2
    assert only_ready_task(at_first_contact).bpmn_id == "initial_contact"


def test_without_the_map_blocked_instances_stay_where_they_are(app, clock):
    old = instances.latest_version_id("demo_followup")
    blocked = start(complete_first=False)
    new = new_version(renamed(DEMO, "first_contact", "initial_contact"))
    outcome = migration.run("demo_followup", old, new, {}, actor=DESIGNER)
    assert (outcome.moved, outcome.refused) == (0, 1)
    assert db.session.get(ProcessInstance, blocked).version_id == old
    assert [t.bpmn_id for t in ready_tasks(blocked)] == ["first_contact"]


def test_only_designers_migrate_and_bad_maps_are_refused(app):
    old = instances.latest_version_id("demo_followup")
    caseworker = Actor("nanguan_cw1", frozenset({Role.CASEWORKER}), "220102")
    for call in (lambda: migration.dry_run("demo_followup", old, old, {}, actor=caseworker),
                 lambda: migration.run("demo_followup", old, old, {}, actor=caseworker)):
        try:
            call()
        except NotAllowed:
            continue
        raise AssertionError("a caseworker reached migration")
    for text in ("first_contact", "a=b=c", "x=1y"):
        try:
            migration.parse_map(text)
        except InvalidInput:
            continue
        raise AssertionError(f"{text!r} was accepted as a map")
    assert db.session.scalar(select(ProcessInstance.id).limit(1)) is None
