"""Web worker scaling: task completions/s with 1, 2 and 4 worker processes on one database (PostgreSQL).

    python bench/workers.py --database-url URL [--tasks 1000] [--processes 1,2,4]

For each count the database is reset and N tasks are made ready; then that many processes -- each its own app,
as gunicorn's forked workers are -- complete a disjoint share of them through the JSON endpoint with Flask's
WSGI test client (routing, session, checks, engine step, one commit each; no HTTP server or socket in between).
Timed from the first worker's start to the last one's end. Prints completions/s, the scaling factor against one
worker and the load, and checks every completion was recorded exactly once.
"""

import argparse
import time

from common import bench_app, in_processes, machine, parse, scaling_table
from sqlalchemy import func, select
from web import FORM, _prepare

from caseflow.domain.enums import EventAction
from caseflow.extensions import db
from caseflow.models import EventLog
from caseflow.services.setup import prepare_database


def _worker(url: str, frozen_at, task_ids: list[str], queue) -> None:
    from caseflow.domain.clock import Clock

    app, _ = bench_app(url, Clock(frozen_at=frozen_at), reset=False)
    client = app.test_client()
    client.post("/login", data={"username": "bench_cw", "password": "bench"})
    started = time.time()
    done = sum(client.post(f"/api/tasks/{task_id}/complete", json={"data": FORM},
                           headers={"Idempotency-Key": f"bench-{task_id}"}).status_code == 200
               for task_id in task_ids)
    queue.put((done, started, time.time()))


def run(url: str, tasks: int, processes: int) -> tuple[float, int, int]:
    app, clock = bench_app(url)
    with app.app_context():
        prepare_database()
        task_ids = _prepare(tasks)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()  # no connection shared with the forked workers
    elapsed, done = in_processes(_worker, [(url, clock.now(), task_ids[n::processes]) for n in range(processes)])
    with app.app_context():
        recorded = db.session.scalar(select(func.count()).select_from(EventLog)
                                     .where(EventLog.action == EventAction.TASK_COMPLETED))
    return elapsed, done, recorded


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", type=int, default=1000)
    parser.add_argument("--processes", default="1,2,4")
    parser.add_argument("--database-url", required=True, help="PostgreSQL")
    args = parse(parser, tasks=60, processes="1,2")
    print(f"machine: {machine()}")
    scaling_table("workers", "completions/s", (int(n) for n in args.processes.split(",")),
                  lambda count: run(args.database_url, args.tasks, count), args.tasks)


if __name__ == "__main__":
    main()
