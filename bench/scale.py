"""National scale, by simulation: a province of open cases generated into PostgreSQL, then what users and the
scheduler do with it timed at each size.

    python bench/scale.py --database-url URL [--sizes 100000,400000] [--visits 2000] [--sweepers 4] [--keep]

Cases are opened with the project's own bulk path (`cases.open_cases`: graduates, cases, stints and events
written with COPY, ids from the sequences, the graduate journey cloned per case by `engine.start_many`), from
synthetic graduates of one province (caseflow.synth), routed to its counties' caseworkers. The database grows
through the given sizes; at each one, after ANALYZE, it measures:
  * the inbox: p50/p95 of a caseworker's tasks (due first, name search) and of team queues (county and province);
  * the province's monthly report (reports.indicators and the XLSX workbook) wall time, with the server's JIT
    setting and with JIT off for the report's transaction;
  * the sizes: pg_total_relation_size per table and pg_database_size, in total and per case;
  * which indexes the plans of the inbox and report queries use (EXPLAIN of the statements they run).
At the last size, a bounded sample of `--visits` monthly follow-ups (real monthly_visit instances of real cases)
falls due among all the waiting instances, and `--sweepers` sweeper processes wake them. The database's public
schema is emptied at the end unless --keep.
"""

import argparse
import multiprocessing
import random
import re
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from itertools import islice

from common import bench_app, cpu_seconds, load, machine, parse, percentile, reset_postgres
from handover import add_caseworkers
from sqlalchemy import event, func, select, text
from sweepers import _sweeper

from caseflow import engine, synth
from caseflow.domain.actor import SYSTEM
from caseflow.domain.clock import Clock
from caseflow.domain.enums import Classified, ContactOutcome, EventAction, Role
from caseflow.extensions import db
from caseflow.models import Case, Classification, ContactAttempt, EventLog, HumanTask, ProcessInstance, User
from caseflow.services import accounts, bulk_sql, inbox, instances, regions, report_book, reports
from caseflow.services import cases as case_service
from caseflow.services.setup import prepare_database
from caseflow.services.workflow import insert_instances, spec_ref

COMMIT_EVERY = 10_000
CASES_PER_CASEWORKER = 500
CLASSIFIED = (Classified.SEEKING, Classified.EMPLOYED, Classified.NO_INTENT, Classified.IN_TRAINING)
INDEX_USE = re.compile(r"(?:Index(?: Only)? Scan(?: Backward)? using|Bitmap Index Scan on) (\w+)")
SEQ_SCAN = re.compile(r"Seq Scan on (\w+)")


class Statements:
    """The statements (and parameters) the app runs while recording, to EXPLAIN them afterwards."""

    def __init__(self, db_engine):
        self.recording, self.seen = False, []
        event.listen(db_engine, "before_cursor_execute", self._statement)

    def _statement(self, conn, cursor, statement, parameters, context, executemany):
        if self.recording and statement.lstrip().upper().startswith(("SELECT", "WITH")):
            self.seen.append((statement, parameters))

    def record(self):
        self.seen, self.recording = [], True
        return self

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.recording = False

    def plans(self) -> tuple[Counter, Counter, list[str]]:
        """Index names and sequentially scanned tables over the recorded statements' plans, and the plans."""
        indexes, seq, plans = Counter(), Counter(), []
        conn = db.session.connection()
        for statement, parameters in self.seen:
            plan = "\n".join(row[0] for row in conn.exec_driver_sql("EXPLAIN " + statement, parameters))
            plans.append(plan)
            indexes.update(INDEX_USE.findall(plan))
            seq.update(SEQ_SCAN.findall(plan))
        db.session.rollback()
        return indexes, seq, plans


def _add_people(province: str, final_size: int) -> dict[str, User]:
    counties = regions.list_counties(province)
    per_county = max(2, -(-final_size // (len(counties) * CASES_PER_CASEWORKER)))
    caseworkers = add_caseworkers(per_county, province)
    for county in counties:
        accounts.create_user(f"sup_{county.code}", password="x", role=Role.SUPERVISOR, region_code=county.code,
                             commit=False)
    accounts.create_user(f"sup_{province}", password="x", role=Role.SUPERVISOR, region_code=province, commit=False)
    db.session.commit()
    print(f"  {caseworkers} caseworkers ({per_county} in each of {len(counties)} counties), a supervisor per "
          "county and one for the province")
    return {u.username: u for u in db.session.query(User)}


def _open(graduates, count: int, now: datetime) -> float:
    started = time.perf_counter()
    done = 0
    while done < count:
        chunk = list(islice(graduates, min(COMMIT_EVERY, count - done)))
        case_service.open_cases(chunk, cohort=2026, actor=SYSTEM, now=now)
        db.session.commit()
        done += len(chunk)
    return time.perf_counter() - started


def _records(after_id: int, opened_at: datetime) -> int:
    """A month's history for the cases with ids above `after_id`, written with COPY as the bulk path does:
    contact attempts (most reached, some after a missed call, some never) and, for those reached, a
    classification (seeking, employed, no intent, in training). The report reads these records; the cases'
    workflows are left at their first task (the inbox and the sweep do not read records)."""
    rng = random.Random(after_id)
    contacts, classes = [], []
    for case_id in db.session.scalars(select(Case.id).where(Case.id > after_id).order_by(Case.id)):
        day = opened_at + timedelta(days=rng.randint(1, 15), hours=rng.randint(0, 8))
        roll = rng.random()
        if roll >= 0.70:
            contacts.append({"case_id": case_id, "at": day, "channel": "phone", "outcome": ContactOutcome.NO_ANSWER,
                             "by_user": "bench"})
            day += timedelta(days=2)
        if roll < 0.85:
            contacts.append({"case_id": case_id, "at": day, "channel": "phone", "outcome": ContactOutcome.REACHED,
                             "by_user": "bench"})
            status = rng.choices(CLASSIFIED, weights=(50, 30, 10, 10))[0]
            classes.append({"case_id": case_id, "status": status, "effective_at": day, "by_user": "bench",
                            "no_intent_reason": "other" if status == Classified.NO_INTENT else None,
                            "service_needs": []})
    for table, rows in ((ContactAttempt.__table__, contacts), (Classification.__table__, classes)):
        for start in range(0, len(rows), 20_000):
            bulk_sql.insert_rows(table, rows[start:start + 20_000])
    db.session.commit()
    return len(contacts) + len(classes)


def _timed(call, runs: int) -> tuple[float, float, object]:
    call()  # warm
    samples, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = call()
        samples.append((time.perf_counter() - started) * 1000)
        db.session.rollback()
    return percentile(samples, 50), percentile(samples, 95), result


def _inbox(users: dict[str, User], province: str, runs: int, statements: Statements) -> list[tuple]:
    busiest = db.session.execute(select(HumanTask.assignee, func.count()).where(HumanTask.assignee.isnot(None))
                                 .group_by(HumanTask.assignee).order_by(func.count().desc()).limit(1)).first()
    worker = users[busiest[0]]
    county = worker.region_code
    queries = {f"caseworker {worker.username}: my tasks, due first": (worker, inbox.InboxQuery()),
               "  … name search '王'": (worker, inbox.InboxQuery(search="王")),
               "  … overdue only": (worker, inbox.InboxQuery(overdue=True)),
               f"team queue, county {county} (supervisor)": (users[f"sup_{county}"], inbox.InboxQuery(scope="team")),
               f"team queue, province {province} (supervisor)": (users[f"sup_{province}"],
                                                                  inbox.InboxQuery(scope="team"))}
    results = []
    for label, (user, query) in queries.items():
        actor = accounts.actor_for(user)
        p50, p95, page = _timed(lambda a=actor, q=query: inbox.list_inbox(a, q), runs)
        with statements.record():
            inbox.list_inbox(actor, query)
        indexes, seq, _ = statements.plans()
        results.append((label, page.total, p50, p95, indexes, seq))
    return results


def _report(users: dict[str, User], province: str, clock, statements: Statements) -> dict:
    actor = accounts.actor_for(users[f"sup_{province}"])
    on = clock.now().date()
    times = []
    # as the server is configured (PostgreSQL 15: jit on), then with JIT compilation off for the transaction: the
    # report's queries carry dozens of correlated subplans, and compiling them costs more than running them
    for jit in ("on", "off"):
        started = time.perf_counter()
        if jit == "off":
            db.session.execute(text("SET LOCAL jit = off"))
        report = reports.indicators(actor, region=province, on=on)
        times.append(time.perf_counter() - started)
        db.session.rollback()
    started = time.perf_counter()
    book = report_book.workbook(report, translate=str, row_label=lambda f: f.label or f.key or "-", actor=actor)
    t_book = time.perf_counter() - started
    with statements.record():
        reports.indicators(actor, region=province, on=on)
    statement_count = len(statements.seen)
    indexes, seq, _ = statements.plans()
    return {"times": times, "book": t_book, "book_kib": len(book) / 1024, "rows": len(report.rows),
            "handed_over": report.total.handed_over, "statements": statement_count, "indexes": indexes, "seq": seq}


def _sizes() -> tuple[int, list[tuple[str, int, int]]]:
    rows = db.session.execute(text(
        "SELECT c.relname, pg_total_relation_size(c.oid), pg_indexes_size(c.oid) FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r' "
        "ORDER BY 2 DESC")).all()
    return db.session.scalar(text("SELECT pg_database_size(current_database())")), [tuple(r) for r in rows]


def _start_visits(count: int, clock) -> int:
    """`count` monthly follow-ups of real cases spread over the province, anchored today (due in a month)."""
    version_id = instances.latest_version_id("monthly_visit")
    sha, process_id, files = spec_ref(version_id)
    total = db.session.scalar(select(func.count()).select_from(Case))
    step = max(1, total // count)
    chosen = db.session.execute(select(Case.id, Case.region_code).where(Case.id % step == 0)
                                .order_by(Case.id).limit(count)).all()
    anchor = clock.now().date().isoformat()
    for start in range(0, len(chosen), 1000):
        items = [{"version_id": version_id, "process_id": process_id, "region_code": region,
                  "correlation_key": None, "assignee": None, "case_id": case_id,
                  "snapshot": engine.start(sha, process_id, files, {"case_id": case_id,
                                                                    "visit": {"anchor": anchor, "number": 0}})}
                 for case_id, region in chosen[start:start + 1000]]
        insert_instances(items, now=clock.now(), actor=SYSTEM)
        db.session.commit()
    return len(chosen)


def _sweep(url: str, clock, sweepers: int) -> tuple[float, int, int, int]:
    db.session.remove()
    db.engine.dispose()  # no connection shared with the forked sweepers
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    workers = [context.Process(target=_sweeper, args=(url, clock.now(), queue)) for _ in range(sweepers)]
    for worker in workers:
        worker.start()
    done = [queue.get() for _ in workers]
    for worker in workers:
        worker.join()
    elapsed = max(d[2] for d in done) - min(d[1] for d in done)
    fired = db.session.scalar(select(func.count()).select_from(EventLog)
                              .where(EventLog.action == EventAction.TIMER_FIRED))
    waiting = db.session.scalar(select(func.count()).select_from(ProcessInstance)
                                .where(ProcessInstance.next_due.isnot(None)))
    return elapsed, sum(d[0] for d in done), fired, waiting


def _print_size(size: int, cases: int, tables) -> None:
    mib = 2 ** 20
    print(f"  database {size / mib:,.0f} MiB = {size / cases / 1024:.1f} KiB per case; largest tables "
          "(total with indexes · of which indexes):")
    for name, total, indexes in tables[:8]:
        print(f"    {name:<22} {total / mib:9,.1f} MiB  {total / cases:7,.0f} B/case  "
              f"· indexes {indexes / mib:7,.1f} MiB")


def _print_plans(indexes: Counter, seq: Counter) -> str:
    used = ", ".join(f"{name}×{n}" for name, n in indexes.most_common()) or "none"
    scans = ", ".join(f"{name}×{n}" for name, n in seq.most_common()) or "none"
    return f"indexes: {used}; seq scans: {scans}"


def _grow_and_measure(graduates, opened: int, size: int, users, args, *, clock, statements: Statements) -> None:
    """Open cases up to `size` (with a month of records), ANALYZE, then time the inbox and the report, and size
    the database."""
    cpu, last_id = cpu_seconds(), db.session.scalar(select(func.coalesce(func.max(Case.id), 0)))
    opened_at = clock.now() - timedelta(days=20)  # handed over three weeks before the report date
    seconds = _open(graduates, size - opened, opened_at)
    print(f"\n== {size:,} open cases: {size - opened:,} opened in {seconds:.0f} s = "
          f"{(size - opened) / seconds:,.0f}/s (this process {cpu_seconds() - cpu:.0f} s CPU; {load()})")
    started = time.perf_counter()
    records = _records(last_id, opened_at)
    print(f"  {records:,} contact attempts and classifications written in {time.perf_counter() - started:.0f} s")
    db.session.execute(text("ANALYZE"))
    db.session.commit()
    print(f"  human tasks {db.session.scalar(select(func.count()).select_from(HumanTask)):,}")
    for label, total, p50, p95, indexes, seq in _inbox(users, args.province, args.runs, statements):
        print(f"  inbox {label:<52} {total:>7,} rows  p50 {p50:7.2f} ms  p95 {p95:7.2f} ms")
        print(f"        {_print_plans(indexes, seq)}")
    r = _report(users, args.province, clock, statements)
    print(f"  province report: {r['rows']} rows, {r['handed_over']:,} cases; indicators {r['times'][0]:.1f} s "
          f"(server's jit setting), {r['times'][1]:.1f} s with jit off; XLSX {r['book']:.2f} s "
          f"({r['book_kib']:.0f} KiB); {r['statements']} queries ({load()})")
    print(f"        {_print_plans(r['indexes'], r['seq'])}")
    total_size, tables = _sizes()
    _print_size(total_size, size, tables)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True, help="PostgreSQL")
    parser.add_argument("--sizes", default="100000,400000", help="open cases at each measuring point")
    parser.add_argument("--visits", type=int, default=2000, help="due monthly follow-ups swept at the last size")
    parser.add_argument("--sweepers", type=int, default=4)
    parser.add_argument("--runs", type=int, default=100, help="inbox samples per query")
    parser.add_argument("--province", default="22", help="22 Jilin, 42 Hubei")
    parser.add_argument("--keep", action="store_true", help="leave the generated data in the database")
    args = parse(parser, sizes="500,1000", visits=50, sweepers=2, runs=10)
    sizes = [int(n) for n in args.sizes.split(",")]
    url = args.database_url
    clock = Clock(frozen_at=datetime(2026, 7, 15, 1, tzinfo=UTC))
    app, clock = bench_app(url, clock, CASEFLOW_DATA_KEY="bench", CASEFLOW_PROVINCES=args.province)
    print(f"machine: {machine()}")
    print(f"database: {url.split('@')[-1]}   sizes: {sizes}   province: {args.province}")
    with app.app_context():
        prepare_database()
        regions.load_reference_regions()
        users = _add_people(args.province, sizes[-1])
        statements = Statements(db.engine)
        graduates = synth.graduates(sizes[-1], seed=2026, province=args.province)
        opened = 0
        for size in sizes:
            _grow_and_measure(graduates, opened, size, users, args, clock=clock, statements=statements)
            opened = size
        visits = _start_visits(args.visits, clock)
        due_before = db.session.scalar(select(func.count()).select_from(ProcessInstance)
                                       .where(ProcessInstance.next_due.isnot(None)))
    clock.advance(timedelta(days=32))
    with app.app_context():
        due = db.session.scalar(select(func.count()).select_from(ProcessInstance)
                                .where(ProcessInstance.next_due <= clock.now()))
        elapsed, woken, fired, waiting = _sweep(url, clock, args.sweepers)
        print(f"\n  monthly sweep: {visits:,} follow-ups started; {due_before:,} instances with a timer, {due:,} due "
              f"among {db.session.scalar(select(func.count()).select_from(ProcessInstance)):,} instances")
        print(f"  {args.sweepers} sweepers woke {woken:,} in {elapsed:.1f} s = {woken / elapsed:,.0f}/s; "
              f"timer_fired {fired:,}, still waiting {waiting:,} ({load()})")
        assert woken == fired == due, f"woken {woken}, fired {fired}, due {due}"
        db.session.remove()
        db.engine.dispose()
    if not args.keep:
        reset_postgres(url)


if __name__ == "__main__":
    main()
