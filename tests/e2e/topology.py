"""Caseflow as production runs it, in separate OS processes: the CLI (init-db, users, import-ledger, clock,
sweep, check), a web server (gunicorn on PostgreSQL, run.py on SQLite) restarted at will, and people working
through real HTTP with cookies and CSRF tokens."""

import csv
import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))


class Installation:
    """One installation's environment, and its command line."""

    def __init__(self, database_url: str, workdir: Path):
        self.database_url, self.workdir = database_url, workdir
        self.env = {**os.environ, "CASEFLOW_DATABASE_URL": database_url, "CASEFLOW_SECRET_KEY": "e2e-secret",
                    "CASEFLOW_DATA_KEY": "ZTJlLWRhdGEta2V5LWZvci10ZXN0cy1vbmx5LTMyYg==",
                    "CASEFLOW_SCHEDULER": "0", "FLASK_APP": "caseflow", "PYTHONUNBUFFERED": "1"}
        self.env.pop("CASEFLOW_TEST_DATABASE_URL", None)

    def cli(self, *args: str, check: bool = True, stdin: str | None = None) -> subprocess.CompletedProcess:
        """`flask caseflow …` in a process of its own."""
        done = subprocess.run([PYTHON, "-m", "flask", "caseflow", *args], cwd=ROOT, env=self.env, text=True,
                              capture_output=True, input=stdin, timeout=600)
        if check and done.returncode != 0:
            raise AssertionError(f"flask caseflow {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done

    def orphans(self, *, deep: bool = False) -> str:
        """Run `flask caseflow check` in its own process; the output when something is wrong, else ''."""
        done = self.cli("check", *(["--deep"] if deep else []), check=False)
        return "" if done.returncode == 0 else done.stdout + done.stderr

    def today(self) -> str:
        """The installation's day in Beijing, as `clock show` reports the time."""
        from datetime import datetime, timedelta

        shown = self.cli("clock", "show").stdout.split()[0]
        return (datetime.fromisoformat(shown) + timedelta(hours=8)).date().isoformat()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class WebServer:
    """gunicorn (two workers) on PostgreSQL, run.py on SQLite; start, stop and start again."""

    def __init__(self, installation: Installation, *, gunicorn: bool):
        self.installation, self.gunicorn = installation, gunicorn
        self.port, self.process, self.log = free_port(), None, installation.workdir / "web.log"

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        command = ([GUNICORN, "-w", "2", "-b", f"127.0.0.1:{self.port}", "caseflow:create_app()"] if self.gunicorn
                   else [PYTHON, "run.py"])
        env = {**self.installation.env, "CASEFLOW_PORT": str(self.port)}
        with self.log.open("a") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()[-3000:]
            try:
                with urllib.request.urlopen(f"{self.base}/login", timeout=5) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise AssertionError(f"the web server did not answer within 90 s:\n{self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)
        self.process = None


_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_TASK_LINK = re.compile(r'href="/tasks/([0-9a-f-]{36})" data-task="([^"]+)"')
_CASE_LINK = re.compile(r'href="/cases/(\d+)"')


class Person:
    """Someone signed in with a browser's cookie jar, working through the pages."""

    def __init__(self, server: WebServer, username: str, password: str):
        self.server = server
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        page = self.get("/login")
        self.post("/login", {"username": username, "password": password, "csrf_token": _TOKEN.search(page)[1]})
        assert "/logout" in self.get("/inbox"), f"{username} could not sign in"

    def get(self, path: str) -> str:
        with self.opener.open(self.server.base + path, timeout=60) as response:
            return response.read().decode()

    def post(self, path: str, fields: dict) -> str:
        data = urllib.parse.urlencode(fields).encode()
        try:
            with self.opener.open(self.server.base + path, data=data, timeout=60) as response:
                return response.read().decode()
        except urllib.error.HTTPError as error:
            raise AssertionError(f"POST {path} answered {error.code}: {error.read().decode()[:2000]}") from error

    def case_ids(self) -> list[int]:
        """Every case of the person's region, page after page of the case list."""
        found, page = [], 1
        while True:
            html = self.get(f"/cases?page={page}")
            body = html.split("<tbody>", 1)[-1].split("</tbody>", 1)[0]
            found += [int(case_id) for case_id in dict.fromkeys(_CASE_LINK.findall(body))]
            if f"page={page + 1}" not in html.replace("&amp;", "&"):
                return found
            page += 1

    def open_tasks(self, case_id: int) -> dict[str, str]:
        """The case's open tasks, BPMN id → task id, as the case file lists them."""
        return {bpmn_id: task_id for task_id, bpmn_id in _TASK_LINK.findall(self.get(f"/cases/{case_id}"))}

    def complete(self, case_id: int, bpmn_id: str, **fields) -> None:
        """Open the case's task `bpmn_id` and submit its form; the case file opens when it was accepted."""
        tasks = self.open_tasks(case_id)
        assert bpmn_id in tasks, f"case {case_id}: {bpmn_id} is not open; open: {sorted(tasks)}"
        path = f"/tasks/{tasks[bpmn_id]}"
        token = _TOKEN.search(self.get(path))[1]
        answer = self.post(path, {"csrf_token": token, **{k: str(v) for k, v in fields.items()}})
        assert "flash-success" in answer, f"case {case_id}: {bpmn_id} was not accepted:\n{answer[:3000]}"


def write_ledger(path: Path, count: int, *, county: str, seed: int = 8) -> Path:
    """A ledger of `count` synthetic graduates without hardship living in `county`, as the education department
    sends it."""
    from caseflow import synth

    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(synth.ledger_header())
        for graduate in synth.graduates(count, seed=seed, province=county[:2]):
            writer.writerow(synth.ledger_row(replace(graduate, hukou_area_code=county, residence_area_code=county,
                                                     hardship=())))
    return path
