"""Ledger handover: preview a file (every row validated and deduplicated, refused rows recorded), then commit
it once, opening a case per accepted row — all of the file or none of it.

The file is streamed twice (preview, commit) and never held in memory; existing graduates are looked up by
keyed hash in chunks, refused rows are written in chunks with executemany.
"""

import hashlib
import os
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

from flask import current_app
from sqlalchemy import and_, bindparam, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from caseflow.domain.actor import Actor
from caseflow.domain.enums import EventAction, ImportStatus
from caseflow.domain.graduates import NewGraduate, route
from caseflow.domain.ledger import REASON_LABELS, Reason, RowError, field_label, screen_rows
from caseflow.domain.ledger_files import detect_format, read_rows
from caseflow.domain.masking import shown
from caseflow.errors import N_, Conflict, InvalidInput, NotFound
from caseflow.extensions import db
from caseflow.models import Case, Graduate, ImportBatch, ImportRejection
from caseflow.services import cases, protection
from caseflow.services.clock import now as clock_now
from caseflow.services.workflow import committing, log_event

HASH_CHUNK = 1000  # existing graduates looked up this many keyed hashes at a time
REJECTION_CHUNK = 1000
PROGRESS_EVERY = 1000  # rows read between two progress reports of a background upload
COMMIT_CHUNK = 5000  # graduates handed to open_cases per call (it batches its inserts by 500 itself)
SUFFIXES = frozenset({".csv", ".txt", ".xlsx"})
GRADUATE, BATCH, REJECTION, CASE = Graduate.__table__, ImportBatch.__table__, ImportRejection.__table__, Case.__table__
DETAIL_LENGTH = 500

BATCH_NOT_FOUND = N_("import batch not found")
NOT_PREVIEWED = N_("import batch %(batch)s is %(status)s; only a previewed batch can be committed")
FILE_GONE = N_("the file of import batch %(batch)s is no longer stored; upload it again")
RACED = N_("another import handed over some of these graduates meanwhile; commit batch %(batch)s again")

# handed over in this cohort, or in another one with the case still open (closed cases may start anew)
_EXISTING = (select(GRADUATE.c.id_hash, GRADUATE.c.import_batch_id, GRADUATE.c.cohort)
             .join(CASE, CASE.c.graduate_id == GRADUATE.c.id, isouter=True)
             .where(GRADUATE.c.id_hash.in_(bindparam("hashes", expanding=True)),
                    or_(GRADUATE.c.cohort == bindparam("cohort"),
                        and_(CASE.c.id.is_not(None), CASE.c.closed_at.is_(None)))))
_INSERT_REJECTIONS = insert(REJECTION)
_CLAIM = update(BATCH).where(BATCH.c.id == bindparam("b_id"), BATCH.c.status == ImportStatus.PREVIEWED)


def upload_dir() -> Path:
    """Where uploaded ledgers wait between preview and commit: instance/uploads unless configured."""
    configured = current_app.config.get("CASEFLOW_UPLOAD_DIR")
    path = Path(configured) if configured else Path(current_app.instance_path, "uploads")
    path.mkdir(parents=True, exist_ok=True)
    return path


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _store(source: Path, file_name: str) -> tuple[Path, str]:
    """Keep the upload as uploads/<sha256><ext> (content-addressed: the same file is stored once)."""
    sha = file_sha256(source)
    suffix = Path(file_name).suffix.lower()
    if suffix not in SUFFIXES:
        suffix = ".xlsx" if detect_format(source)[0] == "xlsx" else ".csv"
    stored = upload_dir() / f"{sha}{suffix}"
    if not stored.exists():
        handle, partial = tempfile.mkstemp(dir=stored.parent, prefix=sha, suffix=".part")
        os.close(handle)
        shutil.copyfile(source, partial)
        Path(partial).replace(stored)  # atomic: a concurrent preview of the same file sees all of it or none
    return stored, sha


class _Rejections:
    """Refused rows of one batch, counted by reason and written in chunks; `only` limits which are written."""

    def __init__(self, batch_id: int, only: Reason | None = None, known: frozenset[int] = frozenset()):
        self.batch_id, self.only, self.known = batch_id, only, known
        self.rows = 0
        self.reasons: Counter[str] = Counter()
        self._buffer: list[dict] = []

    def add(self, row_number: int, errors: list[RowError]) -> None:
        self.rows += 1
        for error in errors:
            if self.only and (error.reason != self.only or row_number in self.known):
                continue
            self.reasons[error.reason] += 1
            self._buffer.append({"batch_id": self.batch_id, "row_number": row_number, "field": error.field,
                                 "reason": error.reason, "detail": report_detail(error.detail)})
        if len(self._buffer) >= REJECTION_CHUNK:
            self.flush()

    def flush(self) -> None:
        if self._buffer:
            db.session.connection().execute(_INSERT_REJECTIONS, self._buffer)
            self._buffer = []


def report_detail(detail: str | None) -> str | None:
    """A rejection's detail as stored and reported: ID and phone numbers masked, control characters shown as
    U+XXXX (PostgreSQL refuses NUL), cut to the column's length."""
    return shown(detail, DETAIL_LENGTH) if detail else None


def _existing(hashes: list[str], cohort: int) -> dict[str, str]:
    """Keyed hash → where that ID number was handed over before (this cohort first, else an open case)."""
    found: dict[str, str] = {}
    for digest, batch_id, their_cohort in db.session.connection().execute(
            _EXISTING, {"cohort": cohort, "hashes": hashes}):
        where = f"batch {batch_id}" if batch_id else "handed over"
        if their_cohort == cohort:
            found[digest] = where
        else:
            found.setdefault(digest, f"{where}, cohort {their_cohort}, case open")
    return found


def _not_existing(pending: list[tuple[int, NewGraduate]], cohort: int,
                  rejections: _Rejections) -> Iterator[NewGraduate]:
    """The pending graduates not handed over already (in this cohort, or with a case open in another one); the
    others are refused as duplicates."""
    if not pending:
        return
    hashes = [protection.id_hash(graduate.id_number) for _, graduate in pending]
    existing = _existing(hashes, cohort)
    for (number, graduate), digest in zip(pending, hashes, strict=True):
        if digest in existing:
            rejections.add(number, [RowError("id_number", Reason.DUPLICATE_EXISTING, existing[digest])])
        else:
            yield graduate


class RegionScope:
    """Where the cases of an importer's rows would go, by the same routing as cases.open_cases: a row whose case
    would land outside the importer's region (a county supervisor importing another county's graduate) is
    refused as `outside_region`. Region '' (the CLI, an administrator) takes every row."""

    def __init__(self, region_code: str, province: str | None = None):
        self.region_code = region_code
        self.routing = cases.Routing(province=province or region_code[:2] or None) if region_code else None

    def destination(self, graduate: NewGraduate) -> str:
        county = route(graduate, self.routing.counties)
        return county or self.routing.pool(graduate)[0] or ""

    def refusal(self, graduate: NewGraduate) -> RowError | None:
        if self.routing is None:
            return None
        destination = self.destination(graduate)
        if destination.startswith(self.region_code):
            return None
        return RowError(None, Reason.OUTSIDE_REGION, f"{destination or '-'} ∉ {self.region_code}")


def _counted(rows: Iterator[tuple[int, dict]], progress) -> Iterator[tuple[int, dict]]:
    """The rows as read, telling `progress(rows read)` every PROGRESS_EVERY rows."""
    count = 0
    for item in rows:
        yield item
        count += 1
        if count % PROGRESS_EVERY == 0:
            progress(count)
    progress(count)


def _screen(path, cohort: int, rejections: _Rejections, *, scope: RegionScope | None = None,
            progress=None) -> Iterator[NewGraduate]:
    """The graduates of the file that may be opened: valid for the cohort, first of their ID in the file, inside
    the importer's region (`scope`), not handed over already (in the cohort, or with a case open in another).
    `progress(rows read)` is called every PROGRESS_EVERY rows if given."""
    pending: list[tuple[int, NewGraduate]] = []
    rows = read_rows(path)
    for number, graduate, errors in screen_rows(_counted(rows, progress) if progress else rows, cohort=cohort):
        if not errors and scope is not None and (outside := scope.refusal(graduate)):
            errors = [outside]
        if errors:
            rejections.add(number, errors)
            continue
        pending.append((number, graduate))
        if len(pending) >= HASH_CHUNK:
            yield from _not_existing(pending, cohort, rejections)
            pending = []
    yield from _not_existing(pending, cohort, rejections)


def _forget_upload(stored: Path, sha: str) -> None:
    if db.session.scalar(select(ImportBatch.id).where(ImportBatch.sha256 == sha).limit(1)) is None:
        stored.unlink(missing_ok=True)


def preview_ledger(path: str | Path, *, cohort: int, actor: Actor, file_name: str | None = None) -> ImportBatch:
    """Validate a ledger without importing it: a PREVIEWED batch with counts and a row-level rejection list.

    A file that cannot be read as a ledger (columns, encoding, empty) raises InvalidInput and leaves nothing."""
    source = Path(path)
    name = shown(file_name or source.name, 255)  # stored and reported: no NUL for PostgreSQL, no ID number
    stored, sha = _store(source, name)
    try:
        with committing():
            batch = ImportBatch(file_name=name[:255], sha256=sha, cohort=cohort, status=ImportStatus.PREVIEWED,
                                uploaded_by=actor.user_id, uploaded_at=clock_now(), summary={})
            db.session.add(batch)
            db.session.flush()
            screen_batch(batch, stored)
            batch.summary = {"stored_as": stored.name, **batch.summary}
    except InvalidInput:
        _forget_upload(stored, sha)
        raise
    return batch


def screen_batch(batch: ImportBatch, source, *, scope: RegionScope | None = None, progress=None) -> None:
    """Validate the file into the (flushed) batch, in the caller's transaction: the refused rows recorded, the
    counts and the summary set. `progress(rows read)`, if given, is called every PROGRESS_EVERY rows with the
    refused rows so far flushed (a background job commits there, so the page polling it sees them)."""
    rejections = _Rejections(batch.id)

    def tick(rows: int) -> None:
        rejections.flush()
        progress(rows)

    accepted = sum(1 for _ in _screen(source, batch.cohort, rejections, scope=scope,
                                      progress=tick if progress else None))
    rejections.flush()
    batch.total_rows, batch.accepted_rows = accepted + rejections.rows, accepted
    batch.rejected_rows = rejections.rows
    batch.summary = {"format": _describe(source), "reasons": dict(rejections.reasons),
                     "same_file_committed": _committed_before(batch.sha256, batch.cohort)}


def _describe(stored) -> str:
    kind, encoding = detect_format(stored)
    return f"{kind} {encoding}" if encoding else kind


def _committed_before(sha: str, cohort: int) -> list[int]:
    """Batches that already committed this very file to the cohort (re-importing it changes nothing)."""
    return list(db.session.scalars(select(ImportBatch.id).where(
        ImportBatch.sha256 == sha, ImportBatch.cohort == cohort, ImportBatch.status == ImportStatus.COMMITTED)))


def get_batch_or_raise(batch_id: int) -> ImportBatch:
    batch = db.session.get(ImportBatch, batch_id)
    if batch is None:
        raise NotFound(BATCH_NOT_FOUND)
    return batch


def _chunks(graduates: Iterator[NewGraduate], size: int) -> Iterator[list[NewGraduate]]:
    chunk: list[NewGraduate] = []
    for graduate in graduates:
        chunk.append(graduate)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _duplicates_at_preview(batch_id: int) -> frozenset[int]:
    return frozenset(db.session.scalars(select(ImportRejection.row_number).where(
        ImportRejection.batch_id == batch_id, ImportRejection.reason == Reason.DUPLICATE_EXISTING)))


def _claim(batch_id: int, now) -> None:
    """Mark the batch committed first: a second, concurrent commit waits on the row, then finds it taken."""
    claimed = db.session.connection().execute(_CLAIM, {"b_id": batch_id, "status": ImportStatus.COMMITTED,
                                                       "committed_at": now})
    if claimed.rowcount != 1:
        raise Conflict(NOT_PREVIEWED, batch=batch_id, status=ImportStatus.COMMITTED)


def commit_ledger(batch_id: int, *, actor: Actor, province: str | None = None, source=None,
                  scope: RegionScope | None = None, progress=None) -> ImportBatch:
    """Import a previewed ledger in one transaction: a case per accepted row, or nothing if anything fails.

    Rows handed over by someone else since the preview are skipped and recorded as duplicates; graduates from
    outside the installation's provinces wait in the pool of the importing `province` (see cases.open_cases).
    `source` is the file when it is not stored in the upload folder (a browser upload, decrypted in memory),
    `scope` the importer's region (rows outside it were refused at preview), `progress` as for _screen."""
    batch = get_batch_or_raise(batch_id)
    if batch.status != ImportStatus.PREVIEWED:
        raise Conflict(NOT_PREVIEWED, batch=batch_id, status=batch.status)
    if source is None:
        source = upload_dir() / (batch.summary or {}).get("stored_as", "")
        if not source.is_file():
            raise Conflict(FILE_GONE, batch=batch_id)
    now = clock_now()
    try:
        with committing():
            _claim(batch_id, now)
            late = _Rejections(batch_id, only=Reason.DUPLICATE_EXISTING, known=_duplicates_at_preview(batch_id))
            screened = _screen(source, batch.cohort, late, scope=scope, progress=progress)
            opened = sum(cases.open_cases(chunk, cohort=batch.cohort, actor=actor, batch_id=batch_id, now=now,
                                          province=province)
                         for chunk in _chunks(screened, COMMIT_CHUNK))
            late.flush()
            _record_commit(batch, opened=opened, total=opened + late.rows, late=late)
            log_event(actor=actor, action=EventAction.LEDGER_IMPORTED, now=now, batch=batch_id, opened=opened,
                      rejected=batch.rejected_rows, skipped_at_commit=sum(late.reasons.values()))
    except IntegrityError as exc:
        # a concurrent import committed one of our graduates after we checked: (cohort, id_hash) is unique
        raise Conflict(RACED, batch=batch_id) from exc
    return batch


def _record_commit(batch: ImportBatch, *, opened: int, total: int, late: _Rejections) -> None:
    """Counts as committed: total = accepted + rejected, with rows that became duplicates since the preview."""
    db.session.refresh(batch)
    summary = dict(batch.summary or {})
    reasons = Counter(summary.get("reasons", {}))
    reasons.update(late.reasons)
    summary.update(reasons=dict(reasons), skipped_at_commit=sum(late.reasons.values()), opened=opened)
    batch.total_rows, batch.accepted_rows, batch.rejected_rows = total, opened, total - opened
    batch.summary = summary


def safe_cell(value):
    """A value safe to put in a spreadsheet cell: text a spreadsheet would run as a formula gets a leading quote."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


REPORT_HEADER = ("行号", "字段", "原因", "原因代码", "说明")


def rejection_report(batch_id: int) -> bytes:
    """The refused rows of a batch as an XLSX workbook: row number, column, reason (Chinese and code), detail."""
    from openpyxl import Workbook

    batch = get_batch_or_raise(batch_id)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("拒绝明细")
    sheet.append(REPORT_HEADER)
    rows = db.session.execute(select(ImportRejection.row_number, ImportRejection.field, ImportRejection.reason,
                                     ImportRejection.detail)
                              .where(ImportRejection.batch_id == batch_id)
                              .order_by(ImportRejection.row_number, ImportRejection.id)
                              .execution_options(yield_per=2000))
    for number, field, reason, detail in rows:
        label = REASON_LABELS.get(reason, reason)
        sheet.append([number, *(safe_cell(v) for v in (field_label(field), label, reason, detail or ""))])
    summary = workbook.create_sheet("汇总")
    for key, value in (("文件", batch.file_name), ("SHA-256", batch.sha256), ("届别", batch.cohort),
                       ("状态", batch.status), ("总行数", batch.total_rows), ("接收", batch.accepted_rows),
                       ("拒绝", batch.rejected_rows)):
        summary.append([key, safe_cell(value)])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def list_rejections(batch_id: int, *, limit: int = 100, offset: int = 0) -> list[ImportRejection]:
    """A page of a batch's refused rows, in file order."""
    return list(db.session.scalars(select(ImportRejection).where(ImportRejection.batch_id == batch_id)
                                   .order_by(ImportRejection.row_number, ImportRejection.id)
                                   .limit(limit).offset(offset)))
