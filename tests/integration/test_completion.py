"""Completing human tasks: exactly once, under races and retries."""

import threading

import pytest
from helpers import CONTACT, count_events, only_ready_task, ready_tasks

from caseflow.domain.actor import SYSTEM, Actor
from caseflow.domain.enums import EventAction, HumanTaskState, InstanceStatus, Role
from caseflow.errors import Conflict, NotAllowed, NotFound
from caseflow.extensions import db
from caseflow.models import HumanTask, ProcessInstance
from caseflow.services import instances

CASEWORKER_A = Actor("cw-a", frozenset({Role.CASEWORKER}), "220102")


def start(region="220102"):
    return instances.start_instance("demo_followup", actor=SYSTEM, region_code=region, data={"graduate": 1})


def test_start_projects_the_first_task_into_the_inbox(app, clock):
    instance_id = start()
    task = only_ready_task(instance_id)
    assert (task.bpmn_id, task.lane, task.form_key, task.region_code) == (
        "first_contact", "caseworker", "first_contact", "220102")
    assert task.created_at == clock.now() and task.due_at > clock.now()
    assert count_events(EventAction.INSTANCE_STARTED, instance_id) == 1


def test_completion_advances_the_workflow_and_sets_the_next_due_time(app, clock):
    instance_id = start()
    task = only_ready_task(instance_id)
    done = instances.complete_task(task.id, actor=CASEWORKER_A, data=CONTACT)
    assert not done.replayed and done.next_tasks == ()
    db.session.expire_all()
    assert db.session.get(HumanTask, task.id).state == HumanTaskState.COMPLETED
    assert db.session.get(HumanTask, task.id).completed_by == "cw-a"
    row = db.session.get(ProcessInstance, instance_id)
    assert row.next_due is not None and (row.next_due - clock.now()).days == 30
    assert row.status == InstanceStatus.RUNNING and ready_tasks(instance_id) == []


def test_second_completion_of_same_task_conflicts_naming_who_did_it(app):
    task = only_ready_task(start())
    instances.complete_task(task.id, actor=CASEWORKER_A, data=CONTACT)
    with pytest.raises(Conflict, match="cw-a"):
        instances.complete_task(task.id, actor=CASEWORKER_A, data=CONTACT)
    assert count_events(EventAction.TASK_COMPLETED) == 1


def test_repeating_with_the_same_idempotency_key_does_not_complete_twice(app):
    instance_id = start()
    task = only_ready_task(instance_id)
    first = instances.complete_task(task.id, actor=CASEWORKER_A, data=CONTACT, idempotency_key="k-1")
    again = instances.complete_task(task.id, actor=CASEWORKER_A, data=CONTACT, idempotency_key="k-1")
    assert (first.replayed, again.replayed) == (False, True)
    assert again.instance_id == instance_id
    assert count_events(EventAction.TASK_COMPLETED) == 1


def test_idempotency_key_cannot_be_reused_for_another_task(app):
    one, two = only_ready_task(start()), only_ready_task(start())
    instances.complete_task(one.id, actor=CASEWORKER_A, data=CONTACT, idempotency_key="k-2")
    with pytest.raises(Conflict):
        instances.complete_task(two.id, actor=CASEWORKER_A, data=CONTACT, idempotency_key="k-2")


def test_task_outside_the_actors_region_does_not_exist_for_them(app):
    task = only_ready_task(start(region="220203"))
    with pytest.raises(NotFound):
        instances.complete_task(task.id, actor=CASEWORKER_A, data=CONTACT)


def test_role_must_match_the_lane(app):
    analyst = Actor("an", frozenset({Role.ANALYST}), "22")
    task = only_ready_task(start())
    with pytest.raises(NotAllowed):
        instances.complete_task(task.id, actor=analyst, data=CONTACT)


def test_two_threads_completing_one_task_one_wins_one_conflicts(app):
    instance_id = start()
    task_id = only_ready_task(instance_id).id
    version_before = db.session.get(ProcessInstance, instance_id).lock_version
    barrier = threading.Barrier(2)
    outcomes = []

    def worker():
        with app.app_context():
            barrier.wait()
            try:
                instances.complete_task(task_id, actor=CASEWORKER_A, data=CONTACT)
                outcomes.append("ok")
            except Conflict:
                outcomes.append("conflict")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict", "ok"]
    db.session.expire_all()
    assert count_events(EventAction.TASK_COMPLETED, instance_id) == 1
    assert db.session.get(ProcessInstance, instance_id).lock_version == version_before + 1


def test_a_crash_between_engine_step_and_commit_leaves_the_case_before_the_step(app, monkeypatch):
    from caseflow.services import instances as instances_module

    instance_id = start()
    task = only_ready_task(instance_id)
    version_before = db.session.get(ProcessInstance, instance_id).lock_version

    def crash(**kwargs):
        raise RuntimeError("process killed")

    monkeypatch.setattr(instances_module, "log_event", crash)
    with pytest.raises(RuntimeError):
        instances.complete_task(task.id, actor=CASEWORKER_A, data=CONTACT, idempotency_key="k-crash")
    monkeypatch.undo()
    db.session.expire_all()
    assert db.session.get(HumanTask, task.id).state == HumanTaskState.READY
    assert db.session.get(ProcessInstance, instance_id).lock_version == version_before
    assert count_events(EventAction.TASK_COMPLETED) == 0
    first = instances.complete_task(task.id, actor=CASEWORKER_A, data=CONTACT, idempotency_key="k-crash")
    again = instances.complete_task(task.id, actor=CASEWORKER_A, data=CONTACT, idempotency_key="k-crash")
    assert (first.replayed, again.replayed) == (False, True)
    assert count_events(EventAction.TASK_COMPLETED) == 1
