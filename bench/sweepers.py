"""Sweeper scaling: the same N due follow-ups woken by 1, 2 and 4 sweeper processes at once (PostgreSQL).

    python bench/sweepers.py --database-url URL [--instances 3000] [--processes 1,2,4]

For each count the database is reset and N monthly_visit instances are started, the clock moved past the visit
date, then that many processes (separate apps, as separate schedulers in production) run `timers.sweep()` over the
same rows; claims use FOR UPDATE SKIP LOCKED leases. Timed from the first sweeper's start to the last one's end
(app start-up excluded). Prints wakes/s, the scaling factor against one sweeper, the
load, and checks every timer fired exactly once.
"""

import argparse
import time
from datetime import timedelta

from common import bench_app, in_processes, machine, parse, scaling_table
from sqlalchemy import func, select
from sweep import _start_all

from caseflow.domain.enums import EventAction
from caseflow.extensions import db
from caseflow.models import EventLog
from caseflow.services import timers
from caseflow.services.setup import prepare_database


def _sweeper(url: str, frozen_at, queue) -> None:
    from caseflow.domain.clock import Clock

    app, _ = bench_app(url, Clock(frozen_at=frozen_at), reset=False)
    with app.app_context():
        started = time.time()
        woken = timers.sweep(batch_size=200).woken
        queue.put((woken, started, time.time()))


def run(url: str, instances: int, processes: int) -> tuple[float, int, int]:
    app, clock = bench_app(url)
    with app.app_context():
        prepare_database()
        _start_all(instances, clock)
        db.session.remove()
        db.engine.dispose()  # no connection shared with the forked sweepers
    clock.advance(timedelta(days=32))
    elapsed, woken = in_processes(_sweeper, [(url, clock.now())] * processes)
    with app.app_context():
        fired = db.session.scalar(select(func.count()).select_from(EventLog)
                                  .where(EventLog.action == EventAction.TIMER_FIRED))
    return elapsed, woken, fired


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--instances", type=int, default=3000)
    parser.add_argument("--processes", default="1,2,4")
    parser.add_argument("--database-url", required=True, help="PostgreSQL")
    args = parse(parser, instances=200, processes="1,2")
    print(f"machine: {machine()}")
    scaling_table("sweepers", "wakes/s", (int(n) for n in args.processes.split(",")),
                  lambda count: run(args.database_url, args.instances, count), args.instances)


if __name__ == "__main__":
    main()
