"""The timer sweep on the simulated clock: on time, exactly once, after downtime, across sweepers."""

import threading
from datetime import timedelta

from helpers import CONTACT, count_events, only_ready_task, ready_tasks
from sqlalchemy import update

from caseflow.domain.actor import SYSTEM
from caseflow.domain.enums import EventAction, InstanceStatus
from caseflow.extensions import db
from caseflow.models import ProcessInstance
from caseflow.services import instances, timers


def waiting_on_timer() -> int:
    """An instance past its first contact, waiting on the 30-day timer."""
    instance_id = instances.start_instance("demo_followup", actor=SYSTEM, region_code="220102")
    instances.complete_task(only_ready_task(instance_id).id, actor=SYSTEM, data=CONTACT)
    return instance_id


def test_thirty_day_timer_has_not_fired_at_day_29_and_has_at_day_31(app, clock):
    instance_id = waiting_on_timer()
    clock.advance(timedelta(days=29))
    assert timers.sweep().woken == 0
    assert ready_tasks(instance_id) == []
    clock.advance(timedelta(days=2))
    result = timers.sweep()
    assert (result.claimed, result.woken) == (1, 1)
    task = only_ready_task(instance_id)
    assert task.bpmn_id == "follow_up"
    row = db.session.get(ProcessInstance, instance_id)
    assert row.next_due is None and row.lease_owner is None


def test_two_sweepers_at_once_fire_each_timer_exactly_once(app, clock):
    ids = [waiting_on_timer() for _ in range(20)]
    clock.advance(timedelta(days=31))
    barrier = threading.Barrier(2)
    results = []

    def sweeper():
        with app.app_context():
            barrier.wait()
            results.append(timers.sweep(batch_size=3))
            db.session.remove()

    threads = [threading.Thread(target=sweeper) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(r.woken for r in results) == 20
    for instance_id in ids:
        assert [t.bpmn_id for t in ready_tasks(instance_id)] == ["follow_up"]
        assert count_events(EventAction.TIMER_FIRED, instance_id) == 1


def test_timer_missed_during_downtime_fires_once_on_restart(app, clock):
    instance_id = waiting_on_timer()
    clock.advance(timedelta(days=95))  # nobody swept for three months
    assert timers.sweep().woken == 1
    assert timers.sweep().woken == 0
    assert len(ready_tasks(instance_id)) == 1
    assert count_events(EventAction.TIMER_FIRED, instance_id) == 1


def test_claims_of_a_crashed_sweeper_are_taken_over_after_the_lease(app, clock):
    instance_id = waiting_on_timer()
    clock.advance(timedelta(days=31))
    assert timers.claim_due(owner="crashed", now=clock.now(), limit=10) == [instance_id]
    assert timers.sweep().claimed == 0  # still leased to the crashed sweeper
    clock.advance(timedelta(seconds=app.config["CASEFLOW_LEASE_SECONDS"] + 1))
    assert timers.sweep().woken == 1
    assert only_ready_task(instance_id).bpmn_id == "follow_up"


def test_a_failing_instance_is_parked_with_its_error_and_others_still_fire(app, clock):
    broken, healthy = waiting_on_timer(), waiting_on_timer()
    db.session.execute(update(ProcessInstance).where(ProcessInstance.id == broken)
                       .values(state=b"not a workflow"))
    db.session.commit()
    clock.advance(timedelta(days=31))
    result = timers.sweep()
    assert result.woken == 1 and result.errors == [broken]
    row = db.session.get(ProcessInstance, broken)
    assert row.status == InstanceStatus.ERROR and row.last_error and row.lease_owner is None
    assert only_ready_task(healthy).bpmn_id == "follow_up"
    assert timers.sweep().claimed == 0  # halted until an administrator retries it
