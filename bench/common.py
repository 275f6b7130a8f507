"""Shared pieces of the benchmarks: the machine line, a fresh app on a temporary or given database, timing."""

import atexit
import os
import platform
import resource
import statistics
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from caseflow import create_app  # noqa: E402
from caseflow.domain.clock import Clock  # noqa: E402


def load() -> str:
    """The machine's load average (1, 5, 15 min) beside the CPUs: figures on a shared machine are read with it."""
    one, five, fifteen = os.getloadavg()
    return f"load {one:.1f}/{five:.1f}/{fifteen:.1f} on {os.cpu_count()} CPUs"


def cpu_seconds() -> float:
    """CPU time this process used (user + system): unlike wall time, hardly moved by other sessions' load."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _at_exit() -> None:
    print(f"  at exit: {load()}; this process used {cpu_seconds():.1f} s of CPU")


atexit.register(_at_exit)


def parse(parser, **quick):
    """Parse the benchmark's arguments; `--quick` (CI) replaces the sizes by the small ones given."""
    parser.add_argument("--quick", action="store_true", help=f"small sizes for CI: {quick}")
    args = parser.parse_args()
    if args.quick:
        for name, value in quick.items():
            setattr(args, name, value)
    return args


def machine() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    cpu = platform.processor()
    if cpuinfo.exists():
        cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines()
                    if line.startswith("model name")), cpu)
    return f"{platform.node()} · {os.cpu_count()} CPUs · {cpu} · Python {platform.python_version()} · {load()}"


def bench_app(database_url: str | None, clock: Clock | None = None, *, reset: bool = True, **config):
    """An app on a fresh database -- a new SQLite file, or the given PostgreSQL database emptied first, so a
    benchmark runs the same whatever ran before it -- with a frozen, advanceable clock."""
    if reset and database_url and database_url.startswith("postgresql"):
        reset_postgres(database_url)
    url = database_url or f"sqlite:///{tempfile.mkdtemp(prefix='caseflow-bench-')}/bench.db"
    clock = clock or Clock(frozen_at=datetime(2026, 7, 1, 1, tzinfo=UTC))
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "CASEFLOW_CLOCK": clock,
                      "CASEFLOW_SCHEDULER": False, "CASEFLOW_PASSWORD_METHOD": "pbkdf2:sha256:1000",
                      "WTF_CSRF_ENABLED": False, **config})
    return app, clock


def reset_postgres(url: str) -> None:
    """Benchmarks on PostgreSQL start from an empty schema."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


if __name__ == "__main__":  # `python bench/common.py --reset URL`: leave a PostgreSQL database with an empty schema
    if sys.argv[1:2] == ["--reset"] and sys.argv[2].startswith("postgresql"):
        reset_postgres(sys.argv[2])


def percentile(samples: list[float], p: int) -> float:
    return statistics.quantiles(samples, n=100)[p - 1] if len(samples) > 1 else samples[0]


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class StatementCounter:
    """Counts SQL statements and commits on an engine from now on."""

    def __init__(self, db_engine):
        from sqlalchemy import event

        self.statements = self.commits = 0
        event.listen(db_engine, "before_cursor_execute", self._statement)
        event.listen(db_engine, "commit", self._commit)

    def _statement(self, *args):
        self.statements += 1

    def _commit(self, *args):
        self.commits += 1


def in_processes(target, shares: list[tuple]) -> tuple[float, int]:
    """Run target(*share, queue) in one forked process per share; each puts (count, started, ended) on the queue.
    Returns the seconds from the first start to the last end (start-up excluded) and the summed count."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    workers = [context.Process(target=target, args=(*share, queue)) for share in shares]
    for worker in workers:
        worker.start()
    reports = [queue.get() for _ in workers]
    for worker in workers:
        worker.join()
    return max(report[2] for report in reports) - min(report[1] for report in reports), sum(r[0] for r in reports)


def scaling_table(noun: str, rate_name: str, counts, run_one, expected: int) -> None:
    """Print count, done, seconds, rate and the scaling factor against the first count; run_one(count) returns
    (seconds, done, recorded), and every run must have done and recorded exactly `expected`."""
    base = None
    print(f"  {noun:>8}   done   seconds   {rate_name:>13}   scaling   load (1/5/15 min)")
    for count in counts:
        elapsed, done, recorded = run_one(count)
        rate = done / elapsed
        base = base or rate
        print(f"  {count:8d} {done:6d} {elapsed:9.1f} {rate:15.0f} {rate / base:9.2f}   {load()}")
        assert done == recorded == expected, f"{count} {noun}: done {done}, recorded {recorded}"
