"""Start instances, complete human tasks, deliver messages: each one transaction."""

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import IntegrityError

from caseflow import engine
from caseflow.domain.actor import Actor
from caseflow.domain.enums import CaseStatus, EventAction, HumanTaskState, IncidentKind, InstanceStatus, Role
from caseflow.domain.forms import FormSpec, validate
from caseflow.domain.paging import paging
from caseflow.errors import N_, CaseflowError, Conflict, InvalidInput, NotAllowed, NotFound, OutOfRegion
from caseflow.extensions import db
from caseflow.models import EventLog, HumanTask, ProcessInstance, ProcessVersion
from caseflow.services import incidents
from caseflow.services.clock import now as clock_now
from caseflow.services.deployment import form_of_version, workflow_data
from caseflow.services.records import case_of_instance, record_completion
from caseflow.services.scope import region_clause
from caseflow.services.workflow import (
    CHANGED_MEANWHILE,
    TASK,
    committing,
    insert_instance,
    load_instance,
    log_event,
    save_step,
    spec_ref,
    tell_journey,
)


@dataclass(frozen=True)
class Completion:
    """The outcome of a completion request; `replayed` when an idempotency key matched an earlier one."""

    task_id: str
    instance_id: int
    replayed: bool
    next_tasks: tuple[str, ...]


def latest_version(process_id: str) -> ProcessVersion:
    version = db.session.scalars(
        select(ProcessVersion).where(ProcessVersion.process_id == process_id)
        .order_by(ProcessVersion.id.desc()).limit(1)
    ).first()
    if version is None:
        raise NotFound(N_("process %(process)s is not deployed"), process=process_id)
    return version


def latest_version_id(process_id: str) -> int:
    version_id = db.session.execute(
        select(ProcessVersion.id).where(ProcessVersion.process_id == process_id)
        .order_by(ProcessVersion.id.desc()).limit(1)
    ).scalar()
    if version_id is None:
        raise NotFound(N_("process %(process)s is not deployed"), process=process_id)
    return version_id


def start_instance(process_id: str, *, actor: Actor, data: dict | None = None, region_code: str = "",
                   correlation_key: str | None = None) -> int:
    """Start the latest version of a process, run it to its first wait state; return the instance id."""
    if not actor.covers(region_code):
        raise NotAllowed(N_("you may not start work outside your region"))
    version_id = latest_version_id(process_id)
    sha, process_id, files = spec_ref(version_id)
    snapshot = engine.start(sha, process_id, files, dict(data or {}))
    now = clock_now()
    with committing():
        instance_id = insert_instance(version_id=version_id, process_id=process_id, snapshot=snapshot,
                                      region_code=region_code, correlation_key=correlation_key, now=now, actor=actor)
        log_event(actor=actor, action=EventAction.INSTANCE_STARTED, now=now, instance_id=instance_id,
                  version=sha[:12])
    return instance_id


def get_task_or_raise(task_id: str, actor: Actor) -> HumanTask:
    """A human task the actor may see; tasks outside the actor's region do not exist for them."""
    task = db.session.get(HumanTask, task_id)
    if task is not None and not actor.covers(task.region_code):
        raise OutOfRegion(N_("task not found"), actor=actor, kind="task", key=task_id, case_id=task.case_id)
    if task is None:
        raise NotFound(N_("task not found"))
    return task


def check_may_complete(task, actor: Actor) -> None:
    """The actor may complete this task now: in their region, still open, theirs or their team's."""
    if task is not None and not actor.covers(task.region_code):
        raise OutOfRegion(N_("task not found"), actor=actor, kind="task", key=task.id, case_id=task.case_id)
    if task is None:
        raise NotFound(N_("task not found"))
    if task.state != HumanTaskState.READY:
        if task.completed_by:
            raise Conflict(N_("this task was already completed by %(user)s"), user=task.completed_by)
        raise Conflict(N_("this task is no longer open"))
    if task.assignee and task.assignee != actor.user_id and Role.ADMIN not in actor.roles:
        raise NotAllowed(N_("this task is assigned to someone else"))
    if not actor.may_work_lane(task.lane):
        raise NotAllowed(N_("only the %(role)s role may complete this task"), role=task.lane)


_SELECT_TASK = select(TASK).where(TASK.c.id == bindparam("b_id"))


def _validated(form: FormSpec | None, data: dict) -> dict:
    """Only the task form's fields, typed; whatever the caller (a web form, the JSON API) sent."""
    if form is None:
        return dict(data)
    typed, errors = validate(form, data)
    if errors:
        raise InvalidInput(N_("the form has errors: %(fields)s"), fields=", ".join(sorted(errors)), errors=errors)
    return typed


def _task_row(task_id: str):
    return db.session.connection().execute(_SELECT_TASK, {"b_id": task_id}).first()


MAX_KEY_LENGTH = 100  # the event log's idempotency key column
TRANSPORT_FIELDS = frozenset({"csrf_token", "idempotency_key"})  # how a web form travels, not what it asks


class KeyReused(CaseflowError):
    """An idempotency key sent again with another request (other data, another user): refused, never answered
    with the first request's outcome."""

    http_status = 422


def checked_key(idempotency_key: str | None) -> str | None:
    """The caller's idempotency key, None when none was sent; a key the log cannot hold is refused."""
    if not idempotency_key:
        return None
    if len(idempotency_key) > MAX_KEY_LENGTH:
        raise InvalidInput(N_("an idempotency key has at most %(max)s characters"), max=MAX_KEY_LENGTH)
    if not idempotency_key.isprintable():
        raise InvalidInput(N_("an idempotency key must not contain control characters"))
    return idempotency_key


def request_digest(data) -> str:
    """A digest of what a completion asks for: its submitted fields (a web form's or a JSON object's), in a
    canonical form, without the fields that only carry the request."""
    fields = {str(key): data[key] for key in data if key not in TRANSPORT_FIELDS}
    canonical = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


def _replay(idempotency_key: str, task_id: str, actor: Actor, digest: str) -> Completion | None:
    """The first outcome of the request this key was used for, when it is the same request again."""
    prior = db.session.execute(select(EventLog.task_id, EventLog.instance_id, EventLog.actor, EventLog.detail)
                               .where(EventLog.idempotency_key == idempotency_key)).first()
    if prior is None:
        return None
    if prior.task_id != task_id:
        raise Conflict(N_("this idempotency key was already used for another task"))
    if prior.actor != actor.user_id:
        raise KeyReused(N_("this idempotency key was already used by another user; send a new key"))
    if prior.detail.get("request_digest", digest) != digest:  # keys logged before digests replay as before
        raise KeyReused(N_("this idempotency key was already used with different data; send a new key"))
    return Completion(task_id, prior.instance_id, True, tuple(prior.detail.get("next_tasks", ())))


PLACED_MESSAGE = "graduate_placed"
KEEP_GOING = ("business_registration",)  # the entrepreneurship path goes on to the loan and subsidy


def complete_task(task_id: str, *, actor: Actor, data: dict, idempotency_key: str | None = None) -> Completion:
    """Complete a ready human task with form data; the workflow advances exactly once.

    The same request repeated with its idempotency key (same user, task and data) returns the first outcome
    instead of a conflict; the key sent with another request is refused."""
    idempotency_key = checked_key(idempotency_key)
    digest = request_digest(data)
    task = _task_row(task_id)
    try:
        check_may_complete(task, actor)
    except Conflict:
        if idempotency_key and (done := _replay(idempotency_key, task_id, actor, digest)):
            return done
        raise
    instance = load_instance(task.instance_id)
    form = form_of_version(instance.version_id, task.form_key) if task.form_key else None  # as its version had it
    data = _validated(form, data)
    sha, process_id, files = spec_ref(instance.version_id)
    now = clock_now()
    try:
        with committing():
            case = case_of_instance(instance.id)
            was_placed = case is not None and case.status == CaseStatus.PLACED
            record_completion(task.action, instance.id, case, data, actor, now)
            snapshot = engine.complete_task(sha, process_id, files, instance.state, task_id=task_id,
                                            data=workflow_data(form, data))
            created = save_step(instance, snapshot, now=now, actor=actor, completed_task_id=task_id)
            if case and not was_placed and case.status == CaseStatus.PLACED and task.action not in KEEP_GOING:
                # a placement recorded in a task (a visit, a referral outcome) ends the rest of the open work
                tell_journey(instance.id, PLACED_MESSAGE, {"case_id": case.id}, actor, now)
            log_event(actor=actor, action=EventAction.TASK_COMPLETED, now=now, instance_id=instance.id,
                      case_id=case.id if case else None, task_id=task_id, idempotency_key=idempotency_key,
                      task=task.bpmn_id, name=task.name, form=task.form_key, data=data,
                      next_tasks=list(created), request_digest=digest)
    except (Conflict, IntegrityError) as exc:
        if idempotency_key and (done := _replay(idempotency_key, task_id, actor, digest)):
            return done  # the same request won meanwhile
        check_may_complete(_task_row(task_id), actor)  # names who completed it, when that is what happened
        if isinstance(exc, Conflict):
            raise
        raise Conflict(CHANGED_MEANWHILE) from exc
    except engine.EngineError as exc:  # nothing was applied; the task stays open and an incident tells why
        incidents.record_failure(instance.id, kind=IncidentKind.COMPLETION, error=exc, actor=actor)
        raise
    return Completion(task_id, instance.id, False, created)


def deliver_message(name: str, *, correlation_key: str, payload: dict, actor: Actor,
                    alongside: Callable[[], None] | None = None) -> int:
    """Deliver a message to the running instance(s) correlated by key; return how many caught it. `alongside`
    runs in the same unit of work once the message was caught (what the message brings, kept on the case)."""
    instance_ids = db.session.scalars(
        select(ProcessInstance.id).where(ProcessInstance.correlation_key == correlation_key,
                                         ProcessInstance.status == InstanceStatus.RUNNING)
    ).all()
    now, delivered, current = clock_now(), 0, None
    try:
        with committing():
            for current in instance_ids:
                delivered += _deliver_to(current, name, payload, actor=actor, now=now)
            if delivered and alongside is not None:
                alongside()
    except engine.EngineError as exc:  # nothing was delivered; the instance that failed gets an incident
        incidents.record_failure(current, kind=IncidentKind.MESSAGE, error=exc, actor=actor)
        raise
    if not delivered:
        raise Conflict(N_("no running case waits for message %(message)s with key %(key)s"), message=name,
                       key=correlation_key)
    return delivered


def _deliver_to(instance_id: int, name: str, payload: dict, *, actor: Actor, now) -> int:
    """Deliver the message to one instance, inside the caller's transaction; 1 if it was waiting for it."""
    instance = load_instance(instance_id)
    if not actor.covers(instance.region_code):
        return 0
    sha, process_id, files = spec_ref(instance.version_id)
    try:
        snapshot = engine.deliver_message(sha, process_id, files, instance.state, name=name, payload=payload)
    except Conflict:
        return 0
    save_step(instance, snapshot, now=now, actor=actor)
    log_event(actor=actor, action=EventAction.MESSAGE_DELIVERED, now=now, instance_id=instance.id, message=name)
    return 1


@dataclass
class InstancePage:
    rows: list[ProcessInstance]
    total: int
    page: int
    pages: int
    status: str | None


def list_instances(actor: Actor, *, status: str | None = None, page: int = 1) -> InstancePage:
    """One page of the workflow instances of the actor's region (of one status, or all), newest first."""
    clauses = [region_clause(ProcessInstance.region_code, actor.region_code)]
    if status in set(InstanceStatus):
        clauses.append(ProcessInstance.status == status)
    shown = paging(db.session.scalar(select(func.count()).select_from(ProcessInstance).where(*clauses)), page)
    rows = db.session.scalars(select(ProcessInstance).where(*clauses).order_by(ProcessInstance.id.desc())
                              .limit(shown.size).offset(shown.offset)).all()
    return InstancePage(list(rows), shown.total, shown.page, shown.pages, status)


def count_by_version() -> dict[int, dict[str, int]]:
    """How many instances run, finished or halted on each deployed version."""
    counts: dict[int, dict[str, int]] = {}
    for version_id, status, count in db.session.execute(
            select(ProcessInstance.version_id, ProcessInstance.status, func.count())
            .group_by(ProcessInstance.version_id, ProcessInstance.status)).all():
        counts.setdefault(version_id, {})[status] = count
    return counts
