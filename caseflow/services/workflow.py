"""The unit of work around one engine step: load specs, write back state, projection, outbox, log."""

from contextlib import contextmanager
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError

from caseflow import engine
from caseflow.domain.actor import Actor
from caseflow.domain.calendar import end_of_working_day
from caseflow.domain.enums import HumanTaskState, InstanceStatus
from caseflow.errors import Conflict
from caseflow.extensions import db
from caseflow.models import EventLog, HumanTask, OutboxMessage, ProcessInstance, ProcessVersion


def spec_ref(version_id: int) -> tuple[str, str, dict | None]:
    """(sha, process_id, files) for the engine; files are read from the database only on a cache miss."""
    # Deployed versions never change, so their keys are cached for the life of the app.
    version_keys = current_app.extensions.setdefault("caseflow.version_keys", {})
    key = version_keys.get(version_id)
    if key is None:
        row = db.session.execute(
            select(ProcessVersion.sha256, ProcessVersion.process_id).where(ProcessVersion.id == version_id)
        ).one()
        key = version_keys[version_id] = (row.sha256, row.process_id)
    sha, process_id = key
    files = None if engine.is_cached(sha) else db.session.get(ProcessVersion, version_id).files
    return sha, process_id, files


def due_at(info: engine.TaskSpecInfo, created: datetime) -> datetime | None:
    """A user task's deadline from its BPMN properties (working days or calendar days)."""
    props = info.properties
    if "dueInWorkingDays" in props:
        return end_of_working_day(created, int(props["dueInWorkingDays"]))
    if "dueInDays" in props:
        return created + timedelta(days=int(props["dueInDays"]))
    return None


def _sync_human_tasks(instance: ProcessInstance, snapshot: engine.Snapshot, *, now: datetime,
                      completed_task_id: str | None, actor: Actor) -> list[HumanTask]:
    ready_ids = {task.task_id for task in snapshot.ready_tasks}
    existing = db.session.scalars(
        select(HumanTask).where(HumanTask.instance_id == instance.id, HumanTask.state == HumanTaskState.READY)
    ).all()
    known = set()
    for row in existing:
        known.add(row.id)
        if row.id in ready_ids:
            continue
        row.state = HumanTaskState.COMPLETED if row.id == completed_task_id else HumanTaskState.CANCELLED
        row.completed_at = now
        row.completed_by = actor.user_id if row.id == completed_task_id else None
    created = []
    for task in snapshot.ready_tasks:
        if task.task_id in known:
            continue
        row = HumanTask(id=task.task_id, instance_id=instance.id, process_id=task.process_id,
                        bpmn_id=task.info.bpmn_id, name=task.info.name, lane=task.info.lane,
                        form_key=task.info.form, region_code=instance.region_code,
                        state=HumanTaskState.READY, created_at=now, due_at=due_at(task.info, now))
        db.session.add(row)
        created.append(row)
    return created


def apply_snapshot(instance: ProcessInstance, snapshot: engine.Snapshot, *, now: datetime, actor: Actor,
                   completed_task_id: str | None = None) -> list[HumanTask]:
    """Write one engine step back: state, status, next due time, inbox rows and outbox messages."""
    instance.state = snapshot.state
    instance.status = InstanceStatus.COMPLETED if snapshot.completed else InstanceStatus.RUNNING
    instance.next_due = snapshot.next_due
    instance.updated_at = now
    for message in snapshot.messages:
        db.session.add(OutboxMessage(instance_id=instance.id, name=message.name, payload=message.payload,
                                     correlation_key=instance.correlation_key, created_at=now))
    return _sync_human_tasks(instance, snapshot, now=now, completed_task_id=completed_task_id, actor=actor)


def log_event(*, actor: Actor, action: str, now: datetime, instance_id: int | None = None,
              task_id: str | None = None, idempotency_key: str | None = None, **detail) -> None:
    db.session.add(EventLog(at=now, actor=actor.user_id, action=action, instance_id=instance_id,
                            task_id=task_id, idempotency_key=idempotency_key, detail=detail))


def _is_lock_error(exc: OperationalError) -> bool:
    return "locked" in str(exc.orig).lower() or "could not serialize" in str(exc.orig).lower()


@contextmanager
def committing(conflict_message: str = "the case was changed by someone else; reload and try again"):
    """Commit the unit of work once; a lost version race rolls everything back and raises Conflict."""
    try:
        yield
        db.session.commit()
    except StaleDataError as exc:
        db.session.rollback()
        raise Conflict(conflict_message) from exc
    except OperationalError as exc:
        db.session.rollback()
        if _is_lock_error(exc):
            raise Conflict(conflict_message) from exc
        raise
    except Exception:
        db.session.rollback()
        raise
