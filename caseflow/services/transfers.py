"""Transfer a case to another county: requested here, accepted (or refused) by the receiving county's
supervisor in the journey, which then moves the case, its workflow and its open tasks."""

from sqlalchemy import select

from caseflow import engine
from caseflow.domain.actor import Actor
from caseflow.domain.enums import EventAction, RegionLevel, Role, TransferStatus
from caseflow.errors import N_, Conflict, InvalidInput, NotAllowed
from caseflow.extensions import db
from caseflow.models import Region, Transfer
from caseflow.services.cases import get_case_or_raise
from caseflow.services.clock import now as clock_now
from caseflow.services.workflow import committing, load_instance, log_event, save_step, spec_ref

TRANSFER_MESSAGE = "transfer_requested"


TRANSFER_ROLES = frozenset({Role.CASEWORKER, Role.SUPERVISOR, Role.ADMIN})


def request_transfer(case_id: int, *, to_county: str, reason: str | None, actor: Actor) -> Transfer:
    """Ask the receiving county to take the case over (also how a province-pool case is routed)."""
    case = get_case_or_raise(case_id, actor)
    if not TRANSFER_ROLES & actor.roles:
        raise NotAllowed(N_("only caseworkers and supervisors may transfer a case"))
    county = db.session.get(Region, to_county)
    if county is None or county.level != RegionLevel.COUNTY:
        raise InvalidInput(N_("%(code)s is not a county"), code=to_county)
    if to_county == case.county_code:
        raise InvalidInput(N_("the case is already in that county"))
    pending = select(Transfer.id).where(Transfer.case_id == case.id, Transfer.status == TransferStatus.REQUESTED)
    if db.session.scalar(pending) is not None:
        raise Conflict(N_("a transfer of this case is already waiting for a decision"))
    now = clock_now()
    with committing():
        transfer = Transfer(case_id=case.id, from_county=case.county_code, to_county=to_county, reason=reason,
                            status=TransferStatus.REQUESTED, requested_at=now, requested_by=actor.user_id)
        db.session.add(transfer)
        instance = load_instance(case.instance_id)
        sha, process_id, files = spec_ref(instance.version_id)
        snapshot = engine.deliver_message(sha, process_id, files, instance.state, name=TRANSFER_MESSAGE,
                                          payload={"to_county": to_county, "reason": reason or ""})
        save_step(instance, snapshot, now=now, actor=actor)
        log_event(actor=actor, action=EventAction.TRANSFER_REQUESTED, now=now, instance_id=instance.id,
                  case_id=case.id, to_county=to_county)
    return transfer
