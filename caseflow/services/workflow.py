"""The unit of work around one engine step: load an instance, write back state, inbox rows, outbox, log.

This is the hot path of the app (every start, completion and timer wake-up), so it speaks SQL through
SQLAlchemy Core on the session's connection: a handful of statements, one versioned UPDATE, one commit.
"""

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import OperationalError

from caseflow import engine
from caseflow.domain.actor import Actor, lane_role
from caseflow.domain.calendar import end_of_working_day
from caseflow.domain.enums import EventAction, HumanTaskState, InstanceStatus, Role
from caseflow.errors import N_, Conflict, NotFound, OutOfRegion
from caseflow.extensions import db
from caseflow.models import EventLog, HumanTask, OutboxMessage, ProcessInstance, ProcessVersion
from caseflow.services import bulk_sql
from caseflow.services.assignment import absences, stand_in

CHANGED_MEANWHILE = N_("the case was changed by someone else meanwhile; reload and try again")
INSTANCE = ProcessInstance.__table__
TASK = HumanTask.__table__
EVENT = EventLog.__table__
OUTBOX = OutboxMessage.__table__

# Statements are built once: their SET/VALUES columns come from the parameters given at execution,
# so SQLAlchemy compiles each shape once and the hot path skips statement construction entirely.
_LOADED = (INSTANCE.c.id, INSTANCE.c.version_id, INSTANCE.c.state, INSTANCE.c.lock_version, INSTANCE.c.region_code,
           INSTANCE.c.correlation_key, INSTANCE.c.status, INSTANCE.c.next_due, INSTANCE.c.lease_owner,
           INSTANCE.c.assignee, INSTANCE.c.case_id)
_SELECT_INSTANCE = select(*_LOADED).where(INSTANCE.c.id == bindparam("b_id"))
_SELECT_INSTANCES = select(*_LOADED).where(INSTANCE.c.id.in_(bindparam("b_ids", expanding=True)))
_INSERT_INSTANCE = insert(INSTANCE).returning(INSTANCE.c.id)
_UPDATE_INSTANCE = update(INSTANCE).where(INSTANCE.c.id == bindparam("b_id"),
                                          INSTANCE.c.lock_version == bindparam("b_version"))
_COMPLETE_TASK = update(TASK).where(TASK.c.id == bindparam("b_id"), TASK.c.state == HumanTaskState.READY)
_CANCEL_TASKS = update(TASK).where(TASK.c.instance_id == bindparam("b_instance"),
                                   TASK.c.state == HumanTaskState.READY,
                                   TASK.c.id.not_in(bindparam("b_keep", expanding=True)))
_INSERT_TASK = insert(TASK)
_INSERT_OUTBOX = insert(OUTBOX)
_INSERT_EVENT = insert(EVENT)


@dataclass(frozen=True)
class LoadedInstance:
    id: int
    version_id: int
    state: bytes
    lock_version: int
    region_code: str
    correlation_key: str | None
    status: str
    next_due: datetime | None
    lease_owner: str | None
    assignee: str | None
    case_id: int | None


def _conn():
    return db.session.connection()


def spec_ref(version_id: int) -> tuple[str, str, dict | None]:
    """(sha, process_id, files) for the engine; files are read from the database only on a cache miss."""
    # Deployed versions never change, so their keys are cached for the life of the app.
    version_keys = current_app.extensions.setdefault("caseflow.version_keys", {})
    key = version_keys.get(version_id)
    if key is None:
        row = _conn().execute(
            select(ProcessVersion.sha256, ProcessVersion.process_id).where(ProcessVersion.id == version_id)
        ).one()
        key = version_keys[version_id] = (row.sha256, row.process_id)
    sha, process_id = key
    files = None if engine.is_cached(sha) else db.session.get(ProcessVersion, version_id).files
    return sha, process_id, files


def load_instance(instance_id: int) -> LoadedInstance:
    row = _conn().execute(_SELECT_INSTANCE, {"b_id": instance_id}).first()
    if row is None:
        raise NotFound(N_("instance not found"))
    return LoadedInstance(*row)


def load_instances(instance_ids: list[int]) -> list[LoadedInstance]:
    """Many instances in one SELECT, in the order of the ids given (missing ones left out)."""
    if not instance_ids:
        return []
    rows = _conn().execute(_SELECT_INSTANCES, {"b_ids": list(instance_ids)}).all()
    by_id = {row.id: LoadedInstance(*row) for row in rows}
    return [by_id[i] for i in instance_ids if i in by_id]


def due_at(info: engine.TaskSpecInfo, created: datetime) -> datetime | None:
    """A user task's deadline from its BPMN properties (working days or calendar days)."""
    props = info.properties
    if "dueInWorkingDays" in props:
        return end_of_working_day(created, int(props["dueInWorkingDays"]))
    if "dueInDays" in props:
        return created + timedelta(days=int(props["dueInDays"]))
    return None


def _write_tasks(instance_id: int, region_code: str, assignee: str | None, snapshot: engine.Snapshot, *,
                 now: datetime, actor: Actor, completed_task_id: str | None, case_id: int | None) -> tuple[str, ...]:
    ready_after = {task.task_id for task in snapshot.ready_tasks}
    if completed_task_id:
        _conn().execute(_COMPLETE_TASK, {"b_id": completed_task_id, "state": HumanTaskState.COMPLETED,
                                         "completed_at": now, "completed_by": actor.user_id})
    if snapshot.ready_before - ready_after - {completed_task_id}:
        _conn().execute(_CANCEL_TASKS, {"b_instance": instance_id, "b_keep": sorted(ready_after) or [""],
                                        "state": HumanTaskState.CANCELLED, "completed_at": now})
    new = [task for task in snapshot.ready_tasks if task.task_id not in snapshot.ready_before]
    if new:
        _conn().execute(_INSERT_TASK, _task_rows(instance_id, region_code, assignee, new, now, case_id))
    return tuple(task.task_id for task in new)


def _role_value(lane: str | None) -> str | None:
    role = lane_role(lane)
    return role.value if role else lane


def _task_rows(instance_id: int, region_code: str, assignee: str | None, tasks, now: datetime,
               case_id: int | None) -> list[dict]:
    """Inbox rows for new ready tasks: caseworker-lane tasks go to the case's caseworker (to their substitute
    while they are away), others to the lane's team queue; a task whose BPMN names a region variable is routed
    there (e.g. a transfer's target county)."""
    caseworker = assignee
    if assignee is not None and any(lane_role(task.info.lane) == Role.CASEWORKER for task in tasks):
        caseworker = stand_in(assignee, absences(now))
    return [{"id": task.task_id, "instance_id": instance_id, "case_id": case_id, "process_id": task.process_id,
             "bpmn_id": task.info.bpmn_id, "name": task.info.name, "lane": _role_value(task.info.lane),
             "form_key": task.info.form,
             "action": task.info.properties.get("record", task.info.form),
             "assignee": caseworker if lane_role(task.info.lane) == Role.CASEWORKER else None,
             "region_code": task.region or region_code, "state": HumanTaskState.READY, "created_at": now,
             "due_at": due_at(task.info, now)} for task in tasks]


def _write_outbox(instance_id: int, correlation_key: str | None, snapshot: engine.Snapshot, now: datetime) -> None:
    if snapshot.messages:
        _conn().execute(_INSERT_OUTBOX, [
            {"instance_id": instance_id, "name": m.name, "payload": m.payload, "correlation_key": correlation_key,
             "created_at": now} for m in snapshot.messages])


def _awaiting(snapshot: engine.Snapshot) -> list[str] | None:
    return sorted(snapshot.awaiting) or None


def _status(snapshot: engine.Snapshot) -> str:
    return InstanceStatus.COMPLETED if snapshot.completed else InstanceStatus.RUNNING


def insert_instance(*, version_id: int, process_id: str, snapshot: engine.Snapshot, region_code: str,
                    correlation_key: str | None, now: datetime, actor: Actor, assignee: str | None = None) -> int:
    """Write a freshly started instance and its first inbox rows; return its id."""
    instance_id = _conn().execute(_INSERT_INSTANCE, {
        "version_id": version_id, "process_id": process_id, "status": _status(snapshot), "state": snapshot.state,
        "lock_version": 1, "next_due": snapshot.next_due, "awaiting": _awaiting(snapshot), "region_code": region_code,
        "correlation_key": correlation_key, "assignee": assignee, "created_at": now, "updated_at": now}).scalar_one()
    _write_tasks(instance_id, region_code, assignee, snapshot, now=now, actor=actor, completed_task_id=None,
                 case_id=None)
    _write_outbox(instance_id, correlation_key, snapshot, now)
    return instance_id


def insert_instances(items: list[dict], *, now: datetime, actor: Actor) -> list[int]:
    """Write many freshly started instances at once (bulk handover); items hold version_id, process_id,
    snapshot, region_code, correlation_key and assignee. Returns their ids in order."""
    rows = [{"version_id": i["version_id"], "process_id": i["process_id"], "status": _status(i["snapshot"]),
             "state": i["snapshot"].state, "lock_version": 1, "next_due": i["snapshot"].next_due,
             "awaiting": _awaiting(i["snapshot"]),
             "region_code": i["region_code"], "correlation_key": i["correlation_key"], "assignee": i["assignee"],
             "case_id": i.get("case_id"), "created_at": now, "updated_at": now} for i in items]
    ids = bulk_sql.insert_rows(INSTANCE, rows, return_ids=True)
    tasks, outbox = [], []
    for instance_id, item in zip(ids, items, strict=True):
        snapshot = item["snapshot"]
        tasks += _task_rows(instance_id, item["region_code"], item["assignee"], snapshot.ready_tasks, now,
                            item.get("case_id"))
        outbox += [{"instance_id": instance_id, "name": m.name, "payload": m.payload,
                    "correlation_key": item["correlation_key"], "created_at": now} for m in snapshot.messages]
    bulk_sql.insert_rows(TASK, tasks)
    bulk_sql.insert_rows(OUTBOX, outbox)
    return list(ids)


def save_step(instance: LoadedInstance, snapshot: engine.Snapshot, *, now: datetime, actor: Actor,
              completed_task_id: str | None = None, release_lease: bool = False) -> tuple[str, ...]:
    """Write one engine step back under the version check; a lost race raises Conflict.

    Returns the ids of the human tasks the step created."""
    params = {"b_id": instance.id, "b_version": instance.lock_version, "state": snapshot.state,
              "status": _status(snapshot), "next_due": snapshot.next_due, "awaiting": _awaiting(snapshot),
              "updated_at": now,
              "lock_version": instance.lock_version + 1}
    if release_lease:
        params.update(lease_owner=None, lease_until=None)
    result = _conn().execute(_UPDATE_INSTANCE, params)
    if result.rowcount != 1:
        raise Conflict(CHANGED_MEANWHILE)
    created = _write_tasks(instance.id, instance.region_code, instance.assignee, snapshot, now=now, actor=actor,
                           completed_task_id=completed_task_id, case_id=instance.case_id)
    _write_outbox(instance.id, instance.correlation_key, snapshot, now)
    return created


def tell_journey(instance_id: int, message: str, payload: dict, actor: Actor, now: datetime) -> bool:
    """Deliver `message` to the instance inside the caller's unit of work if it waits for it there; False (and
    nothing changed) if it is elsewhere."""
    instance = load_instance(instance_id)
    sha, process_id, files = spec_ref(instance.version_id)
    try:
        snapshot = engine.deliver_message(sha, process_id, files, instance.state, name=message, payload=payload)
    except Conflict:
        return False
    save_step(instance, snapshot, now=now, actor=actor)
    return True


def log_event(*, actor: Actor, action: str, now: datetime, instance_id: int | None = None, case_id: int | None = None,
              task_id: str | None = None, idempotency_key: str | None = None, **detail) -> None:
    _conn().execute(_INSERT_EVENT, {"at": now, "actor": actor.user_id, "action": action, "instance_id": instance_id,
                                    "case_id": case_id, "task_id": task_id, "idempotency_key": idempotency_key,
                                    "detail": detail})


def record_refusal(refused: OutOfRegion) -> None:
    """Audit a refused out-of-region request, in its own transaction (the request's own work is rolled back)."""
    db.session.rollback()
    with committing():
        log_event(actor=refused.actor, action=EventAction.ACCESS_DENIED,
                  now=current_app.extensions["caseflow.clock"].now(), case_id=refused.case_id, kind=refused.kind,
                  key=refused.key)


def _is_lock_error(exc: OperationalError) -> bool:
    message = str(exc.orig).lower()
    return "locked" in message or "could not serialize" in message or "deadlock" in message


@contextmanager
def committing(conflict_message: str = CHANGED_MEANWHILE):
    """Commit the unit of work once; any failure rolls all of it back (lock timeouts become Conflict)."""
    try:
        yield
        db.session.commit()
    except OperationalError as exc:
        db.session.rollback()
        if _is_lock_error(exc):
            raise Conflict(conflict_message) from exc
        raise
    except BaseException:
        db.session.rollback()
        raise
