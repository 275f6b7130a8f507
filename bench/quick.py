"""Every benchmark in its quick mode (small sizes), in one process, on one database: CI runs it so none rots.

    python bench/quick.py [--database-url URL]

On PostgreSQL each benchmark empties the database's public schema first, and the schema is emptied again at
the end, so nothing a benchmark wrote is left behind. Exits non-zero if any benchmark fails.
"""

import argparse
import importlib
import sys
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import load, reset_postgres  # noqa: E402

BENCHMARKS = ("handover", "inbox", "web", "sweep", "engine", "signin", "migration", "simulation")
POSTGRES_ONLY = ("sweepers", "workers", "workers --gunicorn", "scale")  # several processes, or PostgreSQL's own
# catalogue and plans; a name may carry the benchmark's own options


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file per benchmark")
    args = parser.parse_args()
    failed = []
    on_postgres = bool(args.database_url and args.database_url.startswith("postgresql"))
    names = BENCHMARKS + (POSTGRES_ONLY if on_postgres else ())
    for entry in names:
        name, *options = entry.split()
        print(f"== bench/{name}.py --quick {' '.join(options)} ({load()})", flush=True)
        sys.argv = [f"{name}.py", "--quick", *options,
                    *(["--database-url", args.database_url] if args.database_url else [])]
        started = time.perf_counter()
        try:
            importlib.import_module(name).main()
        except BaseException:  # noqa: BLE001 -- an assertion or a crash fails the run, the others still run
            traceback.print_exc()
            failed.append(entry)
        print(f"   ({time.perf_counter() - started:.1f} s)", flush=True)
    if on_postgres:
        reset_postgres(args.database_url)
    print(f"quick benchmarks: {len(names) - len(failed)} passed" + (f", failed: {failed}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
