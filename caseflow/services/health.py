"""The runtime invariant: every running instance has a ready task, a due timer or an awaited message.

An instance with none of them is orphaned: nothing will ever move it again. `find_orphans` checks the invariant
on the indexed columns alone (fast enough to run after every step of a test, or from cron); `check_instances`
also restores each running instance from its stored state, as another process would, and compares what the
engine says it waits for with what the database projects (inbox rows, next_due, awaited messages).
"""

from dataclasses import dataclass

from sqlalchemy import exists, select

from caseflow import engine
from caseflow.domain.enums import HumanTaskState, InstanceStatus
from caseflow.extensions import db
from caseflow.models import HumanTask, ProcessInstance
from caseflow.services.workflow import spec_ref


@dataclass(frozen=True)
class Violation:
    instance_id: int
    case_id: int | None
    problem: str  # orphaned | error | inbox differs | timer differs | messages differ | unreadable
    detail: str = ""


_READY_TASK = exists().where(HumanTask.instance_id == ProcessInstance.id, HumanTask.state == HumanTaskState.READY)


def find_orphans(*, limit: int = 1000) -> list[Violation]:
    """Running instances with no ready task, no timer and no awaited message."""
    rows = db.session.execute(
        select(ProcessInstance.id, ProcessInstance.case_id)
        .where(ProcessInstance.status == InstanceStatus.RUNNING, ProcessInstance.next_due.is_(None),
               ProcessInstance.awaiting.is_(None), ~_READY_TASK)
        .order_by(ProcessInstance.id).limit(limit)).all()
    return [Violation(row.id, row.case_id, "orphaned") for row in rows]


def _compare(row, snapshot: engine.Snapshot) -> list[Violation]:
    problems = []
    projected = set(db.session.scalars(select(HumanTask.id).where(HumanTask.instance_id == row.id,
                                                                  HumanTask.state == HumanTaskState.READY)))
    actual = {task.task_id for task in snapshot.ready_tasks}
    if projected != actual:
        problems.append(("inbox differs", f"engine {sorted(actual)}, inbox {sorted(projected)}"))
    if snapshot.next_due != row.next_due:
        problems.append(("timer differs", f"engine {snapshot.next_due}, stored {row.next_due}"))
    if sorted(snapshot.awaiting) != sorted(row.awaiting or []):
        problems.append(("messages differ", f"engine {sorted(snapshot.awaiting)}, stored {row.awaiting}"))
    if not (actual or snapshot.next_due or snapshot.awaiting or snapshot.completed):
        problems.append(("orphaned", "the engine finds nothing to wait for"))
    return [Violation(row.id, row.case_id, problem, detail) for problem, detail in problems]


def check_instances(*, batch: int = 500) -> list[Violation]:
    """Every running or halted instance restored cold and compared with its projection; halted ones listed."""
    violations, last = [], 0
    columns = (ProcessInstance.id, ProcessInstance.case_id, ProcessInstance.version_id, ProcessInstance.state,
               ProcessInstance.status, ProcessInstance.next_due, ProcessInstance.awaiting, ProcessInstance.last_error)
    while rows := db.session.execute(
            select(*columns).where(ProcessInstance.status != InstanceStatus.COMPLETED, ProcessInstance.id > last)
            .order_by(ProcessInstance.id).limit(batch)).all():
        for row in rows:
            if row.status == InstanceStatus.ERROR:
                violations.append(Violation(row.id, row.case_id, "error", (row.last_error or "")[:200]))
                continue
            try:
                snapshot = engine.inspect(*spec_ref(row.version_id), row.state)
            except engine.EngineError as exc:
                violations.append(Violation(row.id, row.case_id, "unreadable", exc.text()))
                continue
            violations += _compare(row, snapshot)
        last = rows[-1].id
        db.session.expire_all()
    return violations
