"""The timer sweep: claim instances whose next timer is due and wake them, each step atomic on its own.

Claims are leases: a claimed row is skipped by other sweepers until the lease runs out, so two
schedulers never wake one instance at once, and a crashed sweeper's claims are picked up again.

A claimed batch is loaded in one SELECT. On PostgreSQL it is then woken in one transaction with a savepoint per
instance: each instance's engine step, handler writes, inbox rows and event log entry are released together or
rolled back together, a failing instance becomes an incident after the batch commits, and the rest of the batch
commits at once (one commit, one fsync, per batch instead of per instance). SQLite commits are cheap and its
driver's savepoints cannot nest inside an implicit transaction, so there each instance keeps its own transaction.
"""

import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import or_, select, update
from sqlalchemy.exc import OperationalError

from caseflow import engine
from caseflow.domain.actor import SYSTEM
from caseflow.domain.enums import EventAction, IncidentKind, InstanceStatus
from caseflow.errors import Conflict
from caseflow.extensions import db
from caseflow.models import ProcessInstance
from caseflow.services import incidents
from caseflow.services.clock import now as clock_now
from caseflow.services.clock import refresh_simulated_clock
from caseflow.services.workflow import (
    LoadedInstance,
    committing,
    load_instance,
    load_instances,
    log_event,
    save_step,
    spec_ref,
)

log = logging.getLogger(__name__)
# Instances woken per transaction on PostgreSQL: enough to spread a commit's fsync thin, few enough that a user
# completing a task on one of them waits at most for this many wakes (their rows stay locked until the commit).
WAKE_TRANSACTION = 100


@dataclass
class SweepResult:
    claimed: int = 0
    woken: int = 0
    conflicts: int = 0
    errors: list[int] = field(default_factory=list)


def _claimable(now: datetime):
    return (ProcessInstance.next_due <= now, ProcessInstance.status == InstanceStatus.RUNNING,
            or_(ProcessInstance.lease_until.is_(None), ProcessInstance.lease_until < now))


def claim_due(*, owner: str, now: datetime, limit: int) -> list[int]:
    """Lease up to `limit` due instances to `owner` and return their ids (one short transaction)."""
    candidates = select(ProcessInstance.id).where(*_claimable(now)).order_by(ProcessInstance.next_due)
    candidates = candidates.limit(limit)
    if db.engine.dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    lease_until = now + timedelta(seconds=current_app.config["CASEFLOW_LEASE_SECONDS"])
    # The lease conditions are repeated on the outer UPDATE so a row claimed meanwhile is re-checked.
    with committing():
        db.session.execute(
            update(ProcessInstance).where(ProcessInstance.id.in_(candidates.scalar_subquery()), *_claimable(now))
            .values(lease_owner=owner, lease_until=lease_until)
            .execution_options(synchronize_session=False)
        )
    return list(db.session.scalars(select(ProcessInstance.id).where(ProcessInstance.lease_owner == owner)))


def _release(instance_id: int, owner: str) -> None:
    with committing():
        db.session.execute(
            update(ProcessInstance).where(ProcessInstance.id == instance_id, ProcessInstance.lease_owner == owner)
            .values(lease_owner=None, lease_until=None).execution_options(synchronize_session=False)
        )


def _step(instance: LoadedInstance, now: datetime) -> None:
    """The engine step of one wake and everything it writes, in the caller's transaction or savepoint."""
    sha, process_id, files = spec_ref(instance.version_id)
    snapshot = engine.wake(sha, process_id, files, instance.state)
    save_step(instance, snapshot, now=now, actor=SYSTEM, release_lease=True)
    log_event(actor=SYSTEM, action=EventAction.TIMER_FIRED, now=now, instance_id=instance.id,
              due=instance.next_due.isoformat() if instance.next_due else None)


def wake_instance(instance_id: int, *, owner: str) -> bool:
    """Fire the due timers of one leased instance and run it on, all in one transaction (handlers' writes
    included); False if the lease was lost."""
    instance = load_instance(instance_id)
    if instance.lease_owner != owner:
        db.session.rollback()
        return False
    with committing():
        _step(instance, clock_now())
    return True


def _failed(instance_id: int, exc: Exception, owner: str, result: SweepResult) -> None:
    """After a wake failed and its work was rolled back: a conflict frees the lease, a database failure lets it
    lapse (a later sweep retries), anything else halts the instance as an incident for an administrator."""
    if isinstance(exc, Conflict):
        result.conflicts += 1
        _release(instance_id, owner)
    elif isinstance(exc, OperationalError):
        log.error("instance %s: the database failed while waking (%s); retried after the lease", instance_id, exc)
        result.errors.append(instance_id)
    else:
        log.error("instance %s failed to wake: %s", instance_id, exc)
        result.errors.append(instance_id)
        incidents.record_failure(instance_id, kind=IncidentKind.TIMER, error=exc, actor=SYSTEM, halt=True)


def _wake_one(instance_id: int, owner: str, result: SweepResult) -> None:
    try:
        if wake_instance(instance_id, owner=owner):
            result.woken += 1
    except Exception as exc:
        _failed(instance_id, exc, owner, result)


def _wake_batch(ids: list[int], owner: str, result: SweepResult) -> None:
    """Wake a claimed batch in one transaction, a savepoint per instance (see the module's docstring)."""
    loaded = load_instances(ids)
    now, failures, woken = clock_now(), [], 0
    try:
        with committing():
            for instance in loaded:
                if instance.lease_owner != owner:
                    continue
                try:
                    with db.session.begin_nested():
                        _step(instance, now)
                    woken += 1
                except OperationalError as exc:
                    if not db.session.connection().closed and not exc.connection_invalidated:
                        failures.append((instance.id, exc))
                        continue
                    raise
                except Exception as exc:  # rolled back to the savepoint: the others go on
                    failures.append((instance.id, exc))
    except OperationalError as exc:  # the commit or the connection failed: nothing of the batch was written
        log.error("a sweep batch of %s failed in the database (%s); retried after the lease", len(ids), exc)
        result.errors.extend(ids)
        return
    result.woken += woken
    for instance_id, exc in failures:
        _failed(instance_id, exc, owner, result)


def sweep(*, batch_size: int = 500, max_batches: int = 1000, owner: str | None = None) -> SweepResult:
    """Wake every instance whose timer is due now; safe to run from several processes at once."""
    refresh_simulated_clock()
    result = SweepResult()
    for _ in range(max_batches):
        claim_owner = owner or uuid.uuid4().hex
        ids = claim_due(owner=claim_owner, now=clock_now(), limit=batch_size)
        result.claimed += len(ids)
        if db.engine.dialect.name == "postgresql":
            for first in range(0, len(ids), WAKE_TRANSACTION):
                _wake_batch(ids[first:first + WAKE_TRANSACTION], claim_owner, result)
        else:
            for instance_id in ids:
                _wake_one(instance_id, claim_owner, result)
        if len(ids) < batch_size:
            break
    return result
