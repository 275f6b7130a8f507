"""Restored equals live: an instance restored from its stored state in a fresh process (specs parsed anew)
behaves exactly as the workflow object that ran the previous step, for every construct the adapter supports.

The whole suite runs with caseflow.engine.verify on (tests/conftest.py), so each step below also runs on the
stored, fresh and live workflow and must agree; these tests add the constructs the journey does not use and
show that the check catches a restore that loses behaviour."""

from datetime import UTC, datetime, timedelta

import pytest
from helpers import TESTS_DIR

from caseflow import engine
from caseflow.domain.clock import Clock
from caseflow.engine import specs, verify

FILES = {"constructs.bpmn": (TESTS_DIR / "bpmn" / "constructs.bpmn").read_text()}


@pytest.fixture
def clock():
    clock = Clock(frozen_at=datetime(2026, 7, 1, 1, tzinfo=UTC))
    engine.configure(operations={}, now=clock.now)
    yield clock
    from caseflow.tasks import load_handlers

    engine.configure(operations=load_handlers(), now=clock.now)


def _sha() -> str:
    return engine.build_bundle(FILES, "constructs", operations=set()).sha256


def _ready(snapshot, bpmn_id: str) -> list[str]:
    return [task.task_id for task in snapshot.ready_tasks if task.info.bpmn_id == bpmn_id]


def _run(clock, *, cold: bool) -> list[tuple]:
    """Drive one instance through every branch; with `cold`, forget every parsed spec before each step."""
    sha, seen = _sha(), []

    def step(snapshot):
        seen.append((sorted(t.info.bpmn_id for t in snapshot.ready_tasks), sorted(snapshot.awaiting),
                     snapshot.next_due, snapshot.completed, [m.name for m in snapshot.messages]))
        if cold:
            engine.forget_specs()
        return snapshot

    def complete(snapshot, bpmn_id, **data):
        return step(engine.complete_task(sha, "constructs", FILES, snapshot.state, task_id=_ready(snapshot, bpmn_id)[0],
                                         data=data))

    snap = step(engine.start(sha, "constructs", FILES, {"done": False}))
    snap = complete(snap, "round_task", done=False)
    snap = complete(snap, "round_task", done=True)
    for bpmn_id in ("mi_seq", "mi_seq", "mi_par", "mi_par"):
        snap = complete(snap, bpmn_id)
    snap = step(engine.deliver_message(sha, "constructs", FILES, snap.state, name="go", payload={"n": 1}))
    snap = step(engine.deliver_message(sha, "constructs", FILES, snap.state, name="reply", payload={}))
    clock.advance(timedelta(days=2))
    snap = step(engine.wake(sha, "constructs", FILES, snap.state))
    complete(snap, "escalate")
    return seen


def test_every_construct_runs_the_same_restored_cold_as_kept_warm(clock):
    warm = _run(clock, cold=False)
    clock.frozen_at, clock.offset = datetime(2026, 7, 1, 1, tzinfo=UTC), timedelta(0)
    cold = _run(clock, cold=True)
    assert cold == warm
    started = datetime(2026, 7, 1, 1, tzinfo=UTC)
    assert warm[0] == (["mi_seq", "round_task"], ["go"], started + timedelta(hours=1), False, [])
    assert warm[1][0] == ["mi_seq", "round_task"]  # the loop went round once more
    assert warm[2][0] == ["mi_seq"]  # ... and stopped when done
    assert warm[3][0] == ["mi_seq"] and warm[4][0] == ["mi_par", "mi_par"] and warm[5][0] == ["mi_par"]
    assert warm[6][0] == [] and warm[6][1] == ["go"]
    assert warm[7][1:3] == (["reply"], None)  # the message won the event gateway: its timer is gone
    assert warm[8][0] == ["review"] and warm[8][2] == started + timedelta(days=1) and warm[8][4] == ["answered"]
    assert warm[9][0] == ["escalate"]  # the boundary timer fired
    assert warm[10][3] is True


def test_a_loop_iteration_finished_in_a_fresh_process_continues_the_loop(clock):
    verify.disable()
    try:
        sha = _sha()
        snap = engine.start(sha, "constructs", FILES, {"done": False})
        engine.forget_specs()  # another process: it has never seen the loop create an iteration
        snap = engine.complete_task(sha, "constructs", FILES, snap.state, task_id=_ready(snap, "round_task")[0],
                                    data={"done": False})
        assert len(_ready(snap, "round_task")) == 1
    finally:
        verify.enable()


def test_the_check_catches_a_restore_that_loses_the_loop(clock, monkeypatch):
    monkeypatch.setattr(specs, "_wire_loops", lambda spec, subprocess_specs: None)
    engine.forget_specs()
    sha = _sha()
    snap = engine.start(sha, "constructs", FILES, {"done": False})
    with pytest.raises(verify.RestoreMismatch, match="different result"):
        engine.complete_task(sha, "constructs", FILES, snap.state, task_id=_ready(snap, "round_task")[0],
                             data={"done": False})
    engine.forget_specs()
