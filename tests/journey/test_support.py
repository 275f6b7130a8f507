"""Entrepreneurship and hardship support under both province profiles (seeds 001 §(九)(十)(十八), 004 §(九)): the
mentor's training and guidance, the loan's amount and cap, the startup subsidy from the decision table with its
decision on the case file, and the one-time job-seeking subsidy for hardship graduates, counted in the report."""

from datetime import date

import pytest
from journey_helpers import advance, case_row, do, ready, ready_ids
from sqlalchemy import select
from support_helpers import PLACE_IDS, PLACES, reach_and_classify, report_total, workbook_total

from caseflow.domain.enums import CaseStatus, EventAction, ServiceKind
from caseflow.errors import InvalidInput, NotAllowed
from caseflow.extensions import db
from caseflow.models import EntrepreneurshipSupport, EventLog, ServiceRecord, SubsidyGrant
from caseflow.services import inbox

PLAN = {"goals": "稳定就业", "measures": "岗位推荐+技能培训", "mentor": "李老师", "planned_on": "2026-07-03"}


@pytest.fixture(params=PLACES, ids=PLACE_IDS)
def place(request, province):
    return request.param


def support_of(case_id: int) -> EntrepreneurshipSupport:
    db.session.expire_all()
    return db.session.scalars(select(EntrepreneurshipSupport).where(EntrepreneurshipSupport.case_id == case_id)).one()


def registered(place, *, leaving: date = date(2026, 6, 30), on: str = "2026-08-20") -> int:
    case_id = place.open(leaving=leaving)
    reach_and_classify(place, case_id, startup_intent=True)
    do(case_id, "training", place.mentor, course="syb", completed_on="2026-08-01")
    do(case_id, "guidance", place.mentor, topic="business_plan", held_on="2026-08-10")
    do(case_id, "registration", place.caseworker, business_name="青禾文创工作室", registered_on=on, first_business=True)
    return case_id


def test_the_mentor_works_startup_training_and_guidance(place, clock):
    case_id = place.open()
    reach_and_classify(place, case_id, startup_intent=True)
    training = ready(case_id)[0]
    assert (training.bpmn_id, training.lane, training.assignee) == ("training", "mentor", None)
    queue = inbox.list_inbox(place.mentor, inbox.InboxQuery(scope="team"))
    assert [row.task.bpmn_id for row in queue.rows] == ["training"]
    with pytest.raises(NotAllowed):
        do(case_id, "training", place.caseworker, course="syb", completed_on="2026-08-01")
    do(case_id, "training", place.mentor, course="syb", completed_on="2026-08-01")
    do(case_id, "guidance", place.mentor, topic="project_appraisal", held_on="2026-08-10", notes="市场调研")
    assert ready_ids(case_id) == ["registration"]
    kinds = db.session.scalars(select(ServiceRecord.kind).where(ServiceRecord.case_id == case_id)).all()
    assert kinds == [ServiceKind.STARTUP_TRAINING, ServiceKind.STARTUP_GUIDANCE]


def test_an_approved_loan_needs_an_amount_within_the_configured_cap(place, clock, app):
    case_id = registered(place)
    with pytest.raises(InvalidInput):
        do(case_id, "loan", place.caseworker, requested=True, status="approved")  # no amount
    with pytest.raises(InvalidInput):
        do(case_id, "loan", place.caseworker, requested=True, amount=200_001, status="approved")
    app.config["CASEFLOW_STARTUP_LOAN_MAX"] = 100_000  # the cap is configuration
    with pytest.raises(InvalidInput):
        do(case_id, "loan", place.caseworker, requested=True, amount=150_000, status="approved")
    assert ready_ids(case_id) == ["loan"]  # nothing applied
    do(case_id, "loan", place.caseworker, requested=True, partnership=True, amount=220_000, status="approved")
    support = support_of(case_id)
    assert (support.loan_amount, support.loan_partnership, support.loan_status) == (220_000, True, "approved")


def test_a_loan_not_requested_needs_no_amount(place, clock):
    case_id = registered(place)
    do(case_id, "loan", place.caseworker, requested=False, status="not_requested")
    assert support_of(case_id).loan_amount is None


def test_the_startup_subsidy_amount_comes_from_the_decision_table_not_the_form(place, clock):
    case_id = registered(place)
    do(case_id, "loan", place.caseworker, requested=True, amount=150_000, status="approved")
    support = support_of(case_id)
    assert (support.subsidy_eligible, support.subsidy_amount, support.months_to_registration) == (True, 5000, 1)
    do(case_id, "pay", place.caseworker, paid_on="2026-09-01", amount=8000)  # a typed amount is not the form's
    assert support_of(case_id).subsidy_amount == 5000
    assert case_row(case_id).status == CaseStatus.PLACED and ready_ids(case_id) == ["verify"]
    advance(clock, 70)  # to 9 September: registered on 20 August, paid on 1 September
    total = report_total(place)
    assert (total.startups, total.loans, total.subsidies, total.startup_subsidy_amount) == (1, 1, 1, 5000)
    assert workbook_total(place, "subsidies")["startup_subsidy_amount"] == 5000


@pytest.mark.parametrize(("registered_on", "eligible", "reason", "months"), [
    ("2028-06-29", True, "within_two_years", 23), ("2028-06-30", False, "registered_after_two_years", 24)])
def test_the_subsidy_decision_is_in_the_timeline_and_on_the_entrepreneurship_record(place, clock, registered_on,
                                                                                    eligible, reason, months):
    case_id = registered(place, on=registered_on)
    do(case_id, "loan", place.caseworker, requested=False, status="not_requested")
    decision = db.session.scalars(select(EventLog).where(EventLog.case_id == case_id,
                                                         EventLog.action == EventAction.SUBSIDY_DECIDED)).one()
    assert (decision.detail["eligible"], decision.detail["reason"], decision.detail["months"]) == (
        eligible, reason, months)
    support = support_of(case_id)
    assert (support.subsidy_eligible, support.subsidy_reason) == (eligible, reason)
    assert ready_ids(case_id) == (["pay"] if eligible else ["verify"])


def test_a_hardship_graduate_is_offered_the_jobseeking_subsidy_and_the_report_counts_it(place, clock):
    case_id = place.open(hardship=("zero_employment",))
    reach_and_classify(place, case_id)
    do(case_id, "plan", place.caseworker, **PLAN)
    do(case_id, "approve_plan", place.supervisor, decision="approve")
    offer = ready(case_id)[0]
    assert (offer.bpmn_id, offer.assignee) == ("offer_subsidy", place.caseworker.user_id)
    with pytest.raises(InvalidInput):
        do(case_id, "offer_subsidy", place.caseworker, response="accepted")  # paid: amount and date required
    do(case_id, "offer_subsidy", place.caseworker, response="accepted", amount=1500, paid_on="2026-07-10")
    grant = db.session.scalars(select(SubsidyGrant).where(SubsidyGrant.case_id == case_id)).one()
    assert (grant.kind, grant.amount, grant.paid_on) == ("jobseeking", 1500, date(2026, 7, 10))
    assert ready_ids(case_id) == ["deliver", "visit_task"]  # then the services and visits, as for every hardship
    # graduate
    advance(clock, 10)
    total = report_total(place)
    assert (total.jobseeking_offered, total.jobseeking_paid, total.jobseeking_amount) == (1, 1, 1500)
    assert workbook_total(place, "subsidies") == {"jobseeking_offered": 1, "jobseeking_paid": 1,
                                                  "jobseeking_amount": 1500, "subsidies": 0,
                                                  "startup_subsidy_amount": 0, "training_subsidies": 0,
                                                  "training_subsidy_amount": 0}


def test_a_subsidy_already_received_through_the_school_is_recorded_but_not_paid_again(place, clock):
    case_id = place.open(hardship=("disabled",))
    reach_and_classify(place, case_id)
    do(case_id, "plan", place.caseworker, **PLAN)
    do(case_id, "approve_plan", place.supervisor, decision="approve")
    do(case_id, "offer_subsidy", place.caseworker, response="received_before", amount=1500)
    grant = db.session.scalars(select(SubsidyGrant).where(SubsidyGrant.case_id == case_id)).one()
    assert (grant.received_before, grant.amount, grant.paid_on) == (True, None, None)
    advance(clock, 1)
    total = report_total(place)
    assert (total.jobseeking_offered, total.jobseeking_paid) == (1, 0)


def test_a_graduate_without_hardship_is_not_offered_the_jobseeking_subsidy(place, clock):
    case_id = place.open()
    reach_and_classify(place, case_id)
    assert "offer_subsidy" not in ready_ids(case_id)
    assert db.session.scalars(select(SubsidyGrant)).all() == []
