"""Task completion through the web layer (GOALS.md P3, P7).

    python bench/web.py [--tasks 2000] [--database-url URL]

A signed-in caseworker completes N tasks through the JSON endpoint (routing, session, sign-in check, region
and role checks, the engine step and one commit each), via Flask's WSGI test client in one process. Prints
completions/s, p50/p95 latency, SQL statements and commits per completion, and checks none was lost or doubled.
"""

import argparse
import time

from common import bench_app, cpu_seconds, load, machine, parse, percentile
from sqlalchemy import event, func, select

from caseflow.domain.actor import SYSTEM
from caseflow.domain.enums import EventAction, HumanTaskState, RegionLevel, Role
from caseflow.extensions import db
from caseflow.models import EventLog, HumanTask, Region
from caseflow.services import accounts, instances
from caseflow.services.setup import prepare_database

FORM = {"channel": "phone", "outcome": "reached", "contacted_on": "2026-07-01"}


def _prepare(n: int) -> list[str]:
    db.session.add(Region(code="220102", name="南关区", level=RegionLevel.COUNTY))
    accounts.create_user("bench_cw", password="bench", role=Role.CASEWORKER, region_code="220102")
    for _ in range(n):
        instances.start_instance("demo_followup", actor=SYSTEM, region_code="220102")
    return list(db.session.scalars(select(HumanTask.id).where(HumanTask.state == HumanTaskState.READY)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", type=int, default=2000)
    parser.add_argument("--database-url", default=None)
    args = parse(parser, tasks=100)
    app, _ = bench_app(args.database_url)
    print(f"machine: {machine()}")
    with app.app_context():
        prepare_database()
        task_ids = _prepare(args.tasks)
        dialect = db.engine.dialect.name
        counts = {"statements": 0, "commits": 0}
        event.listen(db.engine, "before_cursor_execute", lambda *a: counts.__setitem__("statements",
                                                                                      counts["statements"] + 1))
        event.listen(db.engine, "commit", lambda *a: counts.__setitem__("commits", counts["commits"] + 1))
    client = app.test_client()
    client.post("/login", data={"username": "bench_cw", "password": "bench"})  # CSRF is off in this bench app
    latencies = []
    before = dict(counts)
    started, cpu = time.perf_counter(), cpu_seconds()
    for task_id in task_ids:
        t0 = time.perf_counter()
        response = client.post(f"/api/tasks/{task_id}/complete", json={"data": FORM},
                               headers={"Idempotency-Key": f"bench-{task_id}"})
        latencies.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, response.get_data(as_text=True)
    elapsed, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    n = len(task_ids)
    with app.app_context():
        completed = db.session.scalar(select(func.count()).select_from(EventLog)
                                      .where(EventLog.action == EventAction.TASK_COMPLETED))
    print(f"database: {dialect}   tasks: {n:,}")
    print(f"  {n / elapsed:,.0f} completions/s (target >= 300, stretch 600); p50 {percentile(latencies, 50):.2f} ms, "
          f"p95 {percentile(latencies, 95):.2f} ms (target <= 100 ms)")
    print(f"  this process's CPU {cpu:.1f} s = {n / cpu:,.0f} completions/CPU-s; wall ÷ CPU {elapsed / cpu:.2f} "
          f"(the rest: the database and other processes; {load()})")
    print(f"  per completion, web request included: {(counts['statements'] - before['statements']) / n:.1f} "
          f"SQL statements, {(counts['commits'] - before['commits']) / n:.1f} commits")
    print(f"  completions recorded: {completed:,} of {n:,}")
    assert completed == n, "a completion was lost or doubled"


if __name__ == "__main__":
    main()
