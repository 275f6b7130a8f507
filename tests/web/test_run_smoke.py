"""`python run.py` starts a real server that answers HTTP on 127.0.0.1."""

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _free_port(preferred: int = 5000) -> int:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", preferred))
            return preferred
        except OSError:
            probe.bind(("127.0.0.1", 0))
            return probe.getsockname()[1]


def _sign_in_and_open_inbox(base: str, username: str = "nanguan_cw1") -> tuple[str, object]:
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    page = opener.open(f"{base}/login", timeout=10).read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"username": username, "password": "caseflow-demo", "csrf_token": token})
    return opener.open(f"{base}/login", data=form.encode(), timeout=10).read().decode(), opener


def _packages(base: str, opener, inbox: str) -> set[str]:
    """The package components the case files of an inbox's first twenty cases ask for."""
    seen = set()
    for case_id in list(dict.fromkeys(re.findall(r'href="/cases/(\d+)"', inbox)))[:20]:
        page = opener.open(f"{base}/cases/{case_id}", timeout=10).read().decode()
        table = re.search(r'<table class="package">(.*?)</table>', page, re.S)
        seen |= set(re.findall(r"<tr class=\"\w+\"><td>([^<]+)</td>", table.group(1))) if table else set()
    return seen


def test_run_py_serves_the_console_with_demo_data(tmp_path):
    port = _free_port()
    env = {**os.environ, "CASEFLOW_DATABASE_URL": f"sqlite:///{tmp_path / 'smoke.db'}",
           "CASEFLOW_SECRET_KEY": "smoke", "CASEFLOW_PORT": str(port)}
    env.pop("CASEFLOW_TEST_DATABASE_URL", None)
    server = subprocess.Popen([sys.executable, "run.py"], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        body = None
        deadline = time.monotonic() + 180  # the demo seeds two provinces first: ~30 s on a quiet 2-CPU machine
        while time.monotonic() < deadline and body is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2) as response:
                    assert response.status == 200
                    body = response.read().decode()
            except OSError:
                assert server.poll() is None, server.stdout.read().decode()
                time.sleep(0.3)
        assert body is not None, "run.py did not answer within 180 s"
        base = f"http://127.0.0.1:{port}"
        inbox, opener = _sign_in_and_open_inbox(base)
        assert inbox.count("/tasks/") >= 5  # the demo caseworker's inbox holds real tasks of the demo province
        assert "就业见习" in _packages(base, opener, inbox)  # Jilin's 1311 asks for an internship
        hubei, opener = _sign_in_and_open_inbox(base, "jiangan_cw1")
        assert hubei.count("/tasks/") >= 5  # and so does a caseworker of the second demo province, Hubei
        assert "培训或见习" in _packages(base, opener, hubei)  # whose profile asks for training or an internship
    finally:
        server.terminate()
        server.wait(timeout=10)
