"""Sign-in timing: a known name with a wrong password against an unknown name (can timing tell names apart?).

    python bench/signin.py [--attempts 40] [--database-url URL]

Both go through the sign-in form with the production password hash (scrypt); every attempt comes from an
address of its own and the clock moves on between attempts, so no throttle answers early. Prints the median
and p95 latency of each kind and their ratio: near 1.0, the answer does not tell whether a name exists.
"""

import argparse
import statistics
import time
from datetime import timedelta

from common import bench_app, machine, parse, percentile

from caseflow.domain.enums import RegionLevel, Role
from caseflow.extensions import db
from caseflow.models import Region
from caseflow.services import accounts
from caseflow.services.setup import prepare_database


def _timed(client, clock, username: str, address: str) -> float:
    t0 = time.perf_counter()
    response = client.post("/login", data={"username": username, "password": "not-the-password"},
                           environ_overrides={"REMOTE_ADDR": address})
    elapsed = (time.perf_counter() - t0) * 1000
    assert response.status_code == 401, response.status_code
    clock.advance(timedelta(hours=2))
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--attempts", type=int, default=40)
    parser.add_argument("--database-url", default=None)
    args = parse(parser, attempts=2)
    app, clock = bench_app(args.database_url)
    app.config["CASEFLOW_PASSWORD_METHOD"] = "scrypt"  # the production default, as costly as in production
    print(f"machine: {machine()}")
    with app.app_context():
        prepare_database()
        db.session.add(Region(code="220102", name="南关区", level=RegionLevel.COUNTY))
        accounts.create_user("bench_cw", password="a-long-bench-password", role=Role.CASEWORKER,
                             region_code="220102")
        dialect = db.engine.dialect.name
    client = app.test_client()
    _timed(client, clock, "warm_up", "192.0.2.1")  # the first unknown name computes the dummy hash
    known, unknown = [], []
    for n in range(args.attempts):  # interleaved, so drift on a shared machine hits both alike
        known.append(_timed(client, clock, "bench_cw", f"10.1.{n // 250}.{n % 250}"))
        unknown.append(_timed(client, clock, f"nobody_{n}", f"10.2.{n // 250}.{n % 250}"))
    for label, samples in (("known name, wrong password", known), ("unknown name", unknown)):
        print(f"{label:28s} median {statistics.median(samples):6.1f} ms  p95 {percentile(samples, 95):6.1f} ms")
    print(f"ratio unknown/known (median): {statistics.median(unknown) / statistics.median(known):.2f}  "
          f"[{dialect}, {args.attempts} attempts each, scrypt]")


if __name__ == "__main__":
    main()
