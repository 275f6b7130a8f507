"""Timer sweep benchmark (GOALS.md P4): N monthly follow-ups fall due at once and one sweep wakes them all.

    python bench/sweep.py [--instances 100000] [--database-url URL]

Starts N instances of the real `monthly_visit` process (schedule the visit → wait for its date → visit task),
all anchored on the same day, moves the clock past the visit date and times `timers.sweep()`: each instance is
claimed, loaded, its timer fired, the visit task projected into the inbox and the next due time written, one
commit per instance. Checks that every instance fired exactly once.
"""

import argparse
import time
from datetime import timedelta

from common import bench_app, cpu_seconds, load, machine, parse, peak_rss_mib
from sqlalchemy import func, select

from caseflow import engine
from caseflow.domain.actor import SYSTEM
from caseflow.domain.enums import EventAction, HumanTaskState
from caseflow.extensions import db
from caseflow.models import EventLog, HumanTask, ProcessInstance
from caseflow.services import instances, timers
from caseflow.services.setup import prepare_database
from caseflow.services.workflow import insert_instances, spec_ref

PROCESS = "monthly_visit"
CHUNK = 2000


def _start_all(n: int, clock) -> float:
    """Start n monthly_visit instances waiting on their first visit date; returns seconds taken."""
    version_id = instances.latest_version_id(PROCESS)
    sha, process_id, files = spec_ref(version_id)
    anchor = clock.now().date().isoformat()
    started = time.perf_counter()
    for first in range(0, n, CHUNK):
        items = [{"version_id": version_id, "process_id": process_id, "region_code": "220102",
                  "correlation_key": None, "assignee": "cw", "case_id": None,
                  "snapshot": engine.start(sha, process_id, files, {"case_id": i, "visit": {"anchor": anchor,
                                                                                            "number": 0}})}
                 for i in range(first, min(n, first + CHUNK))]
        insert_instances(items, now=clock.now(), actor=SYSTEM)
        db.session.commit()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--instances", type=int, default=100_000)
    parser.add_argument("--database-url", default=None)
    args = parse(parser, instances=300)
    app, clock = bench_app(args.database_url)
    print(f"machine: {machine()}")
    with app.app_context():
        prepare_database()
        setup = _start_all(args.instances, clock)
        print(f"database: {db.engine.dialect.name}   instances waiting: {args.instances:,} (started in {setup:.1f} s)")
        clock.advance(timedelta(days=32))
        started, cpu = time.perf_counter(), cpu_seconds()
        result = timers.sweep(batch_size=1000)
        elapsed, cpu = time.perf_counter() - started, cpu_seconds() - cpu
        fired = db.session.scalar(select(func.count()).select_from(EventLog)
                                  .where(EventLog.action == EventAction.TIMER_FIRED))
        tasks = db.session.scalar(select(func.count()).select_from(HumanTask)
                                  .where(HumanTask.state == HumanTaskState.READY, HumanTask.bpmn_id == "visit_task"))
        # every woken instance now waits on its visit's month-end timer, so none may still be due
        still_due = db.session.scalar(select(func.count()).select_from(ProcessInstance)
                                      .where(ProcessInstance.next_due <= clock.now()))
    print(f"  sweep: {result.woken:,} woken in {elapsed:.1f} s = {result.woken / elapsed:,.0f}/s "
          f"(target: 100k in <= 90 s, stretch 45 s); conflicts {result.conflicts}, errors {len(result.errors)}")
    print(f"  this process's CPU in the sweep {cpu:.1f} s = {result.woken / cpu:,.0f}/CPU-s; wall ÷ CPU "
          f"{elapsed / cpu:.2f} (the rest: waiting on the database and on other processes; {load()})")
    print(f"  timer_fired events {fired:,}, visit tasks {tasks:,}, instances still due {still_due:,}")
    print(f"  peak RSS {peak_rss_mib():.0f} MiB")
    assert fired == tasks == args.instances and still_due == 0, "a timer fired twice or not at all"


if __name__ == "__main__":
    main()
