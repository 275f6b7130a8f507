"""Cohort simulation benchmark: a synthetic cohort of a province through a year of the graduate journey, once on
the current version and once on a draft (the monthly visit missed after one day instead of at its month's end),
each in its own scratch SQLite database; prints graduates/s, tasks completed, wall and CPU time per run.

    python bench/simulation.py [--graduates 2000] [--months 12] [--database-url URL] [--quick]

The installation's own database (a fresh SQLite file, or the given PostgreSQL database emptied first) only
holds the deployed journey the runs start from; the simulations always run on scratch SQLite files.
"""

import argparse
import time
from pathlib import Path

from common import ROOT, bench_app, cpu_seconds, machine, parse, peak_rss_mib

from caseflow.services import simulation
from caseflow.services.setup import prepare_database

MONTH_OVER = '<bpmn:timeDate>visit["until"]</bpmn:timeDate>'
ONE_DAY = '<bpmn:timeDuration>"P1D"</bpmn:timeDuration>'


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--graduates", type=int, default=2000)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--database-url", default=None)
    args = parse(parser, graduates=50, months=3)
    app, _ = bench_app(args.database_url)
    print(f"machine: {machine()}")
    with app.app_context():
        prepare_database()
        _, current = simulation.journey_files()
        visit = Path(ROOT, "workflows", "bpmn", "monthly_visit.bpmn").read_text(encoding="utf-8")
        draft = simulation.draft_journey(current, "monthly_visit",
                                         {"monthly_visit.bpmn": visit.replace(MONTH_OVER, ONE_DAY)})
        cohort = simulation.synthetic_cohort("22", args.graduates, args.seed, 2)
        results = {}
        for name, files in (("current", current), ("draft", draft)):
            started, cpu = time.perf_counter(), cpu_seconds()
            figures = simulation.run_one(cohort, files, args.months)
            wall, used = time.perf_counter() - started, cpu_seconds() - cpu
            results[name] = figures.summary
            print(f"{name:>8}: {args.graduates} graduates × {args.months} months in {wall:.1f} s wall, "
                  f"{used:.1f} s CPU ({args.graduates / wall:.1f} graduates/s); "
                  f"{figures.summary['tasks']} caseworker tasks completed, "
                  f"{sum(figures.left_open.values())} left open, {sum(figures.refused.values())} refused")
        for key in simulation.SUMMARY_KEYS:
            print(f"  {key:<28}{results['current'].get(key)!s:>10}{results['draft'].get(key)!s:>10}")
        assert results["current"]["ever_seeking"] == results["draft"]["ever_seeking"], "the same people"
    print(f"peak RSS {peak_rss_mib():.0f} MiB")


if __name__ == "__main__":
    main()
