"""Demo data for a fresh installation, so a newcomer sees work at different stages."""

from sqlalchemy import select

from caseflow.domain.actor import SYSTEM
from caseflow.extensions import db
from caseflow.models import HumanTask, ProcessInstance
from caseflow.services import instances

DEMO_PROCESS = "demo_followup"


def seed_demo(count: int = 5) -> int:
    """Start a few demo cases on a fresh database (some already past first contact); return how many."""
    if db.session.scalars(select(ProcessInstance.id).limit(1)).first() is not None:
        return 0
    for n in range(count):
        instance_id = instances.start_instance(DEMO_PROCESS, actor=SYSTEM, data={"demo_case": n + 1})
        if n % 2:
            task = db.session.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id)).one()
            instances.complete_task(task.id, actor=SYSTEM, data={
                "channel": "phone", "outcome": "reached", "contacted_on": instances.clock_now().date().isoformat()})
    return count
