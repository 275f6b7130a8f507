"""Web worker scaling: task completions/s with 1, 2 and 4 worker processes on one database (PostgreSQL).

    python bench/workers.py --database-url URL [--tasks 1000] [--processes 1,2,4] [--gunicorn]

For each count the database is reset and N tasks are made ready; then the tasks are completed through the JSON
endpoint (routing, session, checks, engine step, one commit each), every completion once. Two ways:

- default: that many forked processes, each its own app as gunicorn's workers are, call the app through Flask's
  WSGI test client (no HTTP server or socket in between): the app's own scaling;
- `--gunicorn`: gunicorn with that many workers serves the app over HTTP on 127.0.0.1, and two client processes
  per worker sign in through the login page and post the completions: production's topology, clients included
  (they share the machine's CPUs with the server).

Timed from the first worker's (client's) start to the last one's end. Prints completions/s, the scaling factor
against one worker and the load, and checks every completion was recorded exactly once.
"""

import argparse
import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

from common import ROOT, bench_app, in_processes, machine, parse, scaling_table
from sqlalchemy import func, select
from web import FORM, _prepare

from caseflow.domain.enums import EventAction
from caseflow.extensions import db
from caseflow.models import EventLog
from caseflow.services.setup import prepare_database

CLIENTS_PER_WORKER = 2
_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _worker(url: str, frozen_at, task_ids: list[str], queue) -> None:
    from caseflow.domain.clock import Clock

    app, _ = bench_app(url, Clock(frozen_at=frozen_at), reset=False)
    client = app.test_client()
    client.post("/login", data={"username": "bench_cw", "password": "bench"})
    started = time.time()
    done = sum(client.post(f"/api/tasks/{task_id}/complete", json={"data": FORM},
                           headers={"Idempotency-Key": f"bench-{task_id}"}).status_code == 200
               for task_id in task_ids)
    queue.put((done, started, time.time()))


def _http_client(base: str, task_ids: list[str], queue) -> None:
    """A program signed in as the caseworker, completing its share of the tasks over HTTP, one at a time."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    with opener.open(f"{base}/login", timeout=30) as response:
        token = _TOKEN.search(response.read().decode())[1]
    form = urllib.parse.urlencode({"username": "bench_cw", "password": "bench", "csrf_token": token}).encode()
    opener.open(f"{base}/login", data=form, timeout=30).close()
    body = json.dumps({"data": FORM}).encode()
    started, done = time.time(), 0
    for task_id in task_ids:
        request = urllib.request.Request(f"{base}/api/tasks/{task_id}/complete", data=body, method="POST",
                                         headers={"Content-Type": "application/json",
                                                  "Idempotency-Key": f"bench-{task_id}"})
        with opener.open(request, timeout=60) as response:
            done += response.status == 200
    queue.put((done, started, time.time()))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _gunicorn(url: str, workers: int) -> tuple[subprocess.Popen, str, Path]:
    """gunicorn with `workers` sync workers on a free port, as the README runs it; returns once it answers."""
    port, log = _free_port(), Path(tempfile.mkdtemp(prefix="caseflow-bench-")) / "gunicorn.log"
    env = {**os.environ, "CASEFLOW_DATABASE_URL": url, "CASEFLOW_SECRET_KEY": "bench", "CASEFLOW_SCHEDULER": "0"}
    env.pop("CASEFLOW_TEST_DATABASE_URL", None)
    command = [str(Path(sys.executable).with_name("gunicorn")), "-w", str(workers), "-b", f"127.0.0.1:{port}",
               "caseflow:create_app()"]
    with log.open("w") as out:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                  start_new_session=True)
    base, deadline = f"http://127.0.0.1:{port}", time.monotonic() + 90
    while time.monotonic() < deadline:
        assert server.poll() is None, log.read_text()[-3000:]
        try:
            urllib.request.urlopen(f"{base}/login", timeout=5).close()
            return server, base, log
        except OSError:
            time.sleep(0.3)
    os.killpg(server.pid, signal.SIGTERM)
    raise AssertionError(f"gunicorn did not answer within 90 s:\n{log.read_text()[-3000:]}")


def run(url: str, tasks: int, processes: int, *, over_http: bool = False) -> tuple[float, int, int]:
    app, clock = bench_app(url)
    with app.app_context():
        prepare_database()
        task_ids = _prepare(tasks)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()  # no connection shared with the forked workers
    if over_http:
        server, base, _log = _gunicorn(url, processes)
        try:
            clients = processes * CLIENTS_PER_WORKER
            elapsed, done = in_processes(_http_client, [(base, task_ids[n::clients]) for n in range(clients)])
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
    else:
        elapsed, done = in_processes(_worker, [(url, clock.now(), task_ids[n::processes]) for n in range(processes)])
    with app.app_context():
        recorded = db.session.scalar(select(func.count()).select_from(EventLog)
                                     .where(EventLog.action == EventAction.TASK_COMPLETED))
    return elapsed, done, recorded


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", type=int, default=1000)
    parser.add_argument("--processes", default="1,2,4")
    parser.add_argument("--gunicorn", action="store_true", help="gunicorn over HTTP, two clients per worker")
    parser.add_argument("--database-url", required=True, help="PostgreSQL")
    args = parse(parser, tasks=60, processes="1,2")
    print(f"machine: {machine()}")
    if args.gunicorn:
        print(f"  gunicorn sync workers over HTTP on 127.0.0.1, {CLIENTS_PER_WORKER} client processes per worker")
    scaling_table("workers", "completions/s", (int(n) for n in args.processes.split(",")),
                  lambda count: run(args.database_url, args.tasks, count, over_http=args.gunicorn), args.tasks)


if __name__ == "__main__":
    main()
