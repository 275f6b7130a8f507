"""The ledger uploaded in the browser: every use case of a browser (or, later, API) upload in one module.

A supervisor uploads a file (`start_upload`): it is encrypted with the data key (services.protection, the key
that protects ID numbers) and stored in the database with a QUEUED batch and a preview job. The scheduler process
(`run_pending`, polled by caseflow.scheduler; the dev server runs the same scheduler in-process) decrypts it in
memory — it never reaches the disk in plaintext — and previews it with the CLI's validation
(services.handover), committing the refused rows and the progress every PROGRESS_EVERY rows. The previewed batch
waits until someone commits (`request_commit`, again a job: one transaction, as the CLI's commit) or discards
it; then the encrypted file is deleted. A job whose process died (no heartbeat for CASEFLOW_LEDGER_JOB_STALE_SECONDS)
or that stopped on an unexpected error is interrupted: listed, and resumed or discarded by hand.

Region scope: a supervisor imports only rows whose case would go to their own region (handover.RegionScope) and
sees only uploads made for their region."""

import hashlib
import logging
import re
import zipfile
from dataclasses import dataclass
from datetime import timedelta
from io import BytesIO

from flask import current_app
from sqlalchemy import delete, func, select, update

from caseflow.domain.actor import Actor
from caseflow.domain.enums import EventAction, ImportStatus
from caseflow.domain.ledger_files import MemoryFile, detect_format
from caseflow.domain.masking import shown
from caseflow.domain.paging import Paging, paging
from caseflow.domain.permissions import Permission
from caseflow.errors import N_, CaseflowError, Conflict, InvalidInput, NotAllowed, NotFound
from caseflow.extensions import db
from caseflow.models import ImportBatch, ImportJob, ImportRejection, User
from caseflow.services import handover, protection
from caseflow.services.clock import now as clock_now
from caseflow.services.scope import region_clause
from caseflow.services.workflow import committing, log_event

log = logging.getLogger(__name__)

PREVIEW, COMMIT = "preview", "commit"
QUEUED, RUNNING, DONE, INTERRUPTED = "queued", "running", "done", "interrupted"
JOB = ImportJob.__table__
MIN_COHORT, MAX_COHORT = 2000, 2100

NOT_ALLOWED = N_("your role does not import ledgers")
NOT_FOUND = N_("upload not found")
EMPTY_FILE = N_("Choose a CSV or XLSX file.")
BAD_COHORT = N_("the cohort is a graduation year between %(low)s and %(high)s")
BUSY = N_("upload %(batch)s is being worked on; wait until its job finishes or is interrupted")
CANNOT_COMMIT = N_("upload %(batch)s is %(status)s; only a previewed upload can be committed")
CANNOT_DISCARD = N_("upload %(batch)s is %(status)s and can no longer be discarded")
NOT_INTERRUPTED = N_("upload %(batch)s was not interrupted")
JOB_DIED = N_("the job stopped unexpectedly (%(problem)s); resume it or discard the upload")
UPLOADER_GONE = N_("the account or token %(user)s that asked for this job no longer exists, is disabled or revoked")


@dataclass
class Upload:
    """A batch uploaded in the browser with its job, as the pages and an API show it."""

    batch: ImportBatch
    job: ImportJob
    interrupted: bool

    @property
    def id(self) -> int:
        return self.batch.id

    @property
    def working(self) -> bool:
        """A job waits or runs (the page shows progress and refreshes)."""
        return self.job.state in (QUEUED, RUNNING) and not self.interrupted

    @property
    def percent(self) -> int | None:
        expected = self.job.rows_expected
        if self.job.state == DONE:
            return 100
        if not expected:
            return None
        return min(99, self.job.rows_done * 100 // expected)

    def progress(self) -> dict:
        """The small JSON the upload page polls."""
        return {"batch": self.id, "status": self.batch.status, "kind": self.job.kind, "state": self.job.state,
                "interrupted": self.interrupted, "working": self.working, "rows_done": self.job.rows_done,
                "rows_expected": self.job.rows_expected, "percent": self.percent,
                "total_rows": self.batch.total_rows, "accepted_rows": self.batch.accepted_rows,
                "rejected_rows": self.batch.rejected_rows}


@dataclass
class UploadPage:
    uploads: list[Upload]
    paging: Paging


@dataclass
class RejectionPage:
    rows: list[ImportRejection]
    paging: Paging


# --- access ----------------------------------------------------------------------------------------------------

def check_importer(actor: Actor) -> None:
    if not actor.may(Permission.IMPORT_LEDGER):
        raise NotAllowed(NOT_ALLOWED)


def _stale_after() -> timedelta:
    return timedelta(seconds=current_app.config["CASEFLOW_LEDGER_JOB_STALE_SECONDS"])


def _is_interrupted(job: ImportJob, now) -> bool:
    if job.state == INTERRUPTED:
        return True
    return job.state == RUNNING and (job.heartbeat_at is None or job.heartbeat_at < now - _stale_after())


def _upload(batch: ImportBatch, job: ImportJob, now=None) -> Upload:
    return Upload(batch, job, _is_interrupted(job, now or clock_now()))


def get_upload(batch_id: int, actor: Actor) -> Upload:
    """An upload made for the actor's region (others do not exist for them)."""
    check_importer(actor)
    job = db.session.get(ImportJob, batch_id)
    if job is None or not actor.covers(job.region_code):
        raise NotFound(NOT_FOUND)
    return _upload(db.session.get(ImportBatch, batch_id), job)


def list_uploads(actor: Actor, page: int = 1, *, interrupted_only: bool = False) -> UploadPage:
    """The uploads made for the actor's region, newest first, a page at a time; or only the interrupted ones."""
    check_importer(actor)
    now = clock_now()
    clauses = [region_clause(ImportJob.region_code, actor.region_code)]
    if interrupted_only:
        stale = now - _stale_after()
        clauses.append((ImportJob.state == INTERRUPTED)
                       | ((ImportJob.state == RUNNING)
                          & (ImportJob.heartbeat_at.is_(None) | (ImportJob.heartbeat_at < stale))))
    total = db.session.scalar(select(func.count()).select_from(ImportJob).where(*clauses))
    pages = paging(total, page)
    rows = db.session.execute(select(ImportBatch, ImportJob).join(ImportJob, ImportJob.batch_id == ImportBatch.id)
                              .where(*clauses).order_by(ImportBatch.id.desc())
                              .limit(pages.size).offset(pages.offset)).all()
    return UploadPage([_upload(batch, job, now) for batch, job in rows], pages)


def progress(batch_id: int, actor: Actor) -> dict:
    """Where the upload's job is: status, rows read of about how many, percent (None while unknown)."""
    return get_upload(batch_id, actor).progress()


def rejections_page(batch_id: int, actor: Actor, page: int = 1) -> RejectionPage:
    """A page of the upload's refused rows, in file order, each with its reason."""
    upload = get_upload(batch_id, actor)
    total = db.session.scalar(select(func.count()).select_from(ImportRejection)
                              .where(ImportRejection.batch_id == upload.id))
    pages = paging(total, page)
    return RejectionPage(handover.list_rejections(upload.id, limit=pages.size, offset=pages.offset), pages)


def rejection_report(batch_id: int, actor: Actor) -> bytes:
    """The refused rows as an XLSX workbook (the CLI's report)."""
    return handover.rejection_report(get_upload(batch_id, actor).id)


# --- the file, encrypted ---------------------------------------------------------------------------------------

def _expected_rows(data: bytes, kind: str) -> int | None:
    """About how many data rows the file has, for the progress bar only (never trusted otherwise)."""
    if kind == "csv":
        return max(0, data.count(b"\n") - (0 if data.endswith(b"\n") else -1) - 1) or None
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive, archive.open("xl/worksheets/sheet1.xml") as sheet:
            head = sheet.read(4096)
    except (KeyError, zipfile.BadZipFile, OSError, RuntimeError):
        return None
    found = re.search(rb'<(?:\w+:)?dimension ref="[A-Z]+\d+:[A-Z]+(\d+)"', head)
    return max(0, int(found.group(1)) - 1) or None if found else None


def _counted_sheet_rows(data: bytes) -> int | None:
    """The rows of the first sheet, counted by their closing tags as the sheet is unpacked (for a workbook that
    states no size, e.g. one written by a program): the job's first step, not the web request's."""
    closing = re.compile(rb"</(?:\w+:)?row>")
    rows, carried = 0, b""
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive, archive.open("xl/worksheets/sheet1.xml") as sheet:
            while chunk := sheet.read(1 << 20):
                window = carried + chunk
                rows += len(closing.findall(window))
                cut = window.rfind(b"<")  # a tag cut in two is counted with the next chunk
                carried = window[cut:] if cut >= 0 and b">" not in window[cut:] else b""
    except (KeyError, zipfile.BadZipFile, OSError, RuntimeError, EOFError):
        return None
    return max(0, rows - 1) or None


def _encrypt(data: bytes) -> bytes:
    return protection.encrypt_bytes(data)


def _source(batch_id: int, file_name: str) -> MemoryFile:
    token = db.session.scalar(select(ImportJob.file_encrypted).where(ImportJob.batch_id == batch_id))
    if token is None:
        raise Conflict(handover.FILE_GONE, batch=batch_id)
    return MemoryFile(protection.decrypt_bytes(token), file_name)


# --- use cases -------------------------------------------------------------------------------------------------

def start_upload(data: bytes, *, file_name: str, cohort: int, actor: Actor) -> ImportBatch:
    """Keep an uploaded ledger encrypted and queue its preview; returns the QUEUED batch at once."""
    check_importer(actor)
    if not data:
        raise InvalidInput(EMPTY_FILE)
    if not MIN_COHORT <= cohort <= MAX_COHORT:
        raise InvalidInput(BAD_COHORT, low=MIN_COHORT, high=MAX_COHORT)
    kind, _ = detect_format(MemoryFile(data))  # an old .xls workbook is refused at once
    name = shown(file_name or "upload", 255)[:255]
    now = clock_now()
    with committing():
        batch = ImportBatch(file_name=name, sha256=hashlib.sha256(data).hexdigest(), cohort=cohort,
                            status=ImportStatus.QUEUED, uploaded_by=actor.user_id, uploaded_at=now, summary={})
        db.session.add(batch)
        db.session.flush()
        db.session.add(ImportJob(batch_id=batch.id, region_code=actor.region_code,
                                 province=actor.region_code[:2] or None, kind=PREVIEW, state=QUEUED,
                                 requested_by=actor.user_id, rows_done=0, rows_expected=_expected_rows(data, kind),
                                 file_size=len(data), file_encrypted=_encrypt(data)))
        log_event(actor=actor, action=EventAction.LEDGER_UPLOADED, now=now, batch=batch.id, file=name,
                  cohort=cohort, bytes=len(data), region=actor.region_code)
    return batch


def request_commit(batch_id: int, actor: Actor) -> Upload:
    """Queue the commit of a previewed upload (the scheduler process opens the cases in one transaction)."""
    upload = get_upload(batch_id, actor)
    if upload.batch.status != ImportStatus.PREVIEWED or upload.job.kind != PREVIEW or upload.job.state != DONE:
        raise Conflict(CANNOT_COMMIT, batch=batch_id, status=_status_text(upload))
    now = clock_now()
    with committing():
        claimed = db.session.execute(update(JOB).where(JOB.c.batch_id == batch_id, JOB.c.kind == PREVIEW,
                                                       JOB.c.state == DONE)
                                     .values(kind=COMMIT, state=QUEUED, requested_by=actor.user_id, rows_done=0,
                                             heartbeat_at=None, error=None))
        if claimed.rowcount != 1:
            raise Conflict(CANNOT_COMMIT, batch=batch_id, status=_status_text(upload))
        log_event(actor=actor, action=EventAction.LEDGER_COMMIT_REQUESTED, now=now, batch=batch_id)
    db.session.expire_all()
    return get_upload(batch_id, actor)


def discard(batch_id: int, actor: Actor) -> Upload:
    """Give up an upload that is not committed (waiting, previewed, refused or interrupted, not while a job runs):
    its file is deleted."""
    upload = get_upload(batch_id, actor)
    if upload.batch.status not in (ImportStatus.QUEUED, ImportStatus.PREVIEWED, ImportStatus.FAILED):
        raise Conflict(CANNOT_DISCARD, batch=batch_id, status=_status_text(upload))
    if upload.job.state == RUNNING and not upload.interrupted:
        raise Conflict(BUSY, batch=batch_id)
    now = clock_now()
    with committing():  # only if no scheduler claimed the job meanwhile
        done = db.session.execute(update(JOB).where(JOB.c.batch_id == batch_id, JOB.c.state == upload.job.state)
                                  .values(state=DONE, file_encrypted=None))
        if done.rowcount != 1:
            raise Conflict(BUSY, batch=batch_id)
        upload.batch.status = ImportStatus.DISCARDED
        log_event(actor=actor, action=EventAction.LEDGER_DISCARDED, now=now, batch=batch_id)
    db.session.expire_all()
    return get_upload(batch_id, actor)


def resume(batch_id: int, actor: Actor) -> Upload:
    """Queue an interrupted job again: a preview starts over, a commit (rolled back whole) is tried again."""
    upload = get_upload(batch_id, actor)
    if not upload.interrupted:
        raise Conflict(NOT_INTERRUPTED, batch=batch_id)
    now = clock_now()
    with committing():
        again = db.session.execute(update(JOB).where(JOB.c.batch_id == batch_id, JOB.c.state == upload.job.state)
                                   .values(state=QUEUED, rows_done=0, heartbeat_at=None, error=None,
                                           requested_by=actor.user_id))
        if again.rowcount != 1:
            raise Conflict(BUSY, batch=batch_id)
        if upload.job.kind == PREVIEW:
            _reset_preview(upload.batch)
        log_event(actor=actor, action=EventAction.LEDGER_RESUMED, now=now, batch=batch_id, job=upload.job.kind)
    db.session.expire_all()
    return get_upload(batch_id, actor)


def _reset_preview(batch: ImportBatch) -> None:
    db.session.execute(delete(ImportRejection).where(ImportRejection.batch_id == batch.id))
    batch.status = ImportStatus.QUEUED
    batch.total_rows = batch.accepted_rows = batch.rejected_rows = 0
    batch.summary = {}


def _status_text(upload: Upload) -> str:
    return INTERRUPTED if upload.interrupted else f"{upload.batch.status}"


# --- the background job (the scheduler process) ----------------------------------------------------------------

def run_pending(limit: int | None = None) -> int:
    """Run queued jobs, oldest first, until none is left (or `limit` ran); returns how many ran."""
    ran = 0
    while limit is None or ran < limit:
        batch_id = db.session.scalar(select(ImportJob.batch_id).where(ImportJob.state == QUEUED)
                                     .order_by(ImportJob.batch_id).limit(1))
        db.session.rollback()
        if batch_id is None:
            break
        if _claim(batch_id):
            run_job(batch_id)
            ran += 1
    return ran


def _claim(batch_id: int) -> bool:
    """Take a queued job for this process (another scheduler may race for it)."""
    with committing():
        claimed = db.session.execute(update(JOB).where(JOB.c.batch_id == batch_id, JOB.c.state == QUEUED)
                                     .values(state=RUNNING, heartbeat_at=clock_now(), rows_done=0))
    return claimed.rowcount == 1


def run_job(batch_id: int) -> None:
    """Run a claimed job to its end; an unexpected failure leaves it interrupted (listed, resumable)."""
    job = db.session.get(ImportJob, batch_id)
    batch = db.session.get(ImportBatch, batch_id)
    try:
        actor = _requester(job)
        if job.kind == PREVIEW:
            _preview(batch, job, actor)
        else:
            _commit(batch, job, actor)
    except InvalidInput as exc:
        db.session.rollback()
        _refused(batch_id, exc)
    except Exception as exc:  # the job must not take the scheduler down; it waits, interrupted, for a person
        log.exception("ledger upload %s: %s job failed", batch_id, job.kind)
        db.session.rollback()
        problem = exc if isinstance(exc, CaseflowError) else CaseflowError(JOB_DIED, problem=type(exc).__name__)
        with committing():
            db.session.execute(update(JOB).where(JOB.c.batch_id == batch_id)
                               .values(state=INTERRUPTED, error=_error(problem)))


def _error(exc: CaseflowError) -> dict:
    return {"message": exc.message, "params": {name: str(value) for name, value in exc.params.items()}}


def _requester(job: ImportJob) -> Actor:
    from caseflow.services.accounts import actor_for
    from caseflow.services.api_tokens import ACTOR_PREFIX, active_actor

    if job.requested_by.startswith(ACTOR_PREFIX):  # uploaded through the API with an integration's token
        actor = active_actor(job.requested_by)
        if actor is None:
            raise CaseflowError(UPLOADER_GONE, user=job.requested_by)
        return actor
    user = db.session.scalar(select(User).where(User.username == job.requested_by))
    if user is None or not user.active:
        raise CaseflowError(UPLOADER_GONE, user=job.requested_by)
    return actor_for(user)


def _beat(batch_id: int, rows: int) -> None:
    db.session.execute(update(JOB).where(JOB.c.batch_id == batch_id)
                       .values(rows_done=rows, heartbeat_at=clock_now()))


def _preview(batch: ImportBatch, job: ImportJob, actor: Actor) -> None:
    batch_id = batch.id
    source = _source(batch_id, batch.file_name)
    scope = handover.RegionScope(job.region_code, job.province)
    if job.rows_expected is None and source.data.startswith(b"PK"):
        with committing():
            db.session.execute(update(JOB).where(JOB.c.batch_id == batch_id)
                               .values(rows_expected=_counted_sheet_rows(source.data)))
    db.session.execute(delete(ImportRejection).where(ImportRejection.batch_id == batch_id))

    def progress(rows: int) -> None:  # the refused rows so far and the progress, visible to the polling page
        with committing():
            _beat(batch_id, rows)

    handover.screen_batch(batch, source, scope=scope, progress=progress)
    with committing():
        batch.status = ImportStatus.PREVIEWED
        db.session.execute(update(JOB).where(JOB.c.batch_id == batch_id)
                           .values(state=DONE, rows_done=batch.total_rows, heartbeat_at=clock_now()))
        log_event(actor=actor, action=EventAction.LEDGER_PREVIEWED, now=clock_now(), batch=batch_id,
                  total=batch.total_rows, accepted=batch.accepted_rows, rejected=batch.rejected_rows)


def _side_progress(batch_id: int):
    """Progress of a commit, which runs in one transaction: written on a connection of its own so the page
    sees it. SQLite (development) allows one writer at a time, so there the commit reports nothing until done."""
    if db.engine.dialect.name == "sqlite":
        return None

    def progress(rows: int) -> None:
        with db.engine.begin() as connection:
            connection.execute(update(JOB).where(JOB.c.batch_id == batch_id)
                               .values(rows_done=rows, heartbeat_at=clock_now()))
    return progress


def _commit(batch: ImportBatch, job: ImportJob, actor: Actor) -> None:
    batch_id = batch.id
    if batch.status == ImportStatus.PREVIEWED:
        source = _source(batch_id, batch.file_name)
        scope = handover.RegionScope(job.region_code, job.province)
        try:
            handover.commit_ledger(batch_id, actor=actor, province=job.province, source=source, scope=scope,
                                   progress=_side_progress(batch_id))
        except Conflict:
            db.session.rollback()
            if db.session.get(ImportBatch, batch_id).status != ImportStatus.COMMITTED:
                raise  # e.g. a concurrent import took some graduates: resume tries again
    with committing():  # committed (now, or by a run that died before it could say so): the file goes
        db.session.execute(update(JOB).where(JOB.c.batch_id == batch_id)
                           .values(state=DONE, rows_done=db.session.get(ImportBatch, batch_id).total_rows,
                                   heartbeat_at=clock_now(), file_encrypted=None))


def _refused(batch_id: int, exc: InvalidInput) -> None:
    """The whole file was refused (columns, encoding, damage): the batch says why, and the file is deleted."""
    with committing():
        batch = db.session.get(ImportBatch, batch_id)
        db.session.execute(delete(ImportRejection).where(ImportRejection.batch_id == batch_id))
        batch.status = ImportStatus.FAILED
        batch.total_rows = batch.accepted_rows = batch.rejected_rows = 0
        db.session.execute(update(JOB).where(JOB.c.batch_id == batch_id)
                           .values(state=DONE, error=_error(exc), file_encrypted=None, heartbeat_at=clock_now()))
