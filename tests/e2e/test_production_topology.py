"""The production topology end to end: separate import, web and sweep processes, real HTTP, a restart of the
web server in the middle, and the runtime invariant checked by `flask caseflow check` after every step.

gunicorn (two workers) serves PostgreSQL when CASEFLOW_TEST_DATABASE_URL names a server, run.py serves SQLite
otherwise. CASEFLOW_E2E_CASES sets the ledger's size (40 by default; the closing note of issue 8 ran 3,000)."""

import os
import re

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from topology import Installation, Person, WebServer, write_ledger

CASES = int(os.environ.get("CASEFLOW_E2E_CASES", "40"))
PASSWORD = "e2e-password-2026"
SERVICES = ("career_guidance", "job_referral", "job_referral", "job_referral", "training_offer", "internship_offer")


@pytest.fixture
def installation(tmp_path):
    """A brand-new installation: its own database (a fresh PostgreSQL database, or a SQLite file)."""
    server_url = os.environ.get("CASEFLOW_TEST_DATABASE_URL")
    if not server_url:
        yield Installation(f"sqlite:///{tmp_path / 'e2e.db'}", tmp_path)
        return
    name = f"caseflow_e2e_{os.getpid()}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        connection.execute(text(f"CREATE DATABASE {name}"))
    try:
        yield Installation(make_url(server_url).set(database=name).render_as_string(hide_password=False), tmp_path)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


def _set_up(installation: Installation) -> None:
    installation.cli("init-db", "--simulated-clock")
    installation.cli("load-regions")
    installation.cli("users", "add", "cw_e2e", "--role", "caseworker", "--region", "220102", "--password", PASSWORD)
    installation.cli("users", "add", "sup_e2e", "--role", "supervisor", "--region", "220102", "--password", PASSWORD)
    ledger = write_ledger(installation.workdir / "ledger.csv", CASES, county="220102")
    imported = installation.cli("import-ledger", str(ledger), "--cohort", "2026", "--commit").stdout
    assert re.search(rf"{CASES} cases opened", imported), imported
    assert installation.orphans() == ""


def _first_contacts(worker: Person, case_ids: list[int], day: str) -> dict[str, list[int]]:
    """Reach three cases in four; classify those reached (most seek work, some are employed or have no intent)."""
    groups = {"seeking": [], "employed": [], "no_intent": [], "unanswered": []}
    for n, case_id in enumerate(case_ids):
        if n % 4 == 3:
            worker.complete(case_id, "attempt", channel="phone", outcome="no_answer", contacted_on=day)
            groups["unanswered"].append(case_id)
            continue
        worker.complete(case_id, "attempt", channel="phone", outcome="reached", contacted_on=day)
        status = {1: "employed", 2: "no_intent"}.get(n % 8, "seeking")
        extra = {"employed": {"employer": "长春一汽富维", "placement_kind": "contract_job",
                              "verified_how": "labour_contract"},
                 "no_intent": {"no_intent_reason": "exam_preparation"}}.get(status, {})
        worker.complete(case_id, "classify", status=status, effective_on=day, **extra)
        groups[status].append(case_id)
    return groups


def test_cases_advance_across_import_web_restart_clock_and_sweep_processes(installation):
    _set_up(installation)
    server = WebServer(installation, gunicorn="postgresql" in installation.database_url)
    server.start()
    try:
        worker = Person(server, "cw_e2e", PASSWORD)
        case_ids = worker.case_ids()
        assert len(case_ids) == CASES
        day = installation.today()
        groups = _first_contacts(worker, case_ids, day)
        assert installation.orphans() == ""

        server.stop()  # a restart: the next requests restore every case in processes that never saw it
        server.start()
        worker = Person(server, "cw_e2e", PASSWORD)
        for case_id in groups["seeking"]:
            worker.complete(case_id, "visit_task", channel="phone", status="seeking", visited_on=day)  # this month's
            for kind in SERVICES:
                worker.complete(case_id, "deliver", kind=kind, response="accepted", delivered_on=day)
            assert worker.open_tasks(case_id) == {}  # the package is complete: monthly follow-up waits
        for case_id in groups["unanswered"]:
            worker.complete(case_id, "attempt", channel="sms", outcome="no_answer", contacted_on=day)
            worker.complete(case_id, "attempt", channel="phone", outcome="no_answer", contacted_on=day)
        supervisor = Person(server, "sup_e2e", PASSWORD)
        for case_id in groups["unanswered"]:
            supervisor.complete(case_id, "approve_unreachable", decision="approve")
        for case_id in groups["employed"]:
            assert "verify" in worker.open_tasks(case_id)
        assert installation.orphans() == ""

        assert "now" in installation.cli("clock", "advance", "32d").stdout
        swept = installation.cli("sweep").stdout
        assert "errors=[]" in swept, swept
        assert installation.orphans() == ""
        later = installation.today()
        for case_id in groups["seeking"]:
            worker.complete(case_id, "visit_task", channel="phone", status="seeking", visited_on=later)
        for case_id in groups["no_intent"]:
            assert "reclassify" in worker.open_tasks(case_id)
        for case_id in groups["unanswered"]:
            assert "attempt" in worker.open_tasks(case_id)  # the monthly retry of an unreachable graduate
        assert installation.orphans(deep=True) == ""
    finally:
        server.stop()
