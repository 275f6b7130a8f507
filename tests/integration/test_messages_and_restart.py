"""Messages thrown go to the outbox; messages delivered by correlation key wake the waiting instance;
instances survive an app restart."""

from datetime import timedelta

import pytest
from helpers import CONTACT, TESTS_DIR, count_events, make_app, only_ready_task, ready_tasks
from sqlalchemy import select

from caseflow.domain.actor import SYSTEM
from caseflow.domain.enums import EventAction, InstanceStatus
from caseflow.engine import specs
from caseflow.errors import Conflict
from caseflow.extensions import db
from caseflow.models import OutboxMessage, ProcessInstance
from caseflow.services import deployment, instances, timers


@pytest.fixture
def await_details(app):
    files = {"await_details.bpmn": (TESTS_DIR / "bpmn" / "await_details.bpmn").read_text()}
    deployment.deploy(files, "await_details", actor=SYSTEM)


def test_thrown_message_lands_in_the_outbox(app, await_details):
    instance_id = instances.start_instance("await_details", actor=SYSTEM, data={"graduate": "G-1"},
                                        correlation_key="case:1")
    message = db.session.scalars(select(OutboxMessage)).one()
    assert (message.instance_id, message.name, message.payload, message.correlation_key) == (
        instance_id, "contact_details_requested", {"graduate": "G-1"}, "case:1")
    assert message.dispatched_at is None


def test_message_delivered_by_correlation_key_wakes_only_that_instance(app, await_details):
    one = instances.start_instance("await_details", actor=SYSTEM, data={"graduate": 1}, correlation_key="case:1")
    two = instances.start_instance("await_details", actor=SYSTEM, data={"graduate": 2}, correlation_key="case:2")
    delivered = instances.deliver_message("contact_details_received", correlation_key="case:2",
                                          payload={"phone": "13800000000"}, actor=SYSTEM)
    assert delivered == 1
    assert ready_tasks(one) == []
    assert only_ready_task(two).bpmn_id == "review"
    assert count_events(EventAction.MESSAGE_DELIVERED, two) == 1


def test_message_nobody_waits_for_is_a_conflict(app, await_details):
    instances.start_instance("await_details", actor=SYSTEM, data={"graduate": 1}, correlation_key="case:1")
    with pytest.raises(Conflict):
        instances.deliver_message("contact_details_received", correlation_key="case:9", payload={}, actor=SYSTEM)
    with pytest.raises(Conflict):
        instances.deliver_message("no_such_message", correlation_key="case:1", payload={}, actor=SYSTEM)


def test_instance_survives_an_app_restart_mid_journey(app, clock, migrated):
    instance_id = instances.start_instance("demo_followup", actor=SYSTEM)
    instances.complete_task(only_ready_task(instance_id).id, actor=SYSTEM, data=CONTACT)
    specs._cache.clear()  # a new process knows no parsed spec: it must rebuild it from the stored version
    db.session.remove()

    restarted = make_app(migrated, clock)
    with restarted.app_context():
        clock.advance(timedelta(days=31))
        assert timers.sweep().woken == 1
        task = only_ready_task(instance_id)
        instances.complete_task(task.id, actor=SYSTEM, data={"channel": "phone", "status": "employed",
                                                             "visited_on": "2026-08-01", "employer": "一汽",
                                                             "placement_kind": "contract_job",
                                                             "verified_how": "labour_contract",
                                                             "placed_on": "2026-07-20"})
        assert db.session.get(ProcessInstance, instance_id).status == InstanceStatus.COMPLETED
        db.session.remove()
