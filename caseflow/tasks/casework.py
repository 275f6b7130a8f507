"""Handlers that read or update the case file: contact summary, placement, the two-year boundary and the
difficulty status, transfer, the education-department request, entrepreneurship figures."""

from datetime import date

from flask import current_app
from sqlalchemy import select

from caseflow.domain.actor import SYSTEM
from caseflow.domain.enums import (
    CaseStatus,
    ContactOutcome,
    DifficultyStatus,
    EventAction,
)
from caseflow.domain.package import after_boundary
from caseflow.domain.schedule import full_months_between, two_year_boundary
from caseflow.extensions import db
from caseflow.models import (
    Case,
    ContactAttempt,
    EmploymentAssistance,
    EntrepreneurshipSupport,
    Graduate,
    OutboxMessage,
)
from caseflow.services.workflow import log_event
from caseflow.tasks import operation

REACHED = (ContactOutcome.REACHED, ContactOutcome.RELAYED_BY_FAMILY)


def case_of(context) -> Case:
    return db.session.get(Case, int(context.data["case_id"]))


@operation("contact_summary")
def contact_summary(params: dict, context) -> dict:
    """Whether the last attempt reached the graduate, and whether they now count as unreachable
    ([param] 3 failed attempts on 2 channels since the last successful contact)."""
    case = case_of(context)
    attempts = db.session.execute(select(ContactAttempt.outcome, ContactAttempt.channel)
                                  .where(ContactAttempt.case_id == case.id).order_by(ContactAttempt.id)).all()
    failed = []
    for outcome, channel in attempts:
        failed = [] if outcome in REACHED else [*failed, channel]
    reached = bool(attempts) and attempts[-1].outcome in REACHED
    config = current_app.config
    unreachable = (len(failed) >= config["CASEFLOW_UNREACHABLE_ATTEMPTS"]
                   and len(set(failed)) >= config["CASEFLOW_UNREACHABLE_CHANNELS"])
    return {"reached": reached, "failed_attempts": len(failed), "channels": len(set(failed)),
            "unreachable": unreachable, "approved": case.status == CaseStatus.UNREACHABLE,
            "details_requested": case.contact_details_requested_at is not None}


@operation("request_contact_details")
def request_contact_details(params: dict, context) -> dict:
    """Ask the education department for a graduate's contact details (a message in the outbox)."""
    case = case_of(context)
    graduate = db.session.get(Graduate, case.graduate_id)
    case.contact_details_requested_at = context.now
    db.session.add(OutboxMessage(instance_id=case.instance_id, name="contact_details_request",
                                 correlation_key=f"case:{case.id}", created_at=context.now,
                                 payload={"case_id": case.id, "graduate": graduate.name, "school": graduate.school,
                                          "id_masked": graduate.id_masked, "cohort": graduate.cohort}))
    return {"requested_at": context.now.isoformat()}


@operation("case_placed")
def case_placed(params: dict, context) -> dict:
    """Whether the graduate has a recorded placement."""
    return {"placed": case_of(context).status in (CaseStatus.PLACED, CaseStatus.CLOSED)}


def past_two_year_boundary(case: Case, now) -> bool:
    """Whether the graduate left school CASEFLOW_DIFFICULTY_YEARS (2) years or more before `now` (seed 001 §(十四))."""
    leaving = db.session.scalar(select(Graduate.leaving_date).where(Graduate.id == case.graduate_id))
    return now >= two_year_boundary(leaving, current_app.config["CASEFLOW_DIFFICULTY_YEARS"])


def _still_without_work(case: Case) -> bool:
    """Not placed (self-employment included) and no business registered on the entrepreneurship path."""
    if case.status in (CaseStatus.PLACED, CaseStatus.CLOSED):
        return False
    return db.session.scalar(select(EntrepreneurshipSupport.id).where(
        EntrepreneurshipSupport.case_id == case.id, EntrepreneurshipSupport.registered_on.isnot(None))) is None


def _difficulty_candidate(case: Case, now) -> bool:
    """Make the case an employment-difficulty candidate if it is still without work and was never reviewed."""
    reviewed = db.session.scalar(select(EmploymentAssistance.id).where(EmploymentAssistance.case_id == case.id))
    if reviewed is not None or not _still_without_work(case):
        return False
    db.session.add(EmploymentAssistance(case_id=case.id, candidate_at=now))
    case.difficulty_status = DifficultyStatus.CANDIDATE
    return True


@operation("two_year_boundary")
def two_year_boundary_reached(params: dict, context) -> dict:
    """Two years after leaving school: the package no longer asks for an internship, and a graduate still
    without work becomes an employment-difficulty candidate (once), reviewed finally by the city agency."""
    case = case_of(context)
    if case.package_requirement:
        case.package_requirement = after_boundary(case.package_requirement)
    candidate = _difficulty_candidate(case, context.now)
    return {"candidate": candidate, "city": (case.county_code or case.region_code)[:4]}


@operation("mark_difficulty_candidate")
def mark_difficulty_candidate(params: dict, context) -> dict:
    """The boundary step of journey versions deployed before the review became a call activity."""
    return two_year_boundary_reached(params, context)


@operation("months_since_leaving")
def months_since_leaving(params: dict, context) -> dict:
    """Full months from leaving school to the business registration date."""
    case = case_of(context)
    leaving = db.session.get(Graduate, case.graduate_id).leaving_date
    return {"months": full_months_between(leaving, date.fromisoformat(params["registered_on"]))}


@operation("record_subsidy_decision")
def record_subsidy_decision(params: dict, context) -> dict:
    """Keep the startup-subsidy decision (eligible and its amount, or refused) on the case's entrepreneurship
    record and in its timeline."""
    case = case_of(context)
    support = entrepreneurship_of(case)
    support.subsidy_eligible = bool(params["eligible"])
    support.subsidy_amount = int(params.get("amount") or 0) if support.subsidy_eligible else None
    months = params.get("months")
    support.months_to_registration = None if months is None else int(months)
    support.subsidy_reason = params.get("reason")
    support.subsidy_decided_at = context.now
    log_event(actor=SYSTEM, action=EventAction.SUBSIDY_DECIDED, now=context.now, instance_id=case.instance_id,
              case_id=case.id, kind="startup", eligible=support.subsidy_eligible, amount=support.subsidy_amount,
              months=support.months_to_registration, reason=support.subsidy_reason)
    return {"eligible": support.subsidy_eligible, "amount": support.subsidy_amount or 0}


def loan_limit(partnership: bool) -> int:
    """The most a guaranteed startup loan may be: per person, or per partner of a partnership (configuration;
    seed 001 §(十))."""
    config = current_app.config
    return config["CASEFLOW_STARTUP_LOAN_MAX_PARTNER" if partnership else "CASEFLOW_STARTUP_LOAN_MAX"]


def entrepreneurship_of(case: Case) -> EntrepreneurshipSupport:
    query = select(EntrepreneurshipSupport).where(EntrepreneurshipSupport.case_id == case.id)
    support = db.session.scalars(query).first()
    if support is None:
        support = EntrepreneurshipSupport(case_id=case.id)
        db.session.add(support)
    return support


@operation("apply_transfer")
def apply_transfer(params: dict, context) -> dict:
    """Move an accepted transfer: the case, its workflow and its open county tasks go to the receiving county,
    which keeps the case's new profile; the origin keeps it in its ledger as transferred out."""
    from caseflow.services.transfers import move_case

    return move_case(case_of(context), str(params["to_county"]), context.now)


@operation("take_package_requirement")
def take_package_requirement(params: dict, context) -> dict:
    """After a transfer: the receiving province's package requirement, from its decision table."""
    from caseflow.services.transfers import take_requirement
    from caseflow.tasks.package import REQUIREMENT_FIELDS

    requirement = {key: int(context.data.get(key, 0)) for key in REQUIREMENT_FIELDS}
    take_requirement(case_of(context), requirement)
    return requirement
