"""Importing job postings from a CSV or XLSX file into the register: every row checked, a row-level report of
refused rows, and the postings added all at once only when no row is refused."""

import hashlib
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import insert, select

from caseflow.domain.actor import Actor
from caseflow.domain.enums import EventAction
from caseflow.domain.posting_files import read_postings
from caseflow.domain.postings import (
    FieldError,
    NewPosting,
    Reason,
    has_control_characters,
    posting_key,
    screen_postings,
)
from caseflow.extensions import db
from caseflow.models import JobPosting
from caseflow.services.clock import now as clock_now
from caseflow.services.postings import KnownAreas, check_editor, today
from caseflow.services.scope import region_clause
from caseflow.services.workflow import committing, log_event


@dataclass
class ImportReport:
    """What an import found: accepted + refused rows = total; `imported` is 0 unless every row was accepted
    and the import was not a check only."""

    file_name: str
    total: int = 0
    accepted: int = 0
    refused: list[tuple[int, FieldError]] = field(default_factory=list)  # (row number, error), in file order
    refused_rows: int = 0
    imported: int = 0
    check_only: bool = False


def _open_keys(actor: Actor, postings: list[NewPosting]) -> dict[tuple, int]:
    """The open postings of the region that share a closing date with the file's, by vacancy key."""
    days = sorted({posting.open_until for posting in postings})
    if not days:
        return {}
    rows = db.session.execute(select(JobPosting.id, JobPosting.employer, JobPosting.title, JobPosting.area_code,
                                     JobPosting.open_until)
                              .where(region_clause(JobPosting.area_code, actor.region_code),
                                     JobPosting.closed_at.is_(None), JobPosting.open_until.in_(days)))
    return {posting_key(employer, title, area, day): posting_id for posting_id, employer, title, area, day in rows}


def _screen(data: bytes, actor: Actor, report: ImportReport) -> list[NewPosting]:
    config = current_app.config
    rows = read_postings(data, max_bytes=config["CASEFLOW_POSTING_IMPORT_MAX_BYTES"],
                         max_rows=config["CASEFLOW_POSTING_IMPORT_MAX_ROWS"])
    accepted: list[tuple[int, NewPosting]] = []
    for number, posting, errors in screen_postings(rows, today=today(), region_prefix=actor.region_code,
                                                   known_areas=KnownAreas()):
        if errors:
            report.refused += [(number, error) for error in errors]
            report.refused_rows += 1
        else:
            accepted.append((number, posting))
    existing = _open_keys(actor, [posting for _, posting in accepted])
    fresh = []
    for number, posting in accepted:
        if posting.key() in existing:
            report.refused.append((number, FieldError(None, Reason.DUPLICATE_EXISTING, f"#{existing[posting.key()]}")))
            report.refused_rows += 1
        else:
            fresh.append(posting)
    report.refused.sort(key=lambda item: item[0])
    report.total, report.accepted = len(rows), len(fresh)
    return fresh


def import_postings(data: bytes, *, file_name: str, actor: Actor, check_only: bool = False) -> ImportReport:
    """Check an import file and, unless `check_only` or a row is refused, add all its postings in one
    transaction. A file that cannot be read as a posting list raises InvalidInput and changes nothing."""
    check_editor(actor)
    shown_name = "".join(char for char in file_name if not has_control_characters(char))[:255]
    report = ImportReport(file_name=shown_name, check_only=check_only)
    postings = _screen(data, actor, report)
    if check_only or report.refused_rows:
        return report
    now = clock_now()
    with committing():
        db.session.execute(insert(JobPosting), [{**posting.values(), "created_at": now, "created_by": actor.user_id,
                                                 "updated_at": now, "closed_at": None, "closed_by": None}
                                                for posting in postings])
        log_event(actor=actor, action=EventAction.POSTINGS_IMPORTED, now=now, file=report.file_name,
                  sha256=hashlib.sha256(data).hexdigest(), rows=report.total, imported=len(postings),
                  area=actor.region_code)
    report.imported = len(postings)
    return report
