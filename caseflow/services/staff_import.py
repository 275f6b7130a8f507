"""Importing a whole city's staff from a CSV or XLSX file: every row checked, a row-level report that echoes cells
masked (and never a password), and the accounts added all at once only when no row is refused. Imported accounts
must change their password at the first sign-in."""

import hashlib
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import generate_password_hash

from caseflow.domain.actor import Actor
from caseflow.domain.enums import EventAction
from caseflow.domain.staff import FieldError, StaffRow, screen_staff, temporary_password
from caseflow.domain.staff_files import read_staff
from caseflow.errors import N_, Conflict
from caseflow.extensions import db
from caseflow.models import Region, User, UserRole
from caseflow.services.accounts import check_administrator
from caseflow.services.clock import now as clock_now
from caseflow.services.workflow import committing, log_event


@dataclass
class StaffReport:
    """What an import found: accepted + refused rows = total; `imported` is 0 unless every row was accepted and
    the import was not a check only. `temporary` holds (user name, made-up password) to hand out, once."""

    file_name: str
    total: int = 0
    accepted: int = 0
    refused: list[tuple[int, FieldError]] = field(default_factory=list)
    refused_rows: int = 0
    imported: int = 0
    check_only: bool = False
    temporary: list[tuple[str, str]] = field(default_factory=list)


def _screen(data: bytes, actor: Actor, report: StaffReport) -> list[StaffRow]:
    rows = read_staff(data)
    regions = dict(db.session.execute(select(Region.code, Region.level)).all())
    names = [row.get("username", "").lower() for _, row in rows]
    taken = set(db.session.scalars(select(func.lower(User.username)).where(func.lower(User.username).in_(names))))
    accepted = []
    for number, account, errors in screen_staff(rows, regions=regions, region_prefix=actor.region_code, taken=taken):
        if errors:
            report.refused += [(number, error) for error in errors]
            report.refused_rows += 1
        else:
            accepted.append(account)
    report.total, report.accepted = len(rows), len(accepted)
    return accepted


def _insert(accounts: list[StaffRow]) -> list[tuple[str, str]]:
    """Insert the accounts and their roles; return the made-up passwords of rows that brought none."""
    method = current_app.config["CASEFLOW_PASSWORD_METHOD"]
    temporary = [(account.username, temporary_password()) for account in accounts if not account.password]
    made_up = dict(temporary)
    ids = db.session.execute(insert(User).returning(User.id, sort_by_parameter_order=True), [
        {"username": account.username, "display_name": account.display_name, "region_code": account.region_code,
         "password_hash": generate_password_hash(account.password or made_up[account.username], method=method),
         "active": True, "must_change_password": True, "session_generation": 0} for account in accounts]).scalars()
    db.session.execute(insert(UserRole), [{"user_id": user_id, "role": role.value}
                                          for user_id, account in zip(ids, accounts, strict=True)
                                          for role in sorted(account.roles)])
    return temporary


def import_staff(data: bytes, *, file_name: str, actor: Actor, check_only: bool = False) -> StaffReport:
    """Check a staff file and, unless `check_only` or a row is refused, add all its accounts in one transaction.
    A file that cannot be read as a staff list raises InvalidInput and changes nothing."""
    check_administrator(actor)
    report = StaffReport(file_name="".join(c for c in file_name if c.isprintable())[:255], check_only=check_only)
    accounts = _screen(data, actor, report)
    if check_only or report.refused_rows:
        return report
    try:
        with committing():
            report.temporary = _insert(accounts)
            log_event(actor=actor, action=EventAction.USERS_IMPORTED, now=clock_now(), file=report.file_name,
                      sha256=hashlib.sha256(data).hexdigest(), rows=report.total, imported=len(accounts),
                      users=[account.username for account in accounts][:500])
    except IntegrityError as exc:  # someone added one of these names since the file was checked
        raise Conflict(N_("an account of the file was added meanwhile; import the file again")) from exc
    report.imported = len(accounts)
    return report
