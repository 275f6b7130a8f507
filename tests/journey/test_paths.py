"""One journey test per path, driven through the service layer on the simulated clock."""

from datetime import date

import pytest
from journey_helpers import CW_A, CW_B, SV_A, SV_B, advance, case_row, do, graduate, open_case, ready, ready_ids
from sqlalchemy import select

from caseflow.domain.actor import Actor
from caseflow.domain.enums import CaseStatus, DifficultyStatus, PlacementKind, Role, TransferStatus
from caseflow.errors import InvalidInput, NotAllowed, NotFound
from caseflow.extensions import db
from caseflow.models import Classification, EntrepreneurshipSupport, JobPosting, OutboxMessage, Placement, Transfer
from caseflow.services import casefile, instances, transfers

SV_CITY = Actor("sv_city", frozenset({Role.SUPERVISOR}), "2201")
MENTOR_A = Actor("mentor_a", frozenset({Role.MENTOR}), "220102")
REACHED = {"channel": "phone", "outcome": "reached", "contacted_on": "2026-07-01"}


def classify(case_id, status, **extra):
    do(case_id, "classify", CW_A, status=status, startup_intent=extra.pop("startup_intent", False),
       effective_on="2026-07-01", **extra)


def test_already_employed_graduate_is_verified_and_closed(province, clock):
    case_id = open_case(graduate())
    do(case_id, "attempt", CW_A, **REACHED)
    classify(case_id, "employed", employer="一汽集团", placement_kind="contract_job",
             verified_how="social_insurance")
    assert case_row(case_id).status == CaseStatus.PLACED
    assert ready_ids(case_id) == ["verify"]
    do(case_id, "verify", CW_A, closure_reason="contract_job", verified_how="social insurance record",
       closed_on="2026-07-03")
    do(case_id, "approve_closure", SV_A, decision="approve")
    assert case_row(case_id).status == CaseStatus.CLOSED


def test_no_intent_graduate_is_rechecked_monthly_and_becomes_a_seeker(province, clock):
    case_id = open_case(graduate())
    do(case_id, "attempt", CW_A, **REACHED)
    classify(case_id, "no_intent", no_intent_reason="exam_preparation")
    assert case_row(case_id).status == CaseStatus.NO_INTENT
    assert ready_ids(case_id) == []
    advance(clock, 29)
    assert ready_ids(case_id) == []
    advance(clock, 3)
    assert ready_ids(case_id) == ["reclassify"]
    do(case_id, "reclassify", CW_A, status="no_intent", no_intent_reason="exam_preparation",
       startup_intent=False, effective_on="2026-08-02")
    advance(clock, 31)
    do(case_id, "reclassify", CW_A, status="seeking", startup_intent=False, effective_on="2026-09-02")
    row = case_row(case_id)
    assert row.status == CaseStatus.SEEKING and row.ever_seeking
    assert ready_ids(case_id) == ["deliver", "visit_task"]  # the package and this month's visit together
    history = db.session.scalars(select(Classification.status).where(Classification.case_id == case_id)).all()
    assert history == ["no_intent", "no_intent", "seeking"]


def test_unreachable_graduate_is_requested_from_education_then_reached(province, clock):
    case_id = open_case(graduate())
    for channel in ("phone", "phone", "sms"):
        do(case_id, "attempt", CW_A, channel=channel, outcome="no_answer", contacted_on="2026-07-01")
    request = db.session.scalars(select(OutboxMessage).where(OutboxMessage.name == "contact_details_request")).one()
    assert request.payload["case_id"] == case_id
    assert ready_ids(case_id) == ["approve_unreachable"]
    do(case_id, "approve_unreachable", SV_A, decision="approve")
    assert case_row(case_id).status == CaseStatus.UNREACHABLE
    instances.deliver_message("contact_details_received", correlation_key=f"case:{case_id}",
                              payload={"phone": "13800000001"}, actor=SV_A)
    assert ready_ids(case_id) == ["attempt"]
    do(case_id, "attempt", CW_A, **REACHED)
    assert case_row(case_id).status == CaseStatus.PENDING_CONTACT
    assert ready_ids(case_id) == ["classify"]


def test_unreachable_graduate_is_retried_monthly_without_new_details(province, clock):
    case_id = open_case(graduate())
    for channel in ("phone", "sms", "wechat"):
        do(case_id, "attempt", CW_A, channel=channel, outcome="no_answer", contacted_on="2026-07-01")
    do(case_id, "approve_unreachable", SV_A, decision="approve")
    advance(clock, 32)
    assert ready_ids(case_id) == ["attempt"]
    do(case_id, "attempt", CW_A, channel="home_visit", outcome="no_answer", contacted_on="2026-08-02")
    assert ready_ids(case_id) == []  # details already requested: wait again for details or the next month
    requests = db.session.scalars(select(OutboxMessage).where(OutboxMessage.name == "contact_details_request")).all()
    assert len(requests) == 1


def test_hardship_graduate_not_placed_by_the_fallback_date_gets_a_public_welfare_post(province, clock):
    case_id = open_case(graduate(hardship=("minimum_subsidy",)))
    do(case_id, "attempt", CW_A, **REACHED)
    classify(case_id, "seeking")
    assert ready_ids(case_id) == ["plan"]
    do(case_id, "plan", CW_A, goals="稳定就业", measures="岗位推荐+技能培训", mentor="李老师", planned_on="2026-07-03")
    do(case_id, "approve_plan", SV_A, decision="reject", reason="补充培训安排")
    do(case_id, "plan", CW_A, goals="稳定就业", measures="岗位推荐+电工培训", mentor="李老师", planned_on="2026-07-04")
    do(case_id, "approve_plan", SV_A, decision="approve")
    assert ready_ids(case_id) == ["offer_subsidy"]
    do(case_id, "offer_subsidy", CW_A, response="received_before")
    assert ready_ids(case_id) == ["deliver", "visit_task"]
    advance(clock, 150)  # 2026-11-28: not yet
    assert "public_post" not in ready_ids(case_id)
    advance(clock, 3)  # past 30 November
    assert ready_ids(case_id) == ["public_post"]  # services interrupted, open service tasks withdrawn
    do(case_id, "public_post", CW_A, kind="public_welfare_post", employer="南关区社区服务中心",
       start_date="2026-12-01", verified_how="appointment_notice")
    placement = db.session.scalars(select(Placement).where(Placement.case_id == case_id)).one()
    assert placement.kind == PlacementKind.PUBLIC_WELFARE_POST
    assert ready_ids(case_id) == ["verify"]


def entrepreneur(case_id, registered_on):
    do(case_id, "attempt", CW_A, **REACHED)
    classify(case_id, "seeking", startup_intent=True)
    do(case_id, "training", MENTOR_A, course="syb", completed_on="2026-08-01")
    do(case_id, "guidance", MENTOR_A, topic="business_plan", held_on="2026-08-10")
    do(case_id, "registration", CW_A, business_name="青禾文创工作室", registered_on=registered_on, first_business=True)
    do(case_id, "loan", CW_A, requested=True, amount=150000, status="approved")


def test_entrepreneur_within_two_years_of_leaving_gets_the_subsidy(province, clock):
    case_id = open_case(graduate(leaving=date(2026, 6, 30)))
    entrepreneur(case_id, "2028-06-29")
    support = db.session.scalars(select(EntrepreneurshipSupport)
                                 .where(EntrepreneurshipSupport.case_id == case_id)).one()
    assert support.subsidy_eligible is True and support.loan_amount == 150000
    assert ready_ids(case_id) == ["pay"]
    do(case_id, "pay", CW_A, paid_on="2028-07-15")
    assert ready_ids(case_id) == ["verify"]
    assert case_row(case_id).status == CaseStatus.PLACED


def test_entrepreneur_two_years_after_leaving_is_refused_the_subsidy(province, clock):
    case_id = open_case(graduate(leaving=date(2026, 6, 30)))
    entrepreneur(case_id, "2028-06-30")
    support = db.session.scalars(select(EntrepreneurshipSupport)
                                 .where(EntrepreneurshipSupport.case_id == case_id)).one()
    assert support.subsidy_eligible is False
    assert ready_ids(case_id) == ["verify"]


def test_startup_loan_above_the_ceiling_is_refused(province, clock):
    case_id = open_case(graduate())
    do(case_id, "attempt", CW_A, **REACHED)
    classify(case_id, "seeking", startup_intent=True)
    do(case_id, "training", MENTOR_A, course="syb", completed_on="2026-08-01")
    do(case_id, "guidance", MENTOR_A, topic="financing", held_on="2026-08-10")
    do(case_id, "registration", CW_A, business_name="小店", registered_on="2026-08-20", first_business=True)
    from caseflow.errors import InvalidInput
    try:
        do(case_id, "loan", CW_A, requested=True, amount=250000, status="approved")
        raise AssertionError("a 250,000 yuan loan was accepted")
    except InvalidInput:
        pass
    assert ready_ids(case_id) == ["loan"]  # nothing applied


def test_seeker_still_unemployed_two_years_after_leaving_becomes_a_difficulty_candidate(province, clock):
    case_id = open_case(graduate(leaving=date(2024, 9, 30)))  # two years after leaving falls in this journey
    do(case_id, "attempt", CW_A, **REACHED)
    classify(case_id, "seeking")
    assert case_row(case_id).difficulty_status == DifficultyStatus.NONE
    advance(clock, 95)  # 2026-10-04: past 2026-09-30
    assert case_row(case_id).difficulty_status == DifficultyStatus.CANDIDATE
    assert "designate" in ready_ids(case_id) and "deliver" in ready_ids(case_id)  # services go on
    with pytest.raises(InvalidInput):
        do(case_id, "designate", SV_A, decision="reject")  # a rejection must say why
    do(case_id, "designate", SV_A, decision="reject", reason="缺少失业登记材料")
    resubmit = [t for t in ready(case_id) if t.bpmn_id == "resubmit_designation"][0]
    assert (resubmit.lane, resubmit.assignee) == ("caseworker", "cw_a")
    do(case_id, "resubmit_designation", CW_A, next_step="resubmit", changes="已补充失业登记证明")
    do(case_id, "designate", SV_A, decision="approve")
    assert case_row(case_id).difficulty_status == DifficultyStatus.CANDIDATE  # the county only recommends
    final = [t for t in ready(case_id) if t.bpmn_id == "designate_final"][0]
    assert final.region_code == "2201"  # the city agency reviews last
    with pytest.raises(NotFound):
        instances.complete_task(final.id, actor=SV_A, data={"decision": "approve"})
    do(case_id, "designate_final", SV_CITY, decision="approve")
    assert case_row(case_id).difficulty_status == DifficultyStatus.DESIGNATED
    assert "deliver" in ready_ids(case_id) and "designate_final" not in ready_ids(case_id)


def test_a_hardship_seeker_at_the_two_year_boundary_gets_the_same_two_level_review(province, clock):
    case_id = open_case(graduate(leaving=date(2024, 9, 30), hardship=("minimum_subsidy",)))
    do(case_id, "attempt", CW_A, **REACHED)
    classify(case_id, "seeking")
    do(case_id, "plan", CW_A, goals="稳定就业", measures="岗位推荐", mentor="李老师", planned_on="2026-07-03")
    do(case_id, "approve_plan", SV_A, decision="approve")
    do(case_id, "offer_subsidy", CW_A, response="declined")
    advance(clock, 95)
    do(case_id, "designate", SV_A, decision="approve")
    final = [t for t in ready(case_id) if t.bpmn_id == "designate_final"][0]
    assert final.region_code == "2201"
    do(case_id, "designate_final", SV_CITY, decision="approve")
    assert case_row(case_id).difficulty_status == DifficultyStatus.DESIGNATED


def test_designation_returned_at_the_final_review_can_be_withdrawn(province, clock):
    case_id = open_case(graduate(leaving=date(2024, 9, 30)))
    do(case_id, "attempt", CW_A, **REACHED)
    classify(case_id, "seeking")
    advance(clock, 95)
    do(case_id, "designate", SV_A, decision="approve")
    do(case_id, "designate_final", SV_CITY, decision="reject", reason="未满足认定条件")
    assert case_row(case_id).difficulty_status == DifficultyStatus.CANDIDATE
    do(case_id, "resubmit_designation", CW_A, next_step="withdraw")
    assert case_row(case_id).difficulty_status == DifficultyStatus.NONE
    assert not {"designate", "designate_final", "resubmit_designation"} & set(ready_ids(case_id))


def test_case_transferred_to_another_county_moves_with_its_open_tasks(province, clock):
    case_id = open_case(graduate())
    transfers.request_transfer(case_id, to_county="220103", reason="已迁居宽城区", actor=CW_A)
    do(case_id, "transfer_approve", SV_A, decision="approve")
    accept = [t for t in ready(case_id) if t.bpmn_id == "transfer_accept"]
    assert accept and accept[0].region_code == "220103"
    do(case_id, "transfer_accept", SV_B, decision="approve")
    row = case_row(case_id)
    assert (row.county_code, row.region_code) == ("220103", "220103")
    attempt = [t for t in ready(case_id) if t.bpmn_id == "attempt"][0]
    assert (attempt.region_code, attempt.assignee) == ("220103", "cw_b")
    status = db.session.scalars(select(Transfer.status).where(Transfer.case_id == case_id)).one()
    assert status == TransferStatus.ACCEPTED
    do(case_id, "attempt", CW_B, **REACHED)


def test_placement_recorded_on_the_case_file_ends_services(province, clock):
    case_id = open_case(graduate())
    do(case_id, "attempt", CW_A, **REACHED)
    classify(case_id, "seeking")
    pushed = casefile.list_referrals(case_id, actor=CW_A)
    casefile.record_on_case(case_id, "referral_outcome", {"referral_id": str(pushed[0].id), "outcome": "hired",
                                                          "outcome_on": "2026-07-20"}, actor=CW_A)
    assert ready_ids(case_id) == ["verify"]
    assert not any(t.bpmn_id == "deliver" for t in ready(case_id))


def test_one_person_cannot_do_both_levels_of_the_designation_review(province, clock):
    case_id = open_case(graduate(leaving=date(2024, 9, 30)))
    do(case_id, "attempt", CW_A, **REACHED)
    classify(case_id, "seeking")
    advance(clock, 95)
    do(case_id, "designate", SV_CITY, decision="approve")  # the city covers the county's first review too
    with pytest.raises(NotAllowed):
        do(case_id, "designate_final", SV_CITY, decision="approve")
    assert case_row(case_id).difficulty_status == DifficultyStatus.CANDIDATE


def test_after_the_supervisor_rejects_unreachable_the_next_failures_come_back_for_approval(province, clock):
    case_id = open_case(graduate())
    for channel in ("phone", "sms", "phone"):
        do(case_id, "attempt", CW_A, channel=channel, outcome="no_answer", contacted_on="2026-07-01")
    do(case_id, "approve_unreachable", SV_A, decision="reject", reason="再试一次上门")
    do(case_id, "attempt", CW_A, channel="home_visit", outcome="no_answer", contacted_on="2026-07-01")
    assert ready_ids(case_id) == ["approve_unreachable"]  # not parked for a month without approval
    requests = db.session.scalars(select(OutboxMessage).where(OutboxMessage.name == "contact_details_request")).all()
    assert len(requests) == 1  # the education department is asked once
    do(case_id, "approve_unreachable", SV_A, decision="approve")
    assert case_row(case_id).status == CaseStatus.UNREACHABLE and ready_ids(case_id) == []


def test_reaching_an_unreachable_graduate_from_the_case_file_ends_the_wait(province, clock):
    case_id = open_case(graduate())
    for channel in ("phone", "sms", "phone"):
        do(case_id, "attempt", CW_A, channel=channel, outcome="no_answer", contacted_on="2026-07-01")
    do(case_id, "approve_unreachable", SV_A, decision="approve")
    assert ready_ids(case_id) == []
    casefile.record_on_case(case_id, "contact_attempt", {**REACHED, "channel": "walk_in"}, actor=CW_A)
    assert ready_ids(case_id) == ["attempt"]  # the journey is back in the contact loop at once


def test_an_entrepreneur_hired_through_a_referral_leaves_the_startup_path_for_closure(province, clock):
    case_id = open_case(graduate())
    do(case_id, "attempt", CW_A, **REACHED)
    classify(case_id, "seeking", startup_intent=True)
    assert ready_ids(case_id) == ["training"]
    posting = db.session.scalars(select(JobPosting.id)).first()
    casefile.record_on_case(case_id, "record_service", {"kind": "job_referral", "response": "accepted",
                                                        "posting_id": str(posting), "delivered_on": "2026-07-10"},
                            actor=CW_A)
    referral = casefile.list_referrals(case_id, actor=CW_A)[0]
    casefile.record_on_case(case_id, "referral_outcome", {"referral_id": str(referral.id), "outcome": "hired",
                                                          "outcome_on": "2026-07-20"}, actor=CW_A)
    assert case_row(case_id).status == CaseStatus.PLACED
    assert ready_ids(case_id) == ["verify"]


def test_a_graduate_with_no_intent_at_the_two_year_mark_is_also_reviewed_for_difficulty(province, clock):
    case_id = open_case(graduate(leaving=date(2024, 9, 30)))
    do(case_id, "attempt", CW_A, **REACHED)
    classify(case_id, "no_intent", no_intent_reason="exam_preparation")
    advance(clock, 95)  # past 2026-09-30; monthly re-checks are due meanwhile
    assert case_row(case_id).difficulty_status == DifficultyStatus.CANDIDATE
    assert "designate" in ready_ids(case_id) and "reclassify" in ready_ids(case_id)
    do(case_id, "designate", SV_A, decision="approve")
    do(case_id, "designate_final", SV_CITY, decision="approve")
    assert case_row(case_id).difficulty_status == DifficultyStatus.DESIGNATED
