"""Seeker path: contact → classify → package → hired through a referral → closure → post-placement check."""

from journey_helpers import CW_A, SV_A, advance, case_row, do, graduate, open_case, ready, ready_ids
from sqlalchemy import select

from caseflow.domain.enums import CaseStatus, InstanceStatus
from caseflow.extensions import db
from caseflow.models import ProcessInstance, Referral
from caseflow.services import casefile

CONTACT = {"channel": "phone", "outcome": "reached", "contacted_on": "2026-07-01"}
SEEKING = {"status": "seeking", "startup_intent": False, "effective_on": "2026-07-01", "intended_place": "220102"}


def instance_of(case_id):
    return db.session.get(ProcessInstance, case_row(case_id).instance_id)


def service(kind, response="accepted", **extra):
    return {"kind": kind, "response": response, "delivered_on": "2026-07-03", **extra}


def test_seeker_gets_the_package_is_hired_through_a_referral_and_the_case_closes(province, clock):
    case_id = open_case(graduate())
    assert ready_ids(case_id) == ["attempt"]
    assert ready(case_id)[0].assignee == "cw_a"
    do(case_id, "attempt", CW_A, **CONTACT)
    do(case_id, "classify", CW_A, **SEEKING)
    referrals = db.session.scalars(select(Referral).where(Referral.case_id == case_id)).all()
    assert 3 <= len(referrals) <= 5 and all(r.pushed for r in referrals)
    assert ready_ids(case_id) == ["deliver", "visit_task"]  # this month's visit alongside the package
    do(case_id, "visit_task", CW_A, channel="phone", status="seeking", visited_on="2026-07-01")
    do(case_id, "deliver", CW_A, **service("career_guidance"))
    for referral in referrals[:3]:
        do(case_id, "deliver", CW_A, **service("job_referral", posting_id=referral.posting_id))
    do(case_id, "deliver", CW_A, **service("training_offer", "declined", decline_reason="busy"))
    assert ready_ids(case_id) == ["deliver"]  # Jilin 1311 still owes the internship
    do(case_id, "deliver", CW_A, **service("internship_offer"))
    assert ready_ids(case_id) == []  # package complete: waiting for next month's visit
    advance(clock, 32)
    assert ready_ids(case_id) == ["visit_task"]
    do(case_id, "visit_task", CW_A, channel="phone", status="seeking", visited_on="2026-08-02")
    assert ready_ids(case_id) == []  # next visit scheduled
    casefile.record_on_case(case_id, "referral_outcome", {"referral_id": str(referrals[0].id), "outcome": "hired",
                                                          "outcome_on": "2026-08-10"}, actor=CW_A)
    assert case_row(case_id).status == CaseStatus.PLACED
    assert ready_ids(case_id) == ["verify"]  # the journey left follow-up for closure at once
    do(case_id, "verify", CW_A, closure_reason="contract_job", verified_how="labour contract", closed_on="2026-08-11")
    do(case_id, "approve_closure", SV_A, decision="approve")
    assert case_row(case_id).status == CaseStatus.CLOSED and case_row(case_id).closure_reason == "contract_job"
    advance(clock, 80)
    assert ready_ids(case_id) == []
    advance(clock, 15)  # three months after closure
    do(case_id, "check", CW_A, still_employed="yes", checked_on="2026-11-15")
    assert instance_of(case_id).status == InstanceStatus.COMPLETED
