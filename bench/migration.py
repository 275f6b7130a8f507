"""Migration benchmark: N running follow-ups, half waiting on their 30-day timer and half at their first task, move
to a new version of the process in batches; prints the rate (instances/s) and checks every timer kept its due date.

    python bench/migration.py [--instances 2000] [--batch 200] [--database-url URL] [--quick]
"""

import argparse
import time
from datetime import timedelta
from pathlib import Path

from common import ROOT, bench_app, machine, parse, peak_rss_mib
from sqlalchemy import select

from caseflow import engine
from caseflow.domain.actor import SYSTEM
from caseflow.extensions import db
from caseflow.models import ProcessInstance
from caseflow.services import deployment, instances, migration
from caseflow.services.setup import prepare_database
from caseflow.services.workflow import insert_instances, spec_ref

PROCESS = "demo_followup"
CONTACT = {"channel": "phone", "outcome": "reached", "contacted_on": "2026-07-01"}


def _start_all(n: int, clock) -> None:
    version_id = instances.latest_version_id(PROCESS)
    sha, process_id, files = spec_ref(version_id)
    items = []
    for number in range(n):
        snapshot = engine.start(sha, process_id, files, {})
        if number % 2:  # past first contact: waiting on the timer
            snapshot = engine.complete_task(sha, process_id, files, snapshot.state,
                                            task_id=snapshot.ready_tasks[0].task_id, data=CONTACT)
        items.append({"version_id": version_id, "process_id": process_id, "region_code": "220102",
                      "correlation_key": None, "assignee": "cw", "case_id": None, "snapshot": snapshot})
    insert_instances(items, now=clock.now(), actor=SYSTEM)
    db.session.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--instances", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--database-url", default=None)
    args = parse(parser, instances=100, batch=50)
    app, clock = bench_app(args.database_url)
    print(f"machine: {machine()}")
    with app.app_context():
        prepare_database()
        old = instances.latest_version_id(PROCESS)
        _start_all(args.instances, clock)
        due_before = dict(db.session.execute(select(ProcessInstance.id, ProcessInstance.next_due)).all())
        clock.advance(timedelta(days=10))
        xml = Path(ROOT, "workflows", "bpmn", f"{PROCESS}.bpmn").read_text(encoding="utf-8")
        new = deployment.deploy({f"{PROCESS}.bpmn": xml.replace('"P30D"', '"P45D"')}, PROCESS, actor=SYSTEM)[0].id
        started = time.perf_counter()
        outcome = migration.run(PROCESS, old, new, {}, actor=SYSTEM, batch_size=args.batch)
        elapsed = time.perf_counter() - started
        db.session.expire_all()
        after = dict(db.session.execute(select(ProcessInstance.id, ProcessInstance.next_due)).all())
        on_new = db.session.scalar(select(db.func.count()).select_from(ProcessInstance)
                                   .where(ProcessInstance.version_id == new))
        print(f"database: {db.engine.dialect.name}   instances: {args.instances:,}   batch: {args.batch}")
    print(f"  migration: {outcome.moved:,} moved in {elapsed:.1f} s = {outcome.moved / elapsed:,.0f} instances/s; "
          f"refused {outcome.refused}, failed {outcome.failed}")
    print(f"  peak RSS {peak_rss_mib():.0f} MiB")
    assert on_new == outcome.moved == args.instances, "an instance did not move"
    assert after == due_before, "a timer's due date changed"


if __name__ == "__main__":
    main()
