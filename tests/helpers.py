"""Small helpers shared by the integration and web tests."""

from sqlalchemy import func, select

from caseflow.domain.enums import HumanTaskState
from caseflow.extensions import db
from caseflow.models import EventLog, HumanTask

CONTACT = {"channel": "phone", "outcome": "reached", "contacted_on": "2026-07-01"}


def ready_tasks(instance_id: int) -> list[HumanTask]:
    db.session.expire_all()
    return list(db.session.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id,
                                                           HumanTask.state == HumanTaskState.READY)))


def only_ready_task(instance_id: int) -> HumanTask:
    tasks = ready_tasks(instance_id)
    assert len(tasks) == 1, tasks
    return tasks[0]


def count_events(action: str, instance_id: int | None = None) -> int:
    query = select(func.count()).select_from(EventLog).where(EventLog.action == action)
    if instance_id is not None:
        query = query.where(EventLog.instance_id == instance_id)
    return db.session.scalar(query)
