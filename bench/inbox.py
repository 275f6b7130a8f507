"""Inbox benchmark (GOALS.md P2): a region-scoped, due-sorted page of 50 over N open cases.

    python bench/inbox.py [--cases 100000] [--database-url URL]

Fills the tables the inbox reads (regions, caseworkers, graduates, cases and one ready human task per case,
spread over 20 counties) with bulk inserts — the instance rows are placeholders, since the inbox never reads
workflow state — then times the inbox service as caseworkers and supervisors use
it: my tasks, the team queue, a name search, the overdue filter, and a deep page.
"""

import argparse
import random
import time
import uuid
from datetime import date, timedelta

from common import bench_app, machine, parse, percentile
from sqlalchemy import insert

from caseflow.domain.enums import CaseStatus, HumanTaskState, RegionLevel, Role
from caseflow.extensions import db
from caseflow.models import Case, Graduate, HumanTask, ProcessInstance, ProcessVersion, Region, User
from caseflow.services import accounts, inbox
from caseflow.services.setup import prepare_database

COUNTIES = [f"2201{n:02d}" for n in range(2, 22)]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"


def _fill(n: int, clock) -> None:
    rng = random.Random(7)
    now = clock.now()
    db.session.add(Region(code="22", name="吉林省", level=RegionLevel.PROVINCE, profile="jilin_1311"))
    db.session.add(Region(code="2201", name="长春市", level=RegionLevel.CITY, parent_code="22"))
    for code in COUNTIES:
        db.session.add(Region(code=code, name=code, level=RegionLevel.COUNTY, parent_code="2201"))
        for k in range(5):
            accounts.create_user(f"cw_{code}_{k}", password="x", role=Role.CASEWORKER, region_code=code,
                                 commit=False)
        accounts.create_user(f"sup_{code}", password="x", role=Role.SUPERVISOR, region_code=code, commit=False)
    db.session.add(ProcessVersion(id=1, process_id="monthly_visit", sha256="0" * 64, name="bench", files={},
                                  deployed_at=now, deployed_by="bench"))
    db.session.commit()
    users = {u.username: u.id for u in db.session.query(User)}
    for start in range(0, n, 5000):
        _fill_chunk(rng, range(start, min(n, start + 5000)), users, now)
    db.session.commit()


def _fill_chunk(rng, numbers, users, now) -> None:
    conn = db.session.connection()
    grads, cases, tasks, instances = [], [], [], []
    for i in numbers:
        county = COUNTIES[i % len(COUNTIES)]
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
        grads.append({"id": i + 1, "cohort": 2026, "id_hash": f"{i:064d}", "id_encrypted": "-",
                      "id_masked": f"{county}********{i % 10000:04d}", "name": name, "gender": "M",
                      "birth_date": date(2003, 1, 1), "school": "吉林大学", "major_name": "计算机",
                      "degree": "bachelor", "graduation_date": date(2026, 6, 30), "leaving_date": date(2026, 6, 30)})
        worker = f"cw_{county}_{(i // 20) % 5}"
        cases.append({"id": i + 1, "graduate_id": i + 1, "cohort": 2026, "profile": "jilin_1311", "region_code": county,
                      "county_code": county, "caseworker_id": users[worker], "status": CaseStatus.SEEKING,
                      "hardship_level": int(i % 12 == 0), "handover_at": now, "updated_at": now})
        instances.append({"id": i + 1, "version_id": 1, "process_id": "monthly_visit", "status": "running",
                          "state": b"-", "lock_version": 1, "region_code": county, "case_id": i + 1,
                          "created_at": now, "updated_at": now})
        lane, assignee = ("supervisor", None) if i % 10 == 0 else ("caseworker", worker)
        tasks.append({"id": str(uuid.UUID(int=rng.getrandbits(128))), "instance_id": i + 1, "case_id": i + 1,
                      "process_id": "monthly_visit", "bpmn_id": "visit_task", "name": "Monthly follow-up visit",
                      "lane": lane, "form_key": "follow_up", "action": "follow_up", "assignee": assignee,
                      "region_code": county, "state": HumanTaskState.READY, "created_at": now,
                      "due_at": now + timedelta(days=rng.randint(-10, 40), hours=rng.randint(0, 23))})
    conn.execute(insert(Graduate), grads)
    conn.execute(insert(Case), cases)
    conn.execute(insert(ProcessInstance), instances)
    conn.execute(insert(HumanTask), tasks)


QUERIES = {
    "my tasks, due first": ("cw_220105_2", inbox.InboxQuery()),
    "my tasks, page 4": ("cw_220105_2", inbox.InboxQuery(page=4)),
    "my tasks, overdue only": ("cw_220105_2", inbox.InboxQuery(overdue=True)),
    "my tasks, name search": ("cw_220105_2", inbox.InboxQuery(search="王")),
    "team queue (supervisor)": ("sup_220102", inbox.InboxQuery(scope="team")),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--database-url", default=None)
    args = parse(parser, cases=2000, runs=20)
    app, clock = bench_app(args.database_url)
    print(f"machine: {machine()}")
    with app.app_context():
        prepare_database(deploy=False)
        started = time.perf_counter()
        _fill(args.cases, clock)
        print(f"database: {db.engine.dialect.name}   open cases: {args.cases:,} (filled in "
              f"{time.perf_counter() - started:.1f} s)")
        users = {u.username: u for u in db.session.query(User)}
        for label, (username, query) in QUERIES.items():
            actor = accounts.actor_for(users[username])
            inbox.list_inbox(actor, query)  # warm
            samples = []
            for _ in range(args.runs):
                t0 = time.perf_counter()
                page = inbox.list_inbox(actor, query)
                samples.append((time.perf_counter() - t0) * 1000)
                db.session.rollback()
            print(f"  {label:<26} rows {len(page.rows):>3}  p50 {percentile(samples, 50):6.2f} ms"
                  f"   p95 {percentile(samples, 95):6.2f} ms   (target p95 <= 50 ms)")


if __name__ == "__main__":
    main()
