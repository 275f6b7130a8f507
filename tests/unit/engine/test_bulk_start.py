"""Bulk start: cloned instances are indistinguishable from normally started ones, and a process whose start
depends on its data is never cloned."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from caseflow import engine
from caseflow.domain.clock import Clock
from caseflow.engine import bulk
from caseflow.engine.canonical import shape, workflows
from caseflow.engine.serializer import decode
from caseflow.services.deployment import read_bundle_files

ROOT = Path(__file__).resolve().parents[3]
GATEWAY_FIRST = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="t">
  <bpmn:process id="route_first" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:exclusiveGateway id="gw" default="f3"><bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing><bpmn:outgoing>f3</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:userTask id="a" name="A"><bpmn:incoming>f2</bpmn:incoming></bpmn:userTask>
    <bpmn:userTask id="b" name="B"><bpmn:incoming>f3</bpmn:incoming></bpmn:userTask>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="gw" />
    <bpmn:sequenceFlow id="f2" sourceRef="gw" targetRef="a"><bpmn:conditionExpression>urgent</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f3" sourceRef="gw" targetRef="b" />
  </bpmn:process>
</bpmn:definitions>"""


@pytest.fixture
def journey():
    clock = Clock(frozen_at=datetime(2026, 7, 1, 1, tzinfo=UTC))
    from caseflow.tasks import load_handlers

    # handlers that read the case file are faked: the graduate is reached, nothing is pushed or delivered yet
    operations = {**load_handlers(),
                  "contact_summary": lambda params, context: {"reached": True, "failed_attempts": 0, "channels": 0,
                                                              "unreachable": False, "approved": False,
                                                              "details_requested": False},
                  "push_jobs": lambda params, context: {"count": 0, "posting_ids": []},
                  "package_status": lambda params, context: {"complete": False, "owed": {}, "placed": False}}
    engine.configure(operations=operations, now=clock.now)
    files = read_bundle_files(ROOT / "workflows")
    bundle = engine.build_bundle(files, "graduate_journey", operations=load_handlers())
    yield bundle.sha256
    engine.configure(operations=load_handlers(), now=clock.now)  # the engine is process-wide: undo the fakes


def data(n: int) -> dict:
    return {"case_id": n, "profile": "jilin_1311", "hardship": n % 2 == 0, "leaving_date": "2026-06-30",
            "two_year_mark": "2028-06-30T01:00:00+00:00", "package_due_days": 30, "hardship_fallback": "11-30",
            "post_placement_check": "P3M"}


def test_cloned_journeys_have_their_own_ids_and_data_and_run_like_started_ones(journey):
    assert bulk._template(journey, "graduate_journey", None, data(1),
                          engine.start(journey, "graduate_journey", None, data(1))) is not None
    snapshots = engine.start_many(journey, "graduate_journey", None, [data(n) for n in range(1, 6)])
    ids = [s.ready_tasks[0].task_id for s in snapshots]
    assert len(set(ids)) == 5 and all(s.ready_tasks[0].info.bpmn_id == "attempt" for s in snapshots)
    for n, snapshot in enumerate(snapshots, start=1):
        roots = [w["tasks"][w["root"]]["data"] for w in workflows(decode(snapshot.state))]
        assert all(root["case_id"] == n and root["hardship"] == (n % 2 == 0) for root in roots)
    normal = engine.start(journey, "graduate_journey", None, data(5))
    assert shape(decode(normal.state), set(data(5))) == shape(decode(snapshots[-1].state), set(data(5)))


def test_a_cloned_journey_completes_its_tasks_like_a_started_one(journey):
    cloned = engine.start_many(journey, "graduate_journey", None, [data(n) for n in range(1, 4)])[2]
    normal = engine.start(journey, "graduate_journey", None, data(3))
    steps = []
    for snapshot in (cloned, normal):
        after = engine.complete_task(journey, "graduate_journey", None, snapshot.state,
                                     task_id=snapshot.ready_tasks[0].task_id, data={"outcome": "reached"})
        after = engine.complete_task(journey, "graduate_journey", None, after.state,
                                     task_id=after.ready_tasks[0].task_id,
                                     data={"status": "seeking", "startup_intent": False})
        steps.append(([t.info.bpmn_id for t in after.ready_tasks], shape(decode(after.state), set(data(3)))))
    assert steps[0][0] == ["deliver", "visit_task"]  # reached, classified seeking: the package and the visit
    assert steps[0] == steps[1]


def test_a_start_that_reads_its_data_is_never_cloned():
    bundle = engine.build_bundle({"route_first.bpmn": GATEWAY_FIRST}, "route_first", operations=set())
    datas = [{"urgent": True}, {"urgent": False}, {"urgent": True}, {"urgent": False}]
    snapshots = engine.start_many(bundle.sha256, "route_first", None, datas)
    assert [s.ready_tasks[0].info.bpmn_id for s in snapshots] == ["a", "b", "a", "b"]


def test_a_start_that_compares_its_data_is_never_cloned_even_when_a_perturbed_copy_agrees():
    xml = GATEWAY_FIRST.replace("<bpmn:conditionExpression>urgent</bpmn:conditionExpression>",
                                '<bpmn:conditionExpression>leaving &lt; "2025-01-01"</bpmn:conditionExpression>')
    bundle = engine.build_bundle({"route_first.bpmn": xml}, "route_first", operations=set())
    datas = [{"leaving": "2026-06-30"}, {"leaving": "2026-07-01"}, {"leaving": "2023-06-30"}]
    snapshots = engine.start_many(bundle.sha256, "route_first", None, datas)
    assert [s.ready_tasks[0].info.bpmn_id for s in snapshots] == ["b", "b", "a"]
