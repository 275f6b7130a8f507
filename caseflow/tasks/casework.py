"""Handlers that read or update the case file: contact summary, placement, difficulty status, transfer,
the education-department request, entrepreneurship figures."""

from datetime import date

from flask import current_app
from sqlalchemy import select

from caseflow.domain.enums import (
    CaseStatus,
    ContactOutcome,
    DifficultyStatus,
)
from caseflow.domain.schedule import full_months_between
from caseflow.extensions import db
from caseflow.models import (
    Case,
    ContactAttempt,
    EntrepreneurshipSupport,
    Graduate,
    OutboxMessage,
)
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


@operation("mark_difficulty_candidate")
def mark_difficulty_candidate(params: dict, context) -> dict:
    """Two years after leaving school and still not placed: an employment-difficulty candidate."""
    case = case_of(context)
    candidate = case.status not in (CaseStatus.PLACED, CaseStatus.CLOSED)
    if candidate and case.difficulty_status == DifficultyStatus.NONE:
        case.difficulty_status = DifficultyStatus.CANDIDATE
    # the final review belongs to the city agency above the case's county
    return {"candidate": candidate, "city": (case.county_code or case.region_code)[:4]}


@operation("months_since_leaving")
def months_since_leaving(params: dict, context) -> dict:
    """Full months from leaving school to the business registration date."""
    case = case_of(context)
    leaving = db.session.get(Graduate, case.graduate_id).leaving_date
    return {"months": full_months_between(leaving, date.fromisoformat(params["registered_on"]))}


@operation("record_subsidy_decision")
def record_subsidy_decision(params: dict, context) -> dict:
    """Keep the startup-subsidy decision on the case's entrepreneurship record."""
    support = entrepreneurship_of(case_of(context))
    support.subsidy_eligible = bool(params["eligible"])
    support.subsidy_decided_at = context.now
    return {"eligible": support.subsidy_eligible, "amount": int(params.get("amount") or 0)}


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
