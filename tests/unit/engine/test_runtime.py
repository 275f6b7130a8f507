"""The engine adapter on its own: timers read the injected clock, service tasks call handlers,
state round-trips without the spec."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from caseflow import engine
from caseflow.domain.clock import Clock
from caseflow.engine.sandbox import UnsafeCode
from caseflow.engine.serializer import decode
from caseflow.errors import Conflict

ROOT = Path(__file__).resolve().parents[3]
FILES = {"demo_followup.bpmn": (ROOT / "workflows" / "bpmn" / "demo_followup.bpmn").read_text()}


@pytest.fixture
def clock():
    clock = Clock(frozen_at=datetime(2026, 7, 1, tzinfo=UTC))
    calls = []

    def add_days(params, context):
        calls.append((params, context.task_name, context.data.get("outcome")))
        return {"days": params["days"], "at": context.now.isoformat()}

    engine.configure(operations={"add_working_days": add_days}, now=clock.now)
    clock.calls = calls
    return clock


def started(data=None):
    bundle = engine.build_bundle(FILES, "demo_followup", operations={"add_working_days"})
    return bundle.sha256, engine.start(bundle.sha256, "demo_followup", None, data or {})


def test_start_runs_to_first_user_task(clock):
    _, snap = started({"graduate": 7})
    assert [t.info.bpmn_id for t in snap.ready_tasks] == ["first_contact"]
    assert snap.next_due is None and not snap.completed


def test_service_task_output_lands_in_task_data(clock):
    sha, snap = started()
    snap = engine.complete_task(sha, "demo_followup", None, snap.state, task_id=snap.ready_tasks[0].task_id,
                                data={"outcome": "reached"})
    assert clock.calls == [({"days": 22}, "plan_follow_up", "reached")]
    clock.advance(timedelta(days=31))
    snap = engine.wake(sha, "demo_followup", None, snap.state)
    snap = engine.complete_task(sha, "demo_followup", None, snap.state, task_id=snap.ready_tasks[0].task_id,
                                data={})
    assert snap.completed
    assert snap.data["follow_up_plan"] == {"days": 22, "at": "2026-07-01T00:00:00+00:00"}


def test_thirty_day_timer_reads_the_app_clock(clock):
    sha, snap = started()
    snap = engine.complete_task(sha, "demo_followup", None, snap.state, task_id=snap.ready_tasks[0].task_id,
                                data={})
    assert snap.next_due == datetime(2026, 7, 31, tzinfo=UTC)
    clock.advance(timedelta(days=29))
    snap = engine.wake(sha, "demo_followup", None, snap.state)
    assert snap.ready_tasks == ()
    clock.advance(timedelta(days=2))
    snap = engine.wake(sha, "demo_followup", None, snap.state)
    assert [t.info.bpmn_id for t in snap.ready_tasks] == ["follow_up"]
    assert snap.next_due is None


def test_state_is_stored_without_the_spec(clock):
    _, snap = started()
    state = decode(snap.state)
    assert "spec" not in state and "subprocess_specs" not in state and state["serializer_version"] == "1.5"
    assert len(snap.state) < 4 * 1024


def test_completing_a_task_twice_conflicts(clock):
    sha, first = started()
    task_id = first.ready_tasks[0].task_id
    engine.complete_task(sha, "demo_followup", None, first.state, task_id=task_id, data={})
    after = engine.complete_task(sha, "demo_followup", None, first.state, task_id=task_id, data={})
    with pytest.raises(Conflict):
        engine.complete_task(sha, "demo_followup", None, after.state, task_id=task_id, data={})


def test_restricted_builtins_block_imports_in_scripts(clock):
    env = engine.runtime._script_engine.environment
    with pytest.raises(UnsafeCode):
        env.evaluate("__import__('os')", {})
    with pytest.raises(UnsafeCode):
        env.evaluate("open('/etc/passwd')", {})
    with pytest.raises(NameError):
        env.evaluate("round(print)", {})  # only the safe builtins are there
