"""Handover benchmark (GOALS.md P1): a generated ledger previewed and committed into a fresh database.

    python bench/handover.py [--rows 100000] [--database-url URL] [--province 22] [--xlsx]

Writes N synthetic graduates (caseflow.synth) to a temporary CSV (or XLSX), loads the reference regions and
two caseworkers per county, then times:
  * preview: read, validate, deduplicate (in file and against the cohort), record the refused rows;
  * commit: read and check again, open a case per row (graduate, hardship flags, case, caseworker, journey
    workflow started to its first human task), one transaction, one commit.
Prints rows/s for each and overall, SQL statements and commits of the commit step, and the peak RSS.
"""

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from common import StatementCounter, bench_app, cpu_seconds, load, machine, parse, peak_rss_mib  # noqa: E402
from sqlalchemy import func, insert, select  # noqa: E402

from caseflow import synth  # noqa: E402
from caseflow.domain.actor import SYSTEM  # noqa: E402
from caseflow.domain.clock import Clock  # noqa: E402
from caseflow.domain.enums import Role  # noqa: E402
from caseflow.extensions import db  # noqa: E402
from caseflow.models import Case, HumanTask, User, UserRole  # noqa: E402
from caseflow.services import bulk_sql, handover, regions  # noqa: E402
from caseflow.services import cases as case_service  # noqa: E402
from caseflow.services.setup import prepare_database  # noqa: E402


def add_caseworkers(per_county: int, province: str) -> int:
    """Caseworkers in every county of the province, so cases are assigned as in production (a user's roles are
    rows of app_user_role: without them routing finds no caseworker and every case stays unassigned)."""
    rows = [{"username": f"cw_{county.code}_{n}", "display_name": f"{county.name}专员{n}", "password_hash": "-",
             "role": Role.CASEWORKER, "region_code": county.code, "active": True}
            for county in regions.list_counties(province) for n in range(1, per_county + 1)]
    ids = db.session.execute(insert(User).returning(User.id, sort_by_parameter_order=True), rows).scalars().all()
    db.session.execute(insert(UserRole), [{"user_id": user_id, "role": Role.CASEWORKER} for user_id in ids])
    db.session.commit()
    return len(rows)


def time_open_cases() -> list[float]:
    """Time spent inside cases.open_cases (the caseflow side of the commit is the rest)."""
    spent, real = [0.0], case_service.open_cases

    def timed(*args, **kwargs):
        started = time.perf_counter()
        try:
            return real(*args, **kwargs)
        finally:
            spent[0] += time.perf_counter() - started

    case_service.open_cases = timed
    return spent


def rate(rows: int, seconds: float) -> str:
    return f"{rows / seconds:8.0f} rows/s  ({seconds:6.1f} s)"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    parser.add_argument("--province", default="22", help="22 Jilin, 42 Hubei")
    parser.add_argument("--xlsx", action="store_true", help="an XLSX ledger instead of CSV")
    parser.add_argument("--seed", type=int, default=2026)
    return parse(parser, rows=500)


def write_ledger(args: argparse.Namespace, workdir: Path) -> Path:
    started = time.perf_counter()
    path = workdir / ("ledger.xlsx" if args.xlsx else "ledger.csv")
    if args.xlsx:
        synth.write_ledger_xlsx(path, args.rows, seed=args.seed, province=args.province)
    else:
        synth.write_ledger_csv(path, args.rows, seed=args.seed, province=args.province)
    print(f"  generated {path.name}: {path.stat().st_size / 2**20:.1f} MiB in {time.perf_counter() - started:.1f} s"
          " (not counted)")
    return path


def run(path: Path, province: str) -> dict:
    """Preview and commit the ledger (inside an app context); timings and what the database holds after."""
    prepare_database()
    regions.load_reference_regions()
    print(f"  {add_caseworkers(2, province)} caseworkers in {len(regions.list_counties(province))} counties")
    started = time.perf_counter()
    batch = handover.preview_ledger(path, cohort=2026, actor=SYSTEM)
    t_preview = time.perf_counter() - started
    counter, in_open_cases = StatementCounter(db.engine), time_open_cases()
    copies_before = dict(bulk_sql.copies)
    started, cpu = time.perf_counter(), cpu_seconds()
    batch = handover.commit_ledger(batch.id, actor=SYSTEM)
    t_commit, cpu_commit = time.perf_counter() - started, cpu_seconds() - cpu
    counter.statements += bulk_sql.copies["statements"] - copies_before["statements"]  # a COPY is one statement
    count = select(func.count()).select_from
    return {"preview": t_preview, "commit": t_commit, "cpu_commit": cpu_commit, "open_cases": in_open_cases[0],
            "counter": counter,
            "rows": batch.total_rows, "accepted": batch.accepted_rows, "rejected": batch.rejected_rows,
            "cases": db.session.scalar(count(Case)), "tasks": db.session.scalar(count(HumanTask)),
            "pooled": db.session.scalar(count(Case).where(Case.county_code.is_(None)))}


def report(r: dict) -> None:
    n = r["rows"]
    print(f"\n  rows {n}: accepted {r['accepted']}, rejected {r['rejected']}; cases {r['cases']} "
          f"({r['pooled']} in the province pool), inbox tasks {r['tasks']}")
    print(f"  preview  {rate(n, r['preview'])}")
    print(f"  commit   {rate(n, r['commit'])}   {r['counter'].statements / n:.2f} SQL statements per row "
          f"(a COPY of a chunk counted as one), "
          f"{r['counter'].commits} commit(s)")
    print(f"           this process's CPU in the commit {r['cpu_commit']:.1f} s = "
          f"{n / r['cpu_commit']:,.0f} rows/CPU-s; "
          f"wall ÷ CPU {r['commit'] / r['cpu_commit']:.2f} (the rest: the database and other processes; {load()})")
    print(f"           of which in cases.open_cases {r['open_cases']:.1f} s; reading, checking and recording "
          f"{r['commit'] - r['open_cases']:.1f} s")
    print(f"  overall  {rate(n, r['preview'] + r['commit'])}   target >= 1,500 rows/s (3,000); 100k rows < 70 s")
    print(f"  peak RSS {peak_rss_mib():.0f} MiB (target < 1024 MiB)")


def main() -> None:
    args = parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="caseflow-bench-handover-"))
    app, clock = bench_app(args.database_url, Clock(frozen_at=datetime(2026, 7, 15, 1, tzinfo=UTC)),
                           CASEFLOW_DATA_KEY="bench", CASEFLOW_UPLOAD_DIR=str(workdir / "uploads"))
    print(f"machine: {machine()}")
    print(f"database: {app.config['SQLALCHEMY_DATABASE_URI'].split('@')[-1]}   rows: {args.rows}   "
          f"province: {args.province}")
    path = write_ledger(args, workdir)
    with app.app_context():
        results = run(path, args.province)
    report(results)


if __name__ == "__main__":
    main()
