"""Engine benchmark (GOALS.md P5, P6, P7): the app's service layer against bare SpiffWorkflow, same BPMN.

    python bench/engine.py [--cases 2000] [--database-url URL]

Runs the demo process (user task -> service task -> 30-day timer -> user task) for N cases:
  * bare: SpiffWorkflow in memory, no serialization, no database;
  * app:  caseflow services, one database commit per operation (start, complete, timer wake-up).
Prints rates, the app/bare cost ratio per case, SQL statements and commits per completion, stored bytes.
"""

import argparse
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from common import StatementCounter, machine, parse  # noqa: E402
from common import bench_app as common_bench_app  # noqa: E402
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow  # noqa: E402
from SpiffWorkflow.util.task import TaskState  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from caseflow import engine  # noqa: E402
from caseflow.domain.actor import SYSTEM  # noqa: E402
from caseflow.domain.clock import Clock  # noqa: E402
from caseflow.domain.enums import HumanTaskState  # noqa: E402
from caseflow.extensions import db  # noqa: E402
from caseflow.models import HumanTask, ProcessInstance  # noqa: E402
from caseflow.services import instances, timers  # noqa: E402
from caseflow.services.setup import prepare_database  # noqa: E402

PROCESS = "demo_followup"
CONTACT = {"channel": "phone", "outcome": "reached", "contacted_on": "2026-07-01"}
VISIT = {"status": "seeking", "visited_on": "2026-08-01"}


def rate(count: int, seconds: float) -> str:
    return f"{count / seconds:8.0f}/s  ({seconds / count * 1000:.3f} ms each)"


def bench_bare(spec, subs, cases: int, clock: Clock) -> dict[str, float]:
    """The floor: the same BPMN on the bare engine, in memory."""
    script_engine = engine.runtime._script_engine
    started = time.perf_counter()
    flows = []
    for n in range(cases):
        wf = BpmnWorkflow(spec, subs, script_engine=script_engine)
        wf.get_next_task(state=TaskState.READY).data.update({"case": n})
        wf.do_engine_steps()
        flows.append(wf)
    t_start = time.perf_counter() - started

    started = time.perf_counter()
    for wf in flows:
        task = wf.get_tasks(state=TaskState.READY, manual=True)[0]
        task.set_data(**CONTACT)
        task.run()
        wf.refresh_timers()
        wf.do_engine_steps()
    t_complete = time.perf_counter() - started

    clock.advance(timedelta(days=31))
    started = time.perf_counter()
    for wf in flows:
        wf.refresh_timers()
        wf.do_engine_steps()
    t_wake = time.perf_counter() - started
    assert all(wf.get_tasks(state=TaskState.READY, manual=True) for wf in flows)
    return {"start": t_start, "complete": t_complete, "wake": t_wake}


def bench_adapter(sha: str, cases: int, clock: Clock) -> dict[str, float]:
    """The engine adapter without a database: bare engine plus state (de)serialization per operation."""
    started = time.perf_counter()
    snaps = [engine.start(sha, PROCESS, None, {"case": n}) for n in range(cases)]
    t_start = time.perf_counter() - started
    started = time.perf_counter()
    snaps = [engine.complete_task(sha, PROCESS, None, s.state, task_id=s.ready_tasks[0].task_id, data=CONTACT)
             for s in snaps]
    t_complete = time.perf_counter() - started
    clock.advance(timedelta(days=31))
    started = time.perf_counter()
    snaps = [engine.wake(sha, PROCESS, None, s.state) for s in snaps]
    t_wake = time.perf_counter() - started
    assert all(s.ready_tasks for s in snaps)
    return {"start": t_start, "complete": t_complete, "wake": t_wake}


def bench_app(app, cases: int, clock: Clock) -> dict:
    """The same journey through the service layer with a commit per operation."""
    with app.app_context():
        started = time.perf_counter()
        ids = [instances.start_instance(PROCESS, actor=SYSTEM, data={"case": n}) for n in range(cases)]
        t_start = time.perf_counter() - started

        task_ids = list(db.session.scalars(select(HumanTask.id).where(HumanTask.state == HumanTaskState.READY)))
        counter = StatementCounter(db.engine)
        latencies = []
        started = time.perf_counter()
        for task_id in task_ids:
            t0 = time.perf_counter()
            instances.complete_task(task_id, actor=SYSTEM, data=CONTACT, idempotency_key=f"bench-{task_id}")
            latencies.append(time.perf_counter() - t0)
        t_complete = time.perf_counter() - started
        per_completion = (counter.statements / len(task_ids), counter.commits / len(task_ids))

        clock.advance(timedelta(days=31))
        started = time.perf_counter()
        result = timers.sweep()
        t_wake = time.perf_counter() - started
        assert result.woken == cases, result

        sizes = [len(s) for s in db.session.scalars(select(ProcessInstance.state).where(ProcessInstance.id.in_(ids)))]
        rows = db.session.scalar(select(func.count()).select_from(HumanTask))
    return {"start": t_start, "complete": t_complete, "wake": t_wake, "per_completion": per_completion,
            "p95_ms": statistics.quantiles(latencies, n=20)[18] * 1000, "state_bytes": statistics.mean(sizes),
            "task_rows": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    args = parse(parser, cases=100)

    app, clock = common_bench_app(args.database_url)
    with app.app_context():
        prepare_database()
        version = instances.latest_version(PROCESS)
        spec, subs = engine.get_specs(version.sha256, PROCESS, version.files)

    print(f"machine: {machine()}")
    print(f"database: {app.config['SQLALCHEMY_DATABASE_URI'].split('@')[-1]}   cases: {args.cases}")
    bare = bench_bare(spec, subs, args.cases, clock)
    adapter = bench_adapter(version.sha256, args.cases, clock)
    app_times = bench_app(app, args.cases, clock)
    n = args.cases
    print(f"\n  {'':<9}  {'bare SpiffWorkflow (memory)':<34}  {'+ state load/save (no DB)':<34}  "
          "caseflow services (1 commit each)")
    for op in ("start", "complete", "wake"):
        print(f"  {op:<9}  {rate(n, bare[op]):<34}  {rate(n, adapter[op]):<34}  {rate(n, app_times[op])}")
    ops = ("start", "complete", "wake")
    bare_case, adapter_case, app_case = (sum(t[op] for op in ops) / n for t in (bare, adapter, app_times))
    statements, commits = app_times["per_completion"]
    print(f"\n  P6 cost per case: bare {bare_case * 1000:.3f} ms, with state load/save {adapter_case * 1000:.3f} ms, "
          f"app {app_case * 1000:.3f} ms")
    print(f"     ratio app/bare {app_case / bare_case:.2f} (target <= 2.0); "
          f"app/(bare + state load/save) {app_case / adapter_case:.2f}")
    print(f"  P7 per task completion: {statements:.1f} SQL statements, {commits:.1f} commits (target <= 10 / 1)")
    print(f"  P3 completion latency p95 (service layer): {app_times['p95_ms']:.2f} ms")
    print(f"  P5 stored state per instance (waiting on the timer, then woken): {app_times['state_bytes']:.0f} bytes")


if __name__ == "__main__":
    main()
