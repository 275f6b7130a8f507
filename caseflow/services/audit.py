"""The audit log view: events filtered by user, case, action and date, scoped to the actor's region."""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, or_, select

from caseflow.domain.actor import Actor
from caseflow.domain.enums import Role
from caseflow.domain.paging import paging
from caseflow.domain.supervision import beijing_midnight
from caseflow.extensions import db
from caseflow.models import Case, EventLog, ProcessInstance
from caseflow.services.scope import region_clause
from caseflow.services.supervision import check_console


@dataclass(frozen=True)
class AuditQuery:
    user: str | None = None
    case_id: int | None = None
    action: str | None = None
    date_from: date | None = None
    date_to: date | None = None  # inclusive, Beijing days
    page: int = 1


@dataclass
class AuditPage:
    rows: list[EventLog]
    total: int
    page: int
    pages: int


def _filters(query: AuditQuery) -> list:
    clauses = []
    if query.user:
        clauses.append(EventLog.actor == query.user)
    if query.case_id is not None:
        clauses.append(EventLog.case_id == query.case_id)
    if query.action:
        clauses.append(EventLog.action == query.action)
    if query.date_from:
        clauses.append(EventLog.at >= beijing_midnight(query.date_from))
    if query.date_to:
        clauses.append(EventLog.at < beijing_midnight(query.date_to + timedelta(days=1)))
    return clauses


def _scoped(actor: Actor, *columns):
    """Administrators see every event; others the events of cases and workflows inside their region."""
    statement = select(*columns).select_from(EventLog)
    if Role.ADMIN in actor.roles:
        return statement
    return (statement.outerjoin(Case, Case.id == EventLog.case_id)
            .outerjoin(ProcessInstance, ProcessInstance.id == EventLog.instance_id)
            .where(or_(region_clause(Case.region_code, actor.region_code),
                       region_clause(ProcessInstance.region_code, actor.region_code))))


def list_events(actor: Actor, query: AuditQuery) -> AuditPage:
    """One page of the audit trail, newest first."""
    check_console(actor)
    clauses = _filters(query)
    total = db.session.scalar(_scoped(actor, func.count()).where(*clauses))
    shown = paging(total, query.page)
    rows = db.session.scalars(_scoped(actor, EventLog).where(*clauses).order_by(EventLog.at.desc(), EventLog.id.desc())
                              .limit(shown.size).offset(shown.offset)).all()
    return AuditPage(rows=list(rows), total=total, page=shown.page, pages=shown.pages)
