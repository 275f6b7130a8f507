"""Two OS processes complete the same task at once: one wins, the other gets a Conflict."""

import multiprocessing

from helpers import count_events, only_ready_task
from race_worker import complete_when_released

from caseflow.domain.actor import SYSTEM
from caseflow.domain.enums import EventAction, HumanTaskState
from caseflow.extensions import db
from caseflow.models import HumanTask
from caseflow.services import instances


def test_two_processes_completing_one_task_one_wins_one_conflicts(app, migrated):
    instance_id = instances.start_instance("demo_followup", actor=SYSTEM)
    task_id = only_ready_task(instance_id).id
    db.session.remove()
    context = multiprocessing.get_context("spawn")
    go, results = context.Event(), context.Queue()
    workers = [context.Process(target=complete_when_released, args=(migrated, task_id, go, results))
               for _ in range(2)]
    for worker in workers:
        worker.start()
    go.set()
    outcomes = sorted(results.get(timeout=60) for _ in workers)
    for worker in workers:
        worker.join(timeout=30)
    assert outcomes == ["conflict", "ok"]
    assert db.session.get(HumanTask, task_id).state == HumanTaskState.COMPLETED
    assert count_events(EventAction.TASK_COMPLETED, instance_id) == 1
