"""Reassignment without stopping workflows, out-of-office substitutes and the rule for new handovers."""

from datetime import timedelta

import pytest
from helpers import count_events
from sqlalchemy import event, func, select, update
from supervision_helpers import REACHED, actor, case, do, open_in, owner, task

from caseflow.domain.enums import EventAction, HumanTaskState, InstanceStatus
from caseflow.errors import Conflict, InvalidInput, NotFound, OutOfRegion
from caseflow.extensions import db
from caseflow.models import Case, EventLog, HumanTask, ProcessInstance, User
from caseflow.services import inbox, reassignment, timers
from caseflow.services.reassignment import CaseSelection
from caseflow.services.supervision import CaseFilter


def mine(username: str) -> list[str]:
    db.session.expire_all()
    return [row.task.bpmn_id for row in inbox.list_inbox(actor(username), inbox.InboxQuery()).rows]


def test_reassigning_a_task_moves_it_between_inboxes_while_the_workflow_keeps_running(app, staff):
    case_id = open_in("220102")[0]
    assert owner(case_id) == "nanguan_cw1" and mine("nanguan_cw1") == ["attempt"]
    attempt = task(case_id, "attempt")
    reassignment.reassign_task(attempt.id, to_user_id=staff["nanguan_cw2"].id, reason="王丽休假",
                               actor=actor("nanguan_sup"))
    assert mine("nanguan_cw1") == [] and mine("nanguan_cw2") == ["attempt"]
    assert count_events(EventAction.TASK_REASSIGNED) == 1
    do(case_id, "attempt", "nanguan_cw2", **REACHED)  # the workflow runs on: the next task is the case owner's
    assert task(case_id, "classify").assignee == "nanguan_cw1"
    instance = db.session.get(ProcessInstance, case(case_id).instance_id)
    assert instance.status == InstanceStatus.RUNNING


def test_a_task_outside_the_region_cannot_be_reassigned_nor_given_to_another_county(app, staff):
    a, b = open_in("220102")[0], open_in("220103")[0]
    with pytest.raises(NotFound):
        reassignment.reassign_task(task(b, "attempt").id, to_user_id=staff["nanguan_cw2"].id, reason="试试",
                                   actor=actor("nanguan_sup"))
    with pytest.raises(NotFound):  # a caseworker of another county does not exist for a county supervisor
        reassignment.reassign_task(task(a, "attempt").id, to_user_id=staff["kuancheng_cw1"].id, reason="试试",
                                   actor=actor("nanguan_sup"))
    with pytest.raises(InvalidInput):  # the city supervisor sees both, but a case stays in its county
        reassignment.reassign_task(task(a, "attempt").id, to_user_id=staff["kuancheng_cw1"].id, reason="试试",
                                   actor=actor("changchun_sup"))
    with pytest.raises(InvalidInput):
        reassignment.reassign_task(task(a, "attempt").id, to_user_id=staff["nanguan_cw2"].id, reason="",
                                   actor=actor("nanguan_sup"))
    assert task(a, "attempt").assignee == "nanguan_cw1" and count_events(EventAction.TASK_REASSIGNED) == 0


def _no_intent_waiting_for_its_recheck(clock) -> int:
    case_id = open_in("220102")[0]
    do(case_id, "attempt", "nanguan_cw1", **REACHED)
    do(case_id, "classify", "nanguan_cw1", status="no_intent", no_intent_reason="exam_preparation",
       startup_intent=False, effective_on="2026-07-01")
    clock.advance(timedelta(days=32))  # the monthly re-check timer is due now
    return case_id


def test_a_timer_due_during_a_case_reassignment_fires_once_and_its_task_goes_to_the_new_caseworker(
        app, staff, clock, monkeypatch):
    case_id = _no_intent_waiting_for_its_recheck(clock)
    instance_id = case(case_id).instance_id
    real_wake = timers.engine.wake

    def wake_while_reassigned(*args, **kwargs):
        snapshot = real_wake(*args, **kwargs)
        with app.app_context():  # another request reassigns the case between the engine step and its commit
            reassignment.reassign_case(case_id, seen_caseworker_id=staff["nanguan_cw1"].id,
                                       to_user_id=staff["nanguan_cw2"].id, reason="调岗", actor=actor("nanguan_sup"))
        return snapshot

    monkeypatch.setattr(timers.engine, "wake", wake_while_reassigned)
    first = timers.sweep()
    assert (first.woken, first.conflicts) == (0, 1)  # the stale step lost its version check, nothing applied
    monkeypatch.setattr(timers.engine, "wake", real_wake)
    assert timers.sweep().woken == 1
    assert timers.sweep().claimed == 0
    assert count_events(EventAction.TIMER_FIRED, instance_id) == 1
    assert task(case_id, "reclassify").assignee == "nanguan_cw2" and owner(case_id) == "nanguan_cw2"


def test_after_a_case_reassignment_the_workflow_sends_its_next_tasks_to_the_new_caseworker(app, staff, clock):
    case_id = _no_intent_waiting_for_its_recheck(clock)
    moved = reassignment.reassign_case(case_id, seen_caseworker_id=staff["nanguan_cw1"].id,
                                       to_user_id=staff["nanguan_cw2"].id, reason="调岗", actor=actor("nanguan_sup"))
    assert moved == 1
    assert timers.sweep().woken == 1
    assert task(case_id, "reclassify").assignee == "nanguan_cw2"
    timeline = db.session.scalars(select(EventLog).where(EventLog.case_id == case_id,
                                                         EventLog.action == EventAction.CASE_ASSIGNED)).one()
    assert timeline.detail == {"from": "nanguan_cw1", "to": "nanguan_cw2", "reason": "调岗", "bulk": 1}


def _statements(app):
    seen = []

    def count(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)
    return seen, count


def test_bulk_reassignment_of_a_caseworkers_500_cases_is_one_set_based_transaction(app, staff):
    db.session.execute(update(User).where(User.username == "nanguan_cw2").values(active=False))
    ids = open_in("220102", 500)
    db.session.execute(update(User).where(User.username == "nanguan_cw2").values(active=True))
    db.session.commit()
    assert {owner(ids[0]), owner(ids[-1])} == {"nanguan_cw1"}
    supervisor = actor("nanguan_sup")  # signing in is not part of the reassignment's statements
    seen, count = _statements(app)
    commits = []
    event.listen(db.engine, "before_cursor_execute", count)
    event.listen(db.session, "after_commit", lambda session: commits.append(1))
    try:
        moved = reassignment.reassign_cases(
            CaseSelection(filter=CaseFilter(caseworker_id=staff["nanguan_cw1"].id), expected=500),
            to_user_id=staff["nanguan_cw2"].id, reason="王丽调往档案科", actor=supervisor)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert moved == 500 and len(commits) == 1
    assert len(seen) <= 8, seen  # select, cases, instances, tasks, events, user names: not one per case
    cw2 = staff["nanguan_cw2"]
    assert db.session.scalar(select(func.count()).where(Case.caseworker_id == cw2.id)) == 500
    assert db.session.scalar(select(func.count()).where(ProcessInstance.assignee == "nanguan_cw2")) == 500
    assert db.session.scalar(select(func.count()).where(HumanTask.assignee == "nanguan_cw1",
                                                        HumanTask.state == HumanTaskState.READY)) == 0
    assert count_events(EventAction.CASE_ASSIGNED) == 500
    assert db.session.scalar(select(func.count()).where(ProcessInstance.status != InstanceStatus.RUNNING)) == 0


def test_a_selection_changed_meanwhile_conflicts_and_nothing_is_applied(app, staff):
    first, second = open_in("220102", 2)
    cw1, cw2, sup = staff["nanguan_cw1"].id, staff["nanguan_cw2"].id, actor("nanguan_sup")
    seen = {first: case(first).caseworker_id, second: case(second).caseworker_id}
    reassignment.reassign_case(second, seen_caseworker_id=seen[second], to_user_id=cw1 if seen[second] == cw2
                               else cw2, reason="先调一个", actor=sup)
    with pytest.raises(Conflict):
        reassignment.reassign_cases(CaseSelection(seen=seen), to_user_id=cw2, reason="全部调走", actor=sup)
    assert case(first).caseworker_id == seen[first]  # the other case of the selection did not move either
    with pytest.raises(Conflict):
        reassignment.reassign_cases(CaseSelection(filter=CaseFilter(caseworker_id=cw1), expected=7),
                                    to_user_id=cw2, reason="全部调走", actor=sup)
    assert count_events(EventAction.CASE_ASSIGNED) == 1


def test_county_supervisors_reassign_only_their_county_and_the_city_supervisor_both(app, staff):
    a, b = open_in("220102")[0], open_in("220103")[0]
    cw_b = staff["kuancheng_cw1"]
    with pytest.raises(OutOfRegion) as refused:
        reassignment.reassign_case(b, seen_caseworker_id=cw_b.id, to_user_id=cw_b.id, reason="越权",
                                   actor=actor("nanguan_sup"))
    assert refused.value.kind == "user"  # the target caseworker is outside too; the web edge audits it
    with pytest.raises(OutOfRegion) as refused:
        reassignment.reassign_cases(CaseSelection(seen={a: case(a).caseworker_id, b: cw_b.id}),
                                    to_user_id=staff["nanguan_cw2"].id, reason="越权", actor=actor("nanguan_sup"))
    assert refused.value.case_id == b and case(a).caseworker_id != staff["nanguan_cw2"].id
    with pytest.raises(InvalidInput):
        reassignment.reassign_case(a, seen_caseworker_id=case(a).caseworker_id, to_user_id=cw_b.id,
                                   reason="跨区", actor=actor("changchun_sup"))
    assert reassignment.reassign_case(a, seen_caseworker_id=case(a).caseworker_id,
                                      to_user_id=staff["nanguan_cw2"].id, reason="市局调整",
                                      actor=actor("changchun_sup")) == 1
    assert count_events(EventAction.CASE_ASSIGNED) == 1


def test_out_of_office_sends_new_tasks_to_the_substitute_and_stops_at_the_end_date(app, staff, clock):
    first, second = open_in("220102", 2)
    mine_ = first if owner(first) == "nanguan_cw1" else second
    today = clock.now().date()
    reassignment.set_absence(staff["nanguan_cw1"].id, away_from=today, away_until=today + timedelta(days=2),
                             substitute_id=staff["nanguan_cw2"].id, actor=actor("nanguan_sup"))
    assert task(mine_, "attempt").assignee == "nanguan_cw1"  # tasks already there stay
    do(mine_, "attempt", "nanguan_cw1", **REACHED)
    assert task(mine_, "classify").assignee == "nanguan_cw2"  # a new task goes to the substitute
    assert owner(mine_) == "nanguan_cw1"  # the case stays hers
    newcomer = open_in("220102")[0]
    assert owner(newcomer) == "nanguan_cw2"  # new handovers pass her by while she is away
    clock.advance(timedelta(days=2, hours=12))  # the last day of the absence, Beijing time
    do(mine_, "classify", "nanguan_cw2", status="no_intent", no_intent_reason="exam_preparation",
       startup_intent=False, effective_on="2026-07-03")
    clock.advance(timedelta(days=1))  # the day after: she is back
    do(newcomer, "attempt", "nanguan_cw2", **REACHED)
    assert task(newcomer, "classify").assignee == "nanguan_cw2"
    other = open_in("220102", 2)
    assert "nanguan_cw1" in {owner(case_id) for case_id in other}
    back = first if mine_ == second else second
    do(back, "attempt", owner(back), **REACHED)
    assert task(back, "classify").assignee == owner(back)
    assert count_events(EventAction.ABSENCE_SET) == 1


def test_substitutes_are_resolved_with_one_query_per_unit_of_work(app, staff, clock):
    today = clock.now().date()
    reassignment.set_absence(staff["nanguan_cw1"].id, away_from=today, away_until=today,
                             substitute_id=staff["nanguan_cw2"].id, actor=actor("nanguan_sup"))
    seen, count = _statements(app)
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        open_in("220102", 40)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert sum("away_from" in statement for statement in seen) <= 2  # routing's staff list, the task rows' cache


def test_the_street_rule_gives_a_new_case_to_the_caseworker_of_the_graduates_street(app, staff):
    from caseflow.domain.enums import Role
    from caseflow.services import accounts

    accounts.create_user("nanling_cw", password="x", role=Role.CASEWORKER, region_code="220102001",
                         display_name="南岭街道专员")
    app.config["CASEFLOW_ASSIGNMENT_RULE"] = "street"
    local = open_in("220102", 3, residence="220102001")
    assert {owner(case_id) for case_id in local} == {"nanling_cw"}
    elsewhere = open_in("220102", 3, residence="220102003")
    assert "nanling_cw" not in {owner(case_id) for case_id in elsewhere}  # no one of 220102003: balanced
    app.config["CASEFLOW_ASSIGNMENT_RULE"] = "balanced"
    balanced = open_in("220102", 6)
    assert len({owner(case_id) for case_id in balanced}) == 3
