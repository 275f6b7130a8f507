"""Things a caseworker records on a case file outside any task: a note, a contact attempt, a service, a
referral outcome. One transaction each; a recorded placement tells the running journey."""

from sqlalchemy import select

from caseflow.domain.actor import Actor
from caseflow.domain.enums import CaseStatus, EventAction
from caseflow.domain.forms import validate
from caseflow.domain.permissions import Permission, roles_with
from caseflow.errors import N_, InvalidInput, NotAllowed
from caseflow.extensions import db
from caseflow.models import Referral
from caseflow.services.cases import get_case_or_raise
from caseflow.services.clock import now as clock_now
from caseflow.services.deployment import get_form_or_raise
from caseflow.services.instances import PLACED_MESSAGE
from caseflow.services.records import REACHED, RECORDERS
from caseflow.services.workflow import committing, log_event, tell_journey

# Case-file actions and the form each one uses.
ACTIONS = {"note": "note", "contact_attempt": "contact_attempt", "record_service": "record_service",
           "referral_outcome": "referral_outcome", "placement": "placement", "reclassify": "reclassify"}

DETAILS_MESSAGE = "contact_details_received"
RECLASSIFIED_MESSAGE = "graduate_reclassified"
RECORDING_ROLES = roles_with(Permission.RECORD_ON_CASE)


def _tell_journey(case, message: str, actor: Actor, now, **payload) -> None:
    """Deliver `message` to the case's journey if it waits for it there; fine if it is elsewhere."""
    tell_journey(case.instance_id, message, {"case_id": case.id, **payload}, actor, now)


def _journey_message(action: str, data: dict, case, was_placed: bool) -> str | None:
    """What a record on the case file tells a waiting journey: a new placement ends services; reaching an
    unreachable graduate ends the wait for new contact details."""
    if case.status == CaseStatus.PLACED and not was_placed:
        return PLACED_MESSAGE
    if action == "contact_attempt" and data.get("outcome") in REACHED:
        return DETAILS_MESSAGE
    if action == "reclassify" and case.status == CaseStatus.SEEKING:
        return RECLASSIFIED_MESSAGE  # out of the monthly no-intent re-check, into services now
    return None


def record_on_case(case_id: int, action: str, submitted: dict, *, actor: Actor) -> dict:
    """Validate and record a case-file action; returns the typed data that was recorded."""
    case = get_case_or_raise(case_id, actor)
    if action not in ACTIONS:
        raise InvalidInput(N_("unknown case action %(action)s"), action=action)
    if not RECORDING_ROLES & actor.roles:
        raise NotAllowed(N_("only caseworkers, mentors and supervisors may record on a case"))
    data, errors = validate(get_form_or_raise(ACTIONS[action]), submitted)
    if errors:
        raise InvalidInput(N_("the form has errors: %(fields)s"), fields=", ".join(sorted(errors)), errors=errors)
    now = clock_now()
    with committing():
        was_placed = case.status == CaseStatus.PLACED
        if action in RECORDERS:  # a note lives in the audit trail only
            RECORDERS[action](case, data, actor, now)
        case.updated_at = now
        log_event(actor=actor, action=EventAction.CASE_RECORDED, now=now, instance_id=case.instance_id,
                  case_id=case.id, record=action, data=data)
        message = _journey_message(action, data, case, was_placed) if case.instance_id else None
        if message:
            _tell_journey(case, message, actor, now, status=data.get("status"))
    return data


def list_referrals(case_id: int, *, actor: Actor) -> list[Referral]:
    """The case's referrals, pushed and made by hand, newest first."""
    case = get_case_or_raise(case_id, actor)
    return list(db.session.scalars(select(Referral).where(Referral.case_id == case.id).order_by(Referral.id.desc())))
