"""What integrations tell a case: the education department's new contact details for a graduate nobody could
reach, and the social-insurance bureau's employment match, which verifies (or records) the graduate's placement
and tells the waiting journey. Both need the right to deliver messages and stay inside the actor's region."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from caseflow.domain.actor import Actor
from caseflow.domain.enums import CaseStatus, EventAction, PlacementKind, VerifiedHow
from caseflow.domain.ledger import valid_id_number
from caseflow.domain.masking import mask_phone
from caseflow.domain.permissions import Permission
from caseflow.errors import N_, Conflict, InvalidInput, NotAllowed, NotFound
from caseflow.extensions import db
from caseflow.models import Case, Graduate, Placement
from caseflow.services import instances, protection
from caseflow.services.casefile import DETAILS_MESSAGE, PLACED_MESSAGE
from caseflow.services.cases import get_case_or_raise
from caseflow.services.clock import now as clock_now
from caseflow.services.records import verify_placement
from caseflow.services.scope import region_clause
from caseflow.services.workflow import committing, log_event, tell_journey

SOCIAL_INSURANCE = VerifiedHow.SOCIAL_INSURANCE  # the bureau's contributions confirm the placement
PHONE_DIGITS = range(7, 21)


def check_deliverer(actor: Actor) -> None:
    if not actor.may(Permission.DELIVER_MESSAGES):
        raise NotAllowed(N_("only supervisors and integrations may deliver messages"))


def receive_contact_details(case_id: int, *, phone: str | None, actor: Actor) -> int:
    """The education department's answer to a contact-details request: the new phone is kept (encrypted) on the
    graduate, and the case's contact round stops waiting. 409 when no running case waits for it."""
    check_deliverer(actor)
    case = get_case_or_raise(case_id, actor)
    phone = (phone or "").strip() or None
    if phone is not None and not (phone.isdigit() and phone.isascii() and len(phone) in PHONE_DIGITS):
        raise InvalidInput(N_("a phone number has 7 to 20 digits"))

    def keep_phone() -> None:
        if phone is not None:
            graduate = db.session.get(Graduate, case.graduate_id)
            graduate.phone_encrypted, graduate.phone_masked = protection.encrypt(phone), mask_phone(phone)

    payload = {"case_id": case.id, "phone_masked": mask_phone(phone) if phone else None}
    return instances.deliver_message(DETAILS_MESSAGE, correlation_key=f"case:{case.id}", payload=payload,
                                     actor=actor, alongside=keep_phone)


@dataclass(frozen=True)
class Match:
    case_id: int
    placement_id: int
    new_placement: bool  # False: an existing placement was verified
    journey_told: bool  # the journey waited for the placement and has moved on


def _matched_case(id_number: str, actor: Actor) -> Case:
    number = valid_id_number(id_number)
    if number is None:
        raise InvalidInput(N_("%(field)s is not a valid ID number"), field="id_number")
    case = db.session.scalars(
        select(Case).join(Graduate, Graduate.id == Case.graduate_id)
        .where(Graduate.id_hash == protection.id_hash(number), region_clause(Case.region_code, actor.region_code))
        .order_by(Graduate.cohort.desc(), Case.id.desc())).first()
    if case is None:
        raise NotFound(N_("no case in your region has this ID number"))
    return case


def match_employment(id_number: str, *, employer: str, insured_from: date, actor: Actor) -> Match:
    """The social-insurance bureau found contributions for the graduate: the latest placement is verified by it,
    or, for a graduate not yet placed, a placement is recorded as verified and the journey told."""
    check_deliverer(actor)
    employer = (employer or "").strip()
    if not employer or len(employer) > 100:
        raise InvalidInput(N_("%(field)s is required (at most %(max)s characters)"), field="employer", max=100)
    case = _matched_case(id_number, actor)
    placement = db.session.scalars(select(Placement).where(Placement.case_id == case.id)
                                   .order_by(Placement.id.desc())).first()
    if placement is None and case.status == CaseStatus.CLOSED:
        raise Conflict(N_("case %(case)s was closed without a placement; reopen it before matching"), case=case.id)
    now, told, new = clock_now(), False, placement is None
    with committing():
        if new:
            placement = verify_placement(case, kind=PlacementKind.CONTRACT_JOB, employer=employer,
                                         effective_on=insured_from, verified_how=SOCIAL_INSURANCE, actor=actor, now=now)
        else:
            placement.verified_how, placement.verified_by = SOCIAL_INSURANCE, actor.user_id
        case.updated_at = now
        db.session.flush()
        if new and case.instance_id:
            told = tell_journey(case.instance_id, PLACED_MESSAGE, {"case_id": case.id}, actor, now)
        log_event(actor=actor, action=EventAction.EMPLOYMENT_MATCHED, now=now, instance_id=case.instance_id,
                  case_id=case.id, placement=placement.id, employer=employer, insured_from=insured_from.isoformat(),
                  new_placement=new)
    return Match(case.id, placement.id, new, told)
