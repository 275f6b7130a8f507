"""An idempotency key is bound to its user, its task and its request body: only the same request again gets
the first outcome; the key sent with anything else is refused and changes nothing."""

import pytest
from helpers import CONTACT, count_events, only_ready_task
from werkzeug.datastructures import MultiDict

from caseflow.domain.actor import SYSTEM, Actor
from caseflow.domain.enums import EventAction, HumanTaskState, Role
from caseflow.errors import Conflict, InvalidInput
from caseflow.extensions import db
from caseflow.models import HumanTask
from caseflow.services import instances
from caseflow.services.instances import KeyReused

CASEWORKER_A = Actor("cw-a", frozenset({Role.CASEWORKER}), "220102")
CASEWORKER_B = Actor("cw-b", frozenset({Role.CASEWORKER}), "220102")


def start_task() -> HumanTask:
    instance_id = instances.start_instance("demo_followup", actor=SYSTEM, region_code="220102", data={"graduate": 1})
    return only_ready_task(instance_id)


def test_the_same_request_again_gets_the_first_outcome(app):
    task = start_task()
    first = instances.complete_task(task.id, actor=CASEWORKER_A, data=CONTACT, idempotency_key="k-same")
    again = instances.complete_task(task.id, actor=CASEWORKER_A, data=dict(reversed(CONTACT.items())),
                                    idempotency_key="k-same")
    assert (first.replayed, again.replayed) == (False, True)
    assert (again.instance_id, again.next_tasks) == (first.instance_id, first.next_tasks)


def test_a_web_form_sent_twice_replays_whatever_its_csrf_token(app):
    task = start_task()
    form = MultiDict({**CONTACT, "idempotency_key": "k-form", "csrf_token": "one"})
    instances.complete_task(task.id, actor=CASEWORKER_A, data=form, idempotency_key="k-form")
    resent = MultiDict({**CONTACT, "idempotency_key": "k-form", "csrf_token": "two"})
    assert instances.complete_task(task.id, actor=CASEWORKER_A, data=resent, idempotency_key="k-form").replayed


def test_the_key_with_other_data_is_refused_not_answered_with_the_first_outcome(app):
    task = start_task()
    instances.complete_task(task.id, actor=CASEWORKER_A, data=CONTACT, idempotency_key="k-data")
    with pytest.raises(KeyReused, match="different data") as refused:
        instances.complete_task(task.id, actor=CASEWORKER_A, data={**CONTACT, "outcome": "no_answer"},
                                idempotency_key="k-data")
    assert refused.value.http_status == 422
    assert count_events(EventAction.TASK_COMPLETED) == 1


def test_the_key_sent_by_another_user_is_refused(app):
    task = start_task()
    instances.complete_task(task.id, actor=CASEWORKER_A, data=CONTACT, idempotency_key="k-user")
    with pytest.raises(KeyReused, match="another user"):
        instances.complete_task(task.id, actor=CASEWORKER_B, data=CONTACT, idempotency_key="k-user")


def test_the_key_of_a_completed_task_cannot_complete_another_task(app):
    one, two = start_task(), start_task()
    instances.complete_task(one.id, actor=CASEWORKER_A, data=CONTACT, idempotency_key="k-task")
    with pytest.raises(Conflict, match="another task"):
        instances.complete_task(two.id, actor=CASEWORKER_B, data=CONTACT, idempotency_key="k-task")
    db.session.expire_all()
    assert db.session.get(HumanTask, two.id).state == HumanTaskState.READY


@pytest.mark.parametrize("key", ["k" * 101, "k" * 5_000, "k\x00ey", "k\ney"])
def test_a_key_the_log_cannot_hold_is_refused_and_the_task_stays_open(app, key):
    task = start_task()
    with pytest.raises(InvalidInput, match="idempotency key"):
        instances.complete_task(task.id, actor=CASEWORKER_A, data=CONTACT, idempotency_key=key)
    db.session.expire_all()
    assert db.session.get(HumanTask, task.id).state == HumanTaskState.READY
    assert count_events(EventAction.TASK_COMPLETED) == 0


def test_a_key_of_100_characters_is_accepted_and_replays(app):
    task = start_task()
    key = "k" * 100
    instances.complete_task(task.id, actor=CASEWORKER_A, data=CONTACT, idempotency_key=key)
    assert instances.complete_task(task.id, actor=CASEWORKER_A, data=CONTACT, idempotency_key=key).replayed
