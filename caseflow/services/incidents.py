"""Incidents: workflow steps that failed, what an administrator sees of them, and retrying one after a fix.

A failed step is rolled back whole; the incident is then written in a transaction of its own. A failed timer
wake also halts the instance (status error) so the sweep stops retrying it every lease period; an
administrator retries it once the cause (a handler, a diagram, data) is fixed.
"""

from dataclasses import dataclass

from sqlalchemy import func, select, update

from caseflow.domain.actor import Actor
from caseflow.domain.enums import EventAction, IncidentKind, InstanceStatus
from caseflow.domain.paging import paging
from caseflow.domain.permissions import Permission
from caseflow.errors import N_, Conflict, NotAllowed, NotFound
from caseflow.extensions import db
from caseflow.models import Incident, ProcessInstance
from caseflow.services.clock import now as clock_now
from caseflow.services.scope import region_clause
from caseflow.services.workflow import committing, log_event

MAX_ERROR = 2000


def record_failure(instance_id: int, *, kind: IncidentKind, error: Exception, actor: Actor,
                   halt: bool = False) -> int:
    """Write down that a step of the instance failed (after its work was rolled back); `halt` stops the
    instance until an administrator retries it. Repeated failures of the same step count as attempts."""
    db.session.rollback()
    now, element = clock_now(), getattr(error, "element", None)
    text = (error.text() if hasattr(error, "text") else f"{type(error).__name__}: {error}")[:MAX_ERROR]
    with committing():
        instance = db.session.get(ProcessInstance, instance_id)
        incident = db.session.scalars(select(Incident).where(
            Incident.instance_id == instance_id, Incident.kind == kind, Incident.resolved_at.is_(None),
            Incident.element.is_(None) if element is None else Incident.element == element)).first()
        if incident is None:
            incident = Incident(instance_id=instance_id, case_id=instance.case_id, region_code=instance.region_code,
                                kind=kind, element=element, error=text, occurred_at=now, attempts=0)
            db.session.add(incident)
        incident.attempts += 1
        incident.error, incident.occurred_at = text, now
        if halt:
            instance.status, instance.last_error = InstanceStatus.ERROR, text
            instance.lease_owner = instance.lease_until = None
        db.session.flush()
        log_event(actor=actor, action=EventAction.STEP_FAILED, now=now, instance_id=instance_id,
                  case_id=instance.case_id, incident=incident.id, kind=str(kind), element=element, error=text[:300])
    return incident.id


@dataclass
class IncidentPage:
    rows: list[Incident]
    total: int
    page: int
    pages: int


def _visible(actor: Actor) -> tuple:
    if not actor.may(Permission.SEE_INCIDENTS):
        raise NotAllowed(N_("only administrators, process designers and supervisors see incidents"))
    return (region_clause(Incident.region_code, actor.region_code),)


def list_incidents(actor: Actor, *, resolved: bool = False, page: int = 1) -> IncidentPage:
    """One page of the open (or resolved) incidents of the actor's region, newest first."""
    clauses = (*_visible(actor), Incident.resolved_at.isnot(None) if resolved else Incident.resolved_at.is_(None))
    shown = paging(db.session.scalar(select(func.count()).select_from(Incident).where(*clauses)), page)
    rows = db.session.scalars(select(Incident).where(*clauses).order_by(Incident.occurred_at.desc(), Incident.id.desc())
                              .limit(shown.size).offset(shown.offset)).all()
    return IncidentPage(list(rows), shown.total, shown.page, shown.pages)


def count_open(actor: Actor) -> int:
    return db.session.scalar(select(func.count()).select_from(Incident)
                             .where(*_visible(actor), Incident.resolved_at.is_(None)))


def _open_incident_or_raise(incident_id: int, actor: Actor) -> Incident:
    if not actor.may(Permission.RESOLVE_INCIDENTS):
        raise NotAllowed(N_("only administrators may retry or dismiss incidents"))
    incident = db.session.get(Incident, incident_id)
    if incident is None or not actor.covers(incident.region_code):
        raise NotFound(N_("incident not found"))
    if incident.resolved_at is not None:
        raise Conflict(N_("this incident was already resolved"))
    return incident


def retry(incident_id: int, *, actor: Actor) -> bool:
    """Run the halted instance's step again now; True when it went through (the incident is then resolved)."""
    from caseflow.services import timers

    incident = _open_incident_or_raise(incident_id, actor)
    if incident.kind != IncidentKind.TIMER:
        raise Conflict(N_("only a failed timer can be retried here; the user retries a failed task or message"))
    instance_id = incident.instance_id
    owner = f"retry:{actor.user_id}"[:64]
    with committing():
        resumed = db.session.execute(update(ProcessInstance).where(
            ProcessInstance.id == instance_id, ProcessInstance.status == InstanceStatus.ERROR)
            .values(status=InstanceStatus.RUNNING, lease_owner=owner, lease_until=clock_now())
            .execution_options(synchronize_session=False)).rowcount
        log_event(actor=actor, action=EventAction.INCIDENT_RETRIED, now=clock_now(), instance_id=instance_id,
                  incident=incident_id)
    if not resumed:
        raise Conflict(N_("the instance is not halted any more"))
    try:
        timers.wake_instance(instance_id, owner=owner)
    except Conflict:
        raise
    except Exception as exc:  # any failure is the incident's new cause
        record_failure(instance_id, kind=IncidentKind.TIMER, error=exc, actor=actor, halt=True)
        return False
    _resolve(incident_id, actor, "retried")
    return True


def dismiss(incident_id: int, *, actor: Actor) -> None:
    """Close an incident that needs no retry (e.g. the user completed the failed task after a fix)."""
    _open_incident_or_raise(incident_id, actor)
    _resolve(incident_id, actor, "dismissed")
    with committing():
        log_event(actor=actor, action=EventAction.INCIDENT_DISMISSED, now=clock_now(), incident=incident_id)


def _resolve(incident_id: int, actor: Actor, resolution: str) -> None:
    with committing():
        incident = db.session.get(Incident, incident_id)
        incident.resolved_at, incident.resolved_by, incident.resolution = clock_now(), actor.user_id, resolution
