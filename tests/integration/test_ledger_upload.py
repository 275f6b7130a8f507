"""The ledger uploaded in the browser, as a background job on a real database: preview with progress, commit,
discard, an interrupted job resumed or discarded, region scope, and the upload encrypted at rest."""

from datetime import timedelta
from pathlib import Path

import pytest
from handover_helpers import count, csv_bytes, ledger_rows, reasons
from helpers import count_events
from sqlalchemy import inspect, select

from caseflow import synth
from caseflow.domain.enums import EventAction, ImportStatus
from caseflow.domain.ledger import Reason
from caseflow.errors import Conflict, InvalidInput, NotAllowed, NotFound
from caseflow.extensions import db
from caseflow.models import Case, Graduate, ImportBatch, ImportJob, ImportRejection
from caseflow.services import accounts, handover, ledger_upload

BAD_ROWS = {1: {"id_number": "220102200001010013"}, 4: {"graduation_date": "2026-13-40"}}


@pytest.fixture
def actor(staff):
    return accounts.actor_for(staff["nanguan_sup"])


def _upload(actor, data: bytes, name: str = "台账.csv"):
    return ledger_upload.start_upload(data, file_name=name, cohort=2026, actor=actor)


def test_upload_is_queued_then_previewed_by_the_job_with_progress(actor, app):
    batch = _upload(actor, csv_bytes(2500, edits=BAD_ROWS))
    upload = ledger_upload.get_upload(batch.id, actor)
    assert (upload.batch.status, upload.job.state, upload.working, upload.job.rows_expected) == (
        ImportStatus.QUEUED, "queued", True, 2500)
    seen = []
    original = ledger_upload._beat

    def spy(batch_id, rows):
        seen.append(rows)
        original(batch_id, rows)
    ledger_upload._beat = spy
    try:
        assert ledger_upload.run_pending() == 1
    finally:
        ledger_upload._beat = original
    assert seen[:2] == [1000, 2000] and seen[-1] == 2500
    db.session.expire_all()
    upload = ledger_upload.get_upload(batch.id, actor)
    assert (upload.batch.status, upload.job.state, upload.percent, upload.working) == (
        ImportStatus.PREVIEWED, "done", 100, False)
    assert (upload.batch.total_rows, upload.batch.accepted_rows, upload.batch.rejected_rows) == (2500, 2498, 2)
    assert reasons(batch.id) == [(3, Reason.INVALID_ID), (6, Reason.INVALID_DATE)]
    assert upload.progress()["rows_done"] == 2500
    assert count(Graduate) == 0 and count_events(EventAction.LEDGER_UPLOADED) == 1
    assert count_events(EventAction.LEDGER_PREVIEWED) == 1
    assert ledger_upload.run_pending() == 0


def test_commit_opens_the_cases_in_the_job_and_deletes_the_file(actor):
    batch = _upload(actor, csv_bytes(8, edits=BAD_ROWS))
    ledger_upload.run_pending()
    upload = ledger_upload.request_commit(batch.id, actor)
    assert (upload.job.kind, upload.job.state, upload.batch.status) == ("commit", "queued", ImportStatus.PREVIEWED)
    with pytest.raises(Conflict):
        ledger_upload.request_commit(batch.id, actor)  # asked once
    assert ledger_upload.run_pending() == 1
    db.session.expire_all()
    upload = ledger_upload.get_upload(batch.id, actor)
    assert (upload.batch.status, upload.job.state, upload.batch.accepted_rows) == (ImportStatus.COMMITTED, "done", 6)
    assert count(Case) == 6 and count(Case, Case.region_code != "220102") == 0
    assert db.session.scalar(select(ImportJob.file_encrypted).where(ImportJob.batch_id == batch.id)) is None
    assert count_events(EventAction.LEDGER_COMMIT_REQUESTED) == 1 and count_events(EventAction.LEDGER_IMPORTED) == 1
    with pytest.raises(Conflict):
        ledger_upload.discard(batch.id, actor)


def test_discard_deletes_the_file_and_opens_nothing(actor):
    batch = _upload(actor, csv_bytes(5))
    ledger_upload.run_pending()
    upload = ledger_upload.discard(batch.id, actor)
    assert upload.batch.status == ImportStatus.DISCARDED
    waiting = _upload(actor, csv_bytes(5))  # discarded before any scheduler took it: never previewed
    assert ledger_upload.discard(waiting.id, actor).batch.status == ImportStatus.DISCARDED
    assert ledger_upload.run_pending() == 0
    assert db.session.scalar(select(ImportJob.file_encrypted).where(ImportJob.batch_id == batch.id)) is None
    assert count(Case) == 0 and count_events(EventAction.LEDGER_DISCARDED) == 2
    with pytest.raises(Conflict):
        ledger_upload.request_commit(batch.id, actor)


def test_a_file_refused_whole_fails_with_the_reason_and_is_deleted(actor):
    batch = _upload(actor, "姓名,学校\r\n张伟,吉林大学\r\n".encode())
    ledger_upload.run_pending()
    db.session.expire_all()
    upload = ledger_upload.get_upload(batch.id, actor)
    assert upload.batch.status == ImportStatus.FAILED and "身份证号" in str(upload.job.error["params"])
    assert db.session.scalar(select(ImportJob.file_encrypted).where(ImportJob.batch_id == batch.id)) is None
    with pytest.raises(InvalidInput):
        _upload(actor, b"\xd0\xcf\x11\xe0old excel")  # an .xls is refused at once, nothing stored
    assert count(ImportBatch) == 1


def test_a_preview_that_dies_is_interrupted_listed_and_resumed(actor, clock, monkeypatch):
    batch = _upload(actor, csv_bytes(2200, edits=BAD_ROWS))

    def die(batch_id, rows):
        if rows >= 2000:
            raise MemoryError("the process was killed")
        original(batch_id, rows)
    original = ledger_upload._beat
    monkeypatch.setattr(ledger_upload, "_beat", die)
    ledger_upload.run_pending()
    monkeypatch.setattr(ledger_upload, "_beat", original)
    db.session.expire_all()
    upload = ledger_upload.get_upload(batch.id, actor)
    assert upload.interrupted and upload.job.rows_done == 1000 and not upload.working
    assert [u.id for u in ledger_upload.list_uploads(actor, interrupted_only=True).uploads] == [batch.id]
    assert ledger_upload.run_pending() == 0  # never retried behind anyone's back
    ledger_upload.resume(batch.id, actor)
    assert count(ImportRejection, ImportRejection.batch_id == batch.id) == 0
    ledger_upload.run_pending()
    db.session.expire_all()
    upload = ledger_upload.get_upload(batch.id, actor)
    assert (upload.batch.status, upload.batch.total_rows, upload.batch.rejected_rows) == (
        ImportStatus.PREVIEWED, 2200, 2)
    assert reasons(batch.id) == [(3, Reason.INVALID_ID), (6, Reason.INVALID_DATE)]  # each refused row once


def test_a_job_without_heartbeat_counts_as_interrupted_and_can_be_discarded(actor, clock):
    batch = _upload(actor, csv_bytes(3))
    assert ledger_upload._claim(batch.id)  # a scheduler took it, then its process died
    db.session.expire_all()
    assert not ledger_upload.get_upload(batch.id, actor).interrupted
    with pytest.raises(Conflict):
        ledger_upload.discard(batch.id, actor)  # still working as far as anyone knows
    clock.advance(timedelta(minutes=6))
    assert ledger_upload.get_upload(batch.id, actor).interrupted
    assert ledger_upload.list_uploads(actor, interrupted_only=True).paging.total == 1
    assert ledger_upload.discard(batch.id, actor).batch.status == ImportStatus.DISCARDED


def test_an_interrupted_commit_rolls_back_whole_and_is_resumed(actor, monkeypatch):
    batch = _upload(actor, csv_bytes(6))
    ledger_upload.run_pending()
    ledger_upload.request_commit(batch.id, actor)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")
    monkeypatch.setattr("caseflow.services.cases.open_cases", broken)
    ledger_upload.run_pending()
    monkeypatch.undo()
    db.session.expire_all()
    upload = ledger_upload.get_upload(batch.id, actor)
    assert upload.interrupted and upload.batch.status == ImportStatus.PREVIEWED and count(Case) == 0
    ledger_upload.resume(batch.id, actor)
    ledger_upload.run_pending()
    db.session.expire_all()
    assert ledger_upload.get_upload(batch.id, actor).batch.status == ImportStatus.COMMITTED and count(Case) == 6


def test_a_county_supervisor_imports_only_rows_of_their_county(staff):
    county = accounts.actor_for(staff["nanguan_sup"])
    edits = {0: {"residence_area_code": "220103", "hukou_area_code": "220103"},
             2: {"residence_area_code": "220103"}}
    batch = _upload(county, csv_bytes(5, edits=edits))
    ledger_upload.run_pending()
    db.session.expire_all()
    assert reasons(batch.id) == [(2, Reason.OUTSIDE_REGION), (4, Reason.OUTSIDE_REGION)]
    ledger_upload.request_commit(batch.id, county)
    ledger_upload.run_pending()
    assert count(Case) == 3 and count(Case, Case.region_code == "220102") == 3

    other = accounts.actor_for(staff["kuancheng_sup"])  # another county does not see the upload
    with pytest.raises(NotFound):
        ledger_upload.get_upload(batch.id, other)
    assert ledger_upload.list_uploads(other).paging.total == 0
    city = accounts.actor_for(staff["changchun_sup"])  # the city sees its counties' uploads
    assert ledger_upload.list_uploads(city).paging.total == 1
    with pytest.raises(NotAllowed):
        ledger_upload.list_uploads(accounts.actor_for(staff["nanguan_cw1"]))


def test_a_city_supervisor_imports_rows_of_every_county_of_the_city(staff):
    city = accounts.actor_for(staff["changchun_sup"])
    edits = {0: {"residence_area_code": "220103"}, 1: {"residence_area_code": "420102", "hukou_area_code": "420102"}}
    batch = _upload(city, csv_bytes(3, edits=edits))
    ledger_upload.run_pending()
    assert reasons(batch.id) == [(3, Reason.OUTSIDE_REGION)]


def test_the_upload_is_encrypted_at_rest(actor, app, database_url):
    data = csv_bytes(20)
    id_numbers = [row[0] for row in ledger_rows(20)]
    batch = _upload(actor, data)
    ledger_upload.run_pending()
    token = db.session.scalar(select(ImportJob.file_encrypted).where(ImportJob.batch_id == batch.id))
    assert token and all(number.encode() not in token for number in id_numbers)
    assert all(number not in _every_value() for number in id_numbers)
    assert all(not _on_disk(number.encode(), app, database_url) for number in id_numbers)
    ledger_upload.request_commit(batch.id, actor)
    ledger_upload.run_pending()
    assert count(Graduate) == 20
    assert all(number not in _every_value() for number in id_numbers)  # graduates: encrypted, hashed, masked
    assert all(not _on_disk(number.encode(), app, database_url) for number in id_numbers)


def _every_value() -> str:
    """Every value of every table, as text."""
    texts = []
    for table in inspect(db.engine).get_table_names():
        for row in db.session.execute(db.text(f'SELECT * FROM "{table}"')):  # noqa: S608 (table names only)
            texts.extend(str(value) for value in row)
    return "\n".join(texts)


def _on_disk(needle: bytes, app, database_url: str) -> bool:
    """The bytes appear in a file of the instance folder or of the SQLite database's folder."""
    folders = [Path(app.instance_path)]
    if database_url.startswith("sqlite:///"):
        folders.append(Path(database_url.removeprefix("sqlite:///")).parent)
    return any(needle in path.read_bytes() for folder in folders if folder.exists()
               for path in folder.rglob("*") if path.is_file())


def test_same_validation_as_the_cli(actor, uploads):
    data = csv_bytes(12, edits=BAD_ROWS)
    path = uploads.parent / "l.csv"
    path.write_bytes(data)
    cli = handover.preview_ledger(path, cohort=2026, actor=actor)
    batch = _upload(actor, data)
    ledger_upload.run_pending()
    assert reasons(batch.id) == reasons(cli.id)


def test_the_scheduler_runs_queued_uploads_in_its_own_thread(actor, app):
    import time

    from caseflow import scheduler

    app.config["CASEFLOW_LEDGER_JOB_SECONDS"] = 1
    batch_id = _upload(actor, csv_bytes(30)).id
    db.session.remove()
    jobs = scheduler.start_ledger_jobs(app)
    try:
        assert [job.id for job in jobs.get_jobs()] == ["ledger-uploads", "simulations"]
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            status = db.session.scalar(select(ImportBatch.status).where(ImportBatch.id == batch_id))
            db.session.remove()
            if status == ImportStatus.PREVIEWED:
                break
            time.sleep(0.2)
    finally:
        jobs.shutdown(wait=True)
    assert status == ImportStatus.PREVIEWED


def test_an_xlsx_upload_is_read_in_memory_like_the_cli_reads_the_file(staff, uploads):
    province = accounts.actor_for(staff["admin"])  # the province (22): every row of a Jilin ledger is its own
    path = synth.write_ledger_xlsx(uploads.parent / "l.xlsx", 300, seed=3)
    cli = handover.preview_ledger(path, cohort=2026, actor=province)
    batch = ledger_upload.start_upload(path.read_bytes(), file_name="l.xlsx", cohort=2026, actor=province)
    assert db.session.get(ImportJob, batch.id).rows_expected is None  # openpyxl states no size: counted by the job
    ledger_upload.run_pending()
    db.session.expire_all()
    assert db.session.get(ImportJob, batch.id).rows_expected == 300
    batch = db.session.get(ImportBatch, batch.id)
    assert (batch.status, batch.total_rows, batch.accepted_rows, batch.summary["format"]) == (
        ImportStatus.PREVIEWED, cli.total_rows, cli.accepted_rows, "xlsx")
    assert batch.total_rows == 300 and reasons(batch.id) == reasons(cli.id)
