"""Package requirements per province profile, and monthly follow-up over a year."""

from datetime import UTC, datetime

from journey_helpers import CW_A, CW_H, advance, case_row, do, graduate, open_case, ready_ids
from sqlalchemy import func, select

from caseflow.engine.serializer import decode
from caseflow.extensions import db
from caseflow.models import EventLog, HumanTask, ProcessInstance
from caseflow.services import cases
from caseflow.tasks.package import package_status_of

REACHED = {"channel": "phone", "outcome": "reached", "contacted_on": "2026-07-01"}


def seeking(case_id, actor, day="2026-07-01"):
    do(case_id, "attempt", actor, **{**REACHED, "contacted_on": day})
    do(case_id, "classify", actor, status="seeking", startup_intent=False, effective_on=day)


def deliver(case_id, actor, kind, response="accepted"):
    do(case_id, "deliver", actor, kind=kind, response=response, delivered_on="2026-07-02")


def test_same_services_complete_the_hubei_package_but_not_the_jilin_one(province, clock):
    jilin = open_case(graduate("220102200301011234", hukou="220102"))
    hubei = open_case(graduate("420102200301011236", hukou="420102"))
    assert (case_row(jilin).profile, case_row(hubei).profile) == ("jilin_1311", "hubei")
    for case_id, actor in ((jilin, CW_A), (hubei, CW_H)):
        seeking(case_id, actor)
        deliver(case_id, actor, "career_guidance")
        for _ in range(3):
            deliver(case_id, actor, "job_referral")
        deliver(case_id, actor, "training_offer")
    assert case_row(jilin).package_requirement["required_internship"] == 1
    assert package_status_of(case_row(jilin)).owed() == {"internship": 1}
    assert ready_ids(jilin) == ["deliver", "visit_task"]
    assert case_row(hubei).package_requirement["required_training_or_internship"] == 1
    assert package_status_of(case_row(hubei)).complete
    assert ready_ids(hubei) == ["visit_task"]  # the package is done; monthly follow-up goes on


def test_a_pending_offer_does_not_count_but_a_recorded_decline_does(province, clock):
    case_id = open_case(graduate())
    seeking(case_id, CW_A)
    deliver(case_id, CW_A, "career_guidance", "pending")
    assert package_status_of(case_row(case_id)).owed()["guidance"] == 1
    deliver(case_id, CW_A, "career_guidance", "declined")
    assert "guidance" not in package_status_of(case_row(case_id)).owed()


def complete_package(case_id):
    deliver(case_id, CW_A, "career_guidance")
    for _ in range(3):
        deliver(case_id, CW_A, "job_referral")
    deliver(case_id, CW_A, "training_offer")
    deliver(case_id, CW_A, "internship_offer")


def state_size(case_id) -> int:
    return len(db.session.get(ProcessInstance, case_row(case_id).instance_id).state)


def visit(case_id, actor, clock, status="seeking", **data):
    do(case_id, "visit_task", actor, channel="phone", status=status, visited_on=clock.now().date().isoformat(), **data)


def test_monthly_follow_up_fires_once_a_calendar_month_for_a_year_and_state_stays_bounded(province, clock):
    clock.frozen_at = datetime(2026, 1, 31, 2, 0, tzinfo=UTC)  # anchored on the 31st: the hardest month-end case
    case_id = open_case(graduate(leaving=datetime(2025, 12, 31).date()))
    seeking(case_id, CW_A, "2026-01-31")
    assert ready_ids(case_id) == ["deliver", "visit_task"]  # the month of classification has its visit
    visit(case_id, CW_A, clock)
    complete_package(case_id)
    sizes, visit_days = [], [clock.now().date()]
    for _ in range(11):
        for _ in range(31):
            advance(clock, 1)
            if ready_ids(case_id):
                break
        assert ready_ids(case_id) == ["visit_task"], clock.now()
        visit_days.append(clock.now().date())
        visit(case_id, CW_A, clock)
        sizes.append(state_size(case_id))
    assert [d.month for d in visit_days] == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]
    assert [d.day for d in visit_days] == [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    fired = db.session.scalar(select(func.count()).select_from(EventLog).where(
        EventLog.action == "timer_fired", EventLog.instance_id == case_row(case_id).instance_id))
    assert fired == 11
    visits = db.session.scalar(select(func.count()).select_from(HumanTask).where(HumanTask.bpmn_id == "visit_task"))
    assert visits == 12
    growth = [b - a for a, b in zip(sizes, sizes[1:], strict=False)]
    assert max(growth) - min(growth) < 200, growth  # linear: every month adds about the same
    assert sizes[-1] <= 16 * 1024, sizes  # GOALS P5
    assert decode(db.session.get(ProcessInstance, case_row(case_id).instance_id).state)["subprocesses"]


def test_open_cases_in_bulk_balance_caseworkers(province, clock):
    ids = [f"2201022003010{n:04d}" for n in range(6)]
    from stdnum.cn import ric
    graduates = [graduate(i + ric.calc_check_digit(i)) for i in ids]
    assert cases.open_cases(graduates, cohort=2026, actor=CW_A) == 6
    db.session.commit()
    owners = db.session.execute(select(HumanTask.assignee, func.count()).group_by(HumanTask.assignee)).all()
    assert dict(owners) == {"cw_a": 6}  # one caseworker in the county: all hers
