"""Moving journeys (call activities, boundary timers, decision tables) to a new version of the journey: a case that
moved behaves as its twin that stayed, through its timers, after a restart."""

from datetime import timedelta
from pathlib import Path

from helpers import valid_id
from journey_helpers import CW_A, do, graduate, open_case, ready, ready_ids

from caseflow import engine
from caseflow.domain.actor import SYSTEM
from caseflow.extensions import db
from caseflow.models import Case, ProcessInstance
from caseflow.services import deployment, instances, migration, timers

REACHED = {"channel": "phone", "outcome": "reached", "contacted_on": "2026-07-01"}
WORKFLOWS = Path(__file__).resolve().parents[2] / "workflows"


def _instance(case_id: int) -> ProcessInstance:
    db.session.expire_all()
    return db.session.get(ProcessInstance, db.session.get(Case, case_id).instance_id)


def test_a_moved_journey_runs_as_its_twin_that_stayed(province, clock):
    old = instances.latest_version_id("graduate_journey")
    moved, stayed = open_case(graduate()), open_case(graduate(valid_id("22010220030202123"), name="李四"))
    for case_id in (moved, stayed):
        do(case_id, "attempt", CW_A, **REACHED)
    clock.advance(timedelta(days=3))
    files = deployment.read_bundle_files(WORKFLOWS)
    journey = files["graduate_journey.bpmn"]
    process = '<bpmn:process id="graduate_journey" name="'
    files["graduate_journey.bpmn"] = journey.replace(process, process + "2027 ")  # a new name: a new version
    assert files["graduate_journey.bpmn"] != journey
    new = deployment.deploy(files, "graduate_journey", actor=SYSTEM)[0].id

    before = _instance(moved)
    tasks_before = {(t.id, t.assignee) for t in ready(moved)}
    outcome = migration.run("graduate_journey", old, new, {}, actor=SYSTEM, only=[before.id])
    assert (outcome.moved, outcome.refused, outcome.failed) == (1, 0, 0)
    after = _instance(moved)
    assert after.version_id == new and _instance(stayed).version_id == old
    assert after.next_due == before.next_due and after.next_due == _instance(stayed).next_due
    assert {(t.id, t.assignee) for t in ready(moved)} == tasks_before

    for _ in range(4):  # four months of timers, each step cold
        engine.forget_specs()
        clock.advance(timedelta(days=31))
        result = timers.sweep()
        assert result.errors == []
        assert ready_ids(moved) == ready_ids(stayed)
        assert _instance(moved).next_due == _instance(stayed).next_due
