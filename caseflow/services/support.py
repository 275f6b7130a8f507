"""What completing a task of the two-year boundary, of employment assistance, of startup guidance or of a
one-time subsidy records on the case file. Each recorder runs inside the completion's unit of work."""

from datetime import date, datetime

from sqlalchemy import select

from caseflow.domain.actor import Actor
from caseflow.domain.enums import (
    DifficultyStatus,
    ServiceKind,
    ServiceResponse,
    SubsidyKind,
    SubsidyResponse,
)
from caseflow.errors import N_, InvalidInput, NotAllowed
from caseflow.extensions import db
from caseflow.models import Case, EmploymentAssistance, ServiceRecord, SubsidyGrant
from caseflow.services.records import recorder


def assistance_of(case: Case, now: datetime) -> EmploymentAssistance:
    """The case's designation record; a case that became a candidate under an older journey version gets one."""
    row = db.session.scalars(select(EmploymentAssistance).where(EmploymentAssistance.case_id == case.id)).first()
    if row is None:
        row = EmploymentAssistance(case_id=case.id, candidate_at=now)
        db.session.add(row)
    return row


def _rejection_needs_reason(data: dict) -> bool:
    if data.get("decision") == "reject" and not (data.get("reason") or "").strip():
        raise InvalidInput(N_("give the reason for returning the designation"))
    return data.get("decision") == "approve"


@recorder("review_difficulty")
def record_designation_review(case: Case, data: dict, actor: Actor, now: datetime) -> None:
    """The county's first review only recommends; the case stays a candidate."""
    row = assistance_of(case, now)
    if _rejection_needs_reason(data):
        row.first_reviewed_by, row.first_reviewed_at = actor.user_id, now


@recorder("designate_difficulty")
def record_designation(case: Case, data: dict, actor: Actor, now: datetime) -> None:
    """The city's final review designates; two levels means two people, on every path of the journey."""
    row = assistance_of(case, now)
    if row.first_reviewed_by == actor.user_id:
        raise NotAllowed(N_("the final review must be done by someone other than the first reviewer"))
    if _rejection_needs_reason(data):
        case.difficulty_status = DifficultyStatus.DESIGNATED
        row.designated_at, row.designated_by = now, actor.user_id


@recorder("resubmit_difficulty")
def record_designation_resubmission(case: Case, data: dict, actor: Actor, now: datetime) -> None:
    if data.get("next_step") == "withdraw":
        case.difficulty_status = DifficultyStatus.NONE
        assistance_of(case, now).withdrawn_at = now


@recorder("start_assistance")
def record_assistance(case: Case, data: dict, actor: Actor, now: datetime) -> None:
    """A designated graduate is taken into employment assistance (就业援助) with its main measure."""
    row = assistance_of(case, now)
    row.assisted_at, row.assisted_by, row.measure = now, actor.user_id, data["measure"]
    case.difficulty_status = DifficultyStatus.ASSISTED
    db.session.add(ServiceRecord(case_id=case.id, kind=ServiceKind.EMPLOYMENT_ASSISTANCE, at=now,
                                 provider=data["measure"], response=ServiceResponse.ACCEPTED,
                                 notes=data.get("notes"), by_user=actor.user_id))


@recorder("startup_guidance")
def record_startup_guidance(case: Case, data: dict, actor: Actor, now: datetime) -> None:
    db.session.add(ServiceRecord(case_id=case.id, kind=ServiceKind.STARTUP_GUIDANCE, at=now, provider=actor.user_id,
                                 response=ServiceResponse.ACCEPTED, notes=data["topic"], by_user=actor.user_id))


@recorder("jobseeking_subsidy")
def record_jobseeking_subsidy(case: Case, data: dict, actor: Actor, now: datetime) -> None:
    """The one-time job-seeking and startup subsidy offered to a hardship graduate: paid (amount and date
    required), already received through the school, or declined (seed 004 §(九))."""
    paid = data["response"] == SubsidyResponse.ACCEPTED
    missing = {name: "required" for name in ("amount", "paid_on") if paid and data.get(name) is None}
    if missing:
        raise InvalidInput(N_("a paid subsidy needs its amount and date"), errors=missing)
    if paid and data["amount"] <= 0:
        raise InvalidInput(N_("a paid subsidy needs its amount and date"), errors={"amount": "invalid"})
    db.session.add(SubsidyGrant(case_id=case.id, kind=SubsidyKind.JOBSEEKING, response=data["response"],
                                amount=data["amount"] if paid else None,
                                paid_on=date.fromisoformat(data["paid_on"]) if paid else None, offered_at=now,
                                received_before=data["response"] == SubsidyResponse.RECEIVED_BEFORE,
                                by_user=actor.user_id))
