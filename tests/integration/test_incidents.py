"""A failed workflow step changes nothing, is recorded as an incident, halts a timer's instance, and can be
retried by an administrator after the cause is fixed; completions and messages that fail leave the task open."""

from datetime import timedelta

import pytest
from helpers import CONTACT, deploy_flaky, only_ready_task, waiting_on_flaky_timer, written_by_flaky_handler
from sqlalchemy import select

from caseflow.domain.actor import SYSTEM, Actor
from caseflow.domain.enums import IncidentKind, InstanceStatus, Role
from caseflow.engine import EngineError
from caseflow.errors import Conflict, NotAllowed
from caseflow.extensions import db
from caseflow.models import Incident, ProcessInstance
from caseflow.services import health, incidents, instances, timers
from caseflow.tasks import OPERATIONS

SUPERVISOR = Actor("sup", frozenset({Role.SUPERVISOR}), "220102")


@pytest.fixture
def flaky(app, monkeypatch):
    return deploy_flaky(monkeypatch)


_waiting, _written = waiting_on_flaky_timer, written_by_flaky_handler


def test_a_failed_wake_changes_nothing_halts_the_instance_and_opens_an_incident(app, clock, flaky):
    instance_id = _waiting()
    clock.advance(timedelta(days=2))
    result = timers.sweep()
    assert result.errors == [instance_id] and result.woken == 0
    db.session.expire_all()
    row = db.session.get(ProcessInstance, instance_id)
    assert row.status == InstanceStatus.ERROR and "notification service is down" in row.last_error
    assert _written() == 0  # the handler's write was rolled back with the step
    incident = db.session.scalars(select(Incident)).one()
    assert (incident.kind, incident.element, incident.attempts) == (IncidentKind.TIMER, "notify", 1)
    assert timers.sweep().claimed == 0  # halted: the sweep does not retry it every lease period
    assert [v.problem for v in health.check_instances()] == ["error"]


def test_an_administrator_retries_the_halted_instance_after_the_fix(app, clock, flaky):
    instance_id = _waiting()
    clock.advance(timedelta(days=2))
    timers.sweep()
    incident_id = db.session.scalar(select(Incident.id))
    with pytest.raises(NotAllowed):
        incidents.retry(incident_id, actor=SUPERVISOR)
    assert incidents.retry(incident_id, actor=SYSTEM) is False  # still broken: it stays halted, one more attempt
    assert db.session.get(Incident, incident_id).attempts == 2
    flaky["broken"] = False
    assert incidents.retry(incident_id, actor=SYSTEM) is True
    db.session.expire_all()
    assert db.session.get(ProcessInstance, instance_id).status == InstanceStatus.RUNNING
    assert only_ready_task(instance_id).bpmn_id == "follow_up"
    assert _written() == 1  # written once, by the step that went through
    assert db.session.get(Incident, incident_id).resolution == "retried"
    with pytest.raises(Conflict):
        incidents.retry(incident_id, actor=SYSTEM)
    assert health.find_orphans() == [] and health.check_instances() == []


def test_incidents_are_listed_in_the_region_only(app, clock, flaky):
    _waiting("220102"), _waiting("220103")
    clock.advance(timedelta(days=2))
    timers.sweep()
    assert incidents.list_incidents(SUPERVISOR).total == 1
    assert incidents.list_incidents(SYSTEM).total == 2
    assert incidents.count_open(Actor("other", frozenset({Role.SUPERVISOR}), "42")) == 0


def test_a_failed_completion_leaves_the_task_open_and_records_an_incident(app, clock, monkeypatch):
    def broken(params, context):
        raise RuntimeError("working days service unreachable")

    monkeypatch.setitem(OPERATIONS, "add_working_days", broken)
    instance_id = instances.start_instance("demo_followup", actor=SYSTEM, region_code="220102")
    task = only_ready_task(instance_id)
    with pytest.raises(EngineError):
        instances.complete_task(task.id, actor=SYSTEM, data=CONTACT)
    assert only_ready_task(instance_id).id == task.id  # still open: the user can try again
    incident = db.session.scalars(select(Incident)).one()
    assert (incident.kind, incident.element) == (IncidentKind.COMPLETION, "plan_follow_up")
    assert db.session.get(ProcessInstance, instance_id).status == InstanceStatus.RUNNING
    with pytest.raises(Conflict):
        incidents.retry(incident.id, actor=SYSTEM)  # the user retries a task, not the administrator
    incidents.dismiss(incident.id, actor=SYSTEM)
    assert incidents.list_incidents(SYSTEM).total == 0


def test_one_failing_instance_in_a_sweep_batch_is_an_incident_and_the_rest_of_the_batch_commits(app, clock, flaky,
                                                                                                  monkeypatch):
    waiting = [_waiting() for _ in range(3)]
    real = OPERATIONS["write_then_maybe_fail"]
    flaky["broken"] = False

    def fail_on_second_call(params, context):
        flaky["broken"] = flaky["calls"] == 1  # the second wake of the batch fails after its write
        return real(params, context)

    monkeypatch.setitem(OPERATIONS, "write_then_maybe_fail", fail_on_second_call)
    clock.advance(timedelta(days=2))
    result = timers.sweep()
    assert (result.claimed, result.woken, len(result.errors)) == (3, 2, 1)
    failed = result.errors[0]
    db.session.expire_all()
    assert _written() == 2  # the failing instance's handler write was rolled back with its step only
    incident = db.session.scalars(select(Incident)).one()
    assert incident.instance_id == failed and db.session.get(ProcessInstance, failed).status == InstanceStatus.ERROR
    for instance_id in set(waiting) - {failed}:
        assert only_ready_task(instance_id).bpmn_id == "follow_up"
        assert db.session.get(ProcessInstance, instance_id).lease_owner is None
    assert timers.sweep().claimed == 0
