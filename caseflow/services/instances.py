"""Start instances, complete human tasks, deliver messages: each one transaction."""

from dataclasses import dataclass

from sqlalchemy import func, select

from caseflow import engine
from caseflow.domain.actor import Actor
from caseflow.domain.enums import EventAction, HumanTaskState, InstanceStatus, Role
from caseflow.errors import Conflict, NotAllowed, NotFound
from caseflow.extensions import db
from caseflow.models import EventLog, HumanTask, ProcessInstance, ProcessVersion
from caseflow.services.clock import now as clock_now
from caseflow.services.workflow import apply_snapshot, committing, log_event, spec_ref


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
        raise NotFound(f"process {process_id!r} is not deployed")
    return version


def start_instance(process_id: str, *, actor: Actor, data: dict | None = None, region_code: str = "",
                   correlation_key: str | None = None) -> ProcessInstance:
    """Start the latest version of a process and run it to its first wait state."""
    if not actor.covers(region_code):
        raise NotAllowed("you may not start work outside your region")
    version = latest_version(process_id)
    sha, _, files = spec_ref(version.id)
    snapshot = engine.start(sha, version.process_id, files, dict(data or {}))
    now = clock_now()
    with committing():
        instance = ProcessInstance(version_id=version.id, process_id=version.process_id, state=snapshot.state,
                                   region_code=region_code, correlation_key=correlation_key,
                                   created_at=now, updated_at=now)
        db.session.add(instance)
        db.session.flush()
        apply_snapshot(instance, snapshot, now=now, actor=actor)
        log_event(actor=actor, action=EventAction.INSTANCE_STARTED, now=now, instance_id=instance.id,
                  version=sha[:12])
    return instance


def get_task_or_raise(task_id: str, actor: Actor) -> HumanTask:
    """A human task the actor may see; tasks outside the actor's region do not exist for them."""
    task = db.session.get(HumanTask, task_id)
    if task is None or not actor.covers(task.region_code):
        raise NotFound("task not found")
    return task


def _check_may_complete(task: HumanTask, actor: Actor) -> None:
    if task.state != HumanTaskState.READY:
        who = task.completed_by or "the workflow"
        raise Conflict(f"this task was already completed by {who}", completed_by=task.completed_by)
    if task.assignee and task.assignee != actor.user_id and Role.ADMIN not in actor.roles:
        raise NotAllowed("this task is assigned to someone else")
    if not actor.may_work_lane(task.lane):
        raise NotAllowed(f"only the {task.lane} role may complete this task")


def _replay(idempotency_key: str, task_id: str) -> Completion | None:
    prior = db.session.scalars(select(EventLog).where(EventLog.idempotency_key == idempotency_key)).first()
    if prior is None:
        return None
    if prior.task_id != task_id:
        raise Conflict("this idempotency key was already used for another task")
    return Completion(task_id, prior.instance_id, True, tuple(prior.detail.get("next_tasks", ())))


def complete_task(task_id: str, *, actor: Actor, data: dict, idempotency_key: str | None = None) -> Completion:
    """Complete a ready human task with form data; the workflow advances exactly once."""
    if idempotency_key and (done := _replay(idempotency_key, task_id)):
        return done
    task = get_task_or_raise(task_id, actor)
    _check_may_complete(task, actor)
    instance = db.session.get(ProcessInstance, task.instance_id)
    sha, process_id, files = spec_ref(instance.version_id)
    snapshot = engine.complete_task(sha, process_id, files, instance.state, task_id=task_id, data=data)
    now = clock_now()
    try:
        with committing():
            created = apply_snapshot(instance, snapshot, now=now, actor=actor, completed_task_id=task_id)
            next_tasks = tuple(row.id for row in created)
            log_event(actor=actor, action=EventAction.TASK_COMPLETED, now=now, instance_id=instance.id,
                      task_id=task_id, idempotency_key=idempotency_key, task=task.bpmn_id,
                      next_tasks=list(next_tasks))
    except Conflict:
        if idempotency_key and (done := _replay(idempotency_key, task_id)):
            return done
        _check_may_complete(db.session.get(HumanTask, task_id), actor)
        raise
    return Completion(task_id, instance.id, False, next_tasks)


def deliver_message(name: str, *, correlation_key: str, payload: dict, actor: Actor) -> int:
    """Deliver a message to the running instance(s) correlated by key; return how many caught it."""
    instances = db.session.scalars(
        select(ProcessInstance).where(ProcessInstance.correlation_key == correlation_key,
                                      ProcessInstance.status == InstanceStatus.RUNNING)
    ).all()
    now = clock_now()
    delivered = 0
    with committing():
        for instance in instances:
            if not actor.covers(instance.region_code):
                continue
            sha, process_id, files = spec_ref(instance.version_id)
            try:
                snapshot = engine.deliver_message(sha, process_id, files, instance.state, name=name,
                                                  payload=payload)
            except Conflict:
                continue
            apply_snapshot(instance, snapshot, now=now, actor=actor)
            log_event(actor=actor, action=EventAction.MESSAGE_DELIVERED, now=now, instance_id=instance.id,
                      message=name)
            delivered += 1
    if not delivered:
        raise Conflict(f"no running case waits for message {name!r} with key {correlation_key!r}")
    return delivered


def list_instances(actor: Actor, *, limit: int = 50) -> list[ProcessInstance]:
    return list(db.session.scalars(
        select(ProcessInstance).where(ProcessInstance.region_code.startswith(actor.region_code))
        .order_by(ProcessInstance.id.desc()).limit(limit)
    ))


def list_ready_tasks(actor: Actor, *, limit: int = 50) -> list[HumanTask]:
    return list(db.session.scalars(
        select(HumanTask).where(HumanTask.state == HumanTaskState.READY,
                                HumanTask.region_code.startswith(actor.region_code))
        .order_by(HumanTask.due_at.is_(None), HumanTask.due_at, HumanTask.created_at).limit(limit)
    ))


def count_instances_by_status() -> dict[str, int]:
    rows = db.session.execute(select(ProcessInstance.status, func.count()).group_by(ProcessInstance.status))
    return {status: count for status, count in rows}
