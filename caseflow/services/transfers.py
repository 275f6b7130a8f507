"""Transfer a case to another county anywhere in the country: requested by the caseworker, approved by the
origin's supervisor, accepted (or refused) by the receiving county's supervisor — or, when that county does not
answer, by its supervisor chain. Acceptance moves the case, its workflow and its open tasks; the origin keeps the
case in its ledger as transferred out (a closed stint), and the case takes the receiving province's profile."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, not_, select, update

from caseflow import engine
from caseflow.domain.actor import Actor
from caseflow.domain.enums import EventAction, HumanTaskState, RegionLevel, Role, TransferStatus
from caseflow.domain.paging import paging
from caseflow.domain.permissions import Permission, roles_with
from caseflow.errors import N_, Conflict, InvalidInput, NotAllowed
from caseflow.extensions import db
from caseflow.models import Case, CaseStint, Graduate, HumanTask, ProcessInstance, Region, Transfer, User
from caseflow.services.cases import Routing, get_case_or_raise
from caseflow.services.clock import now as clock_now
from caseflow.services.records import recorder
from caseflow.services.regions import county_label
from caseflow.services.scope import region_clause
from caseflow.services.workflow import committing, load_instance, log_event, save_step, spec_ref

TRANSFER_MESSAGE = "transfer_requested"
TRANSFER_ROLES = roles_with(Permission.TRANSFER_CASE)
OPEN = (TransferStatus.REQUESTED, TransferStatus.APPROVED)


def _check_destination(case: Case, to_county: str) -> None:
    county = db.session.get(Region, to_county)
    if county is None or county.level != RegionLevel.COUNTY:
        raise InvalidInput(N_("%(code)s is not a county"), code=to_county)
    if to_county == case.county_code:
        raise InvalidInput(N_("the case is already in that county"))
    pending = select(Transfer.id).where(Transfer.case_id == case.id, Transfer.status.in_(OPEN))
    if db.session.scalar(pending) is not None:
        raise Conflict(N_("a transfer of this case is already waiting for a decision"))


def request_transfer(case_id: int, *, to_county: str, reason: str | None, actor: Actor) -> Transfer:
    """Ask for the case to move to a county anywhere in the country (also how a province-pool case is routed);
    the origin's supervisor approves, then the receiving county accepts."""
    case = get_case_or_raise(case_id, actor)
    if not TRANSFER_ROLES & actor.roles:
        raise NotAllowed(N_("only caseworkers and supervisors may transfer a case"))
    to_county = (to_county or "").strip()
    _check_destination(case, to_county)
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


def _latest(case: Case, *statuses: str) -> Transfer | None:
    return db.session.scalars(select(Transfer).where(Transfer.case_id == case.id, Transfer.status.in_(statuses))
                              .order_by(Transfer.id.desc())).first()


@recorder("approve_transfer")
def record_transfer_approval(case: Case, data: dict, actor: Actor, now: datetime) -> None:
    """The origin's supervisor lets the transfer go to the receiving county, or stops it here."""
    transfer = _latest(case, TransferStatus.REQUESTED)
    if transfer is None:
        return
    if data.get("decision") == "approve":
        transfer.status, transfer.approved_at, transfer.approved_by = TransferStatus.APPROVED, now, actor.user_id
    else:
        transfer.status, transfer.decided_at, transfer.decided_by = TransferStatus.REJECTED, now, actor.user_id


@recorder("decide_transfer")
def record_transfer_decision(case: Case, data: dict, actor: Actor, now: datetime) -> None:
    """The receiving county (or its supervisor chain) accepts the case or refuses it."""
    transfer = _latest(case, TransferStatus.APPROVED, TransferStatus.REQUESTED)
    if transfer is not None:
        approved = data.get("decision") == "approve"
        transfer.status = TransferStatus.ACCEPTED if approved else TransferStatus.REJECTED
        transfer.decided_at, transfer.decided_by = now, actor.user_id


def current_stint(case: Case) -> CaseStint | None:
    return db.session.scalars(select(CaseStint).where(CaseStint.case_id == case.id, CaseStint.ended_at.is_(None))
                              .order_by(CaseStint.id.desc())).first()


def _close_stint(case: Case, now: datetime) -> None:
    """The origin's stint ends: what past reports need to group and account for the case is kept on it."""
    stint = current_stint(case)
    if stint is None:
        return
    transfer = _latest(case, TransferStatus.ACCEPTED)
    stint.ended_at, stint.caseworker_id = now, case.caseworker_id
    stint.package_requirement = stint.package_requirement or case.package_requirement
    stint.transfer_id = transfer.id if transfer else None


def move_case(case: Case, county: str, now: datetime) -> dict:
    """Move an accepted case: its stint, profile, workflow and open county tasks go to the receiving county (a
    task already routed above the county, such as a city-level review, stays where it is)."""
    old_county = case.county_code or case.region_code
    routing = Routing(now)
    caseworker = routing.caseworker(county)
    _close_stint(case, now)
    profile = routing.profile(county)
    db.session.add(CaseStint(case_id=case.id, region_code=county, county_code=county, profile=profile, started_at=now))
    case.county_code = case.region_code = county
    case.profile, case.outside_area_code = profile, None
    case.caseworker_id = db.session.scalar(select(User.id).where(User.username == caseworker)) if caseworker else None
    db.session.execute(update(ProcessInstance).where(ProcessInstance.id == case.instance_id)
                       .values(region_code=county, assignee=caseworker))
    open_tasks = update(HumanTask).where(HumanTask.instance_id == case.instance_id,
                                         HumanTask.state == HumanTaskState.READY,
                                         region_clause(HumanTask.region_code, old_county))
    # the caseworker first: the region move below takes the tasks out of `open_tasks`
    db.session.execute(open_tasks.where(HumanTask.lane == Role.CASEWORKER).values(assignee=caseworker))
    db.session.execute(open_tasks.values(region_code=county))
    return {"county": county, "caseworker": caseworker, "profile": profile}


def take_requirement(case: Case, requirement: dict) -> None:
    """The receiving province's package requirement (its decision table's answer) for what is still to be
    delivered: kept on the new stint, and on the case once its package has started."""
    stint = current_stint(case)
    if stint is not None:
        stint.package_requirement = requirement
    if case.package_requirement is not None and case.package_requirement != requirement:
        case.package_requirement = requirement


def list_transfers(case_id: int, *, actor: Actor) -> list[Transfer]:
    """The case's transfers, newest first."""
    case = get_case_or_raise(case_id, actor)
    return list(db.session.scalars(select(Transfer).where(Transfer.case_id == case.id).order_by(Transfer.id.desc())))


@dataclass
class TransferredOut:
    case_id: int
    graduate_name: str
    id_masked: str
    from_region: str
    to_county: str
    to_label: str
    accepted_at: datetime


@dataclass
class TransferredOutPage:
    rows: list[TransferredOut]
    total: int
    page: int
    pages: int


def _transferred_out_clauses(actor: Actor) -> tuple:
    """Stints of the actor's region that ended with an accepted transfer to a county outside the region."""
    return (region_clause(CaseStint.region_code, actor.region_code), CaseStint.transfer_id.isnot(None),
            not_(region_clause(Transfer.to_county, actor.region_code)))


def list_transferred_out(actor: Actor, *, page: int = 1) -> TransferredOutPage:
    """One page of the region's ledger entries transferred out (已转出): who, to which county, accepted when,
    newest first. The case file itself belongs to the receiving county now."""
    from caseflow.services.supervision import check_console  # supervision → inbox → instances → records → here

    check_console(actor)
    base = select(CaseStint).join(Transfer, Transfer.id == CaseStint.transfer_id).where(
        *_transferred_out_clauses(actor))
    shown = paging(db.session.scalar(select(func.count()).select_from(base.subquery())), page)
    rows = db.session.execute(
        select(Case.id, Graduate.name, Graduate.id_masked, CaseStint.region_code, Transfer.to_county,
               Transfer.decided_at).select_from(CaseStint).join(Transfer, Transfer.id == CaseStint.transfer_id)
        .join(Case, Case.id == CaseStint.case_id).join(Graduate, Graduate.id == Case.graduate_id)
        .where(*_transferred_out_clauses(actor)).order_by(Transfer.decided_at.desc(), CaseStint.id.desc())
        .limit(shown.size).offset(shown.offset)).all()
    labels = {code: county_label(code) for code in {row.to_county for row in rows}}
    return TransferredOutPage([TransferredOut(row[0], row[1], row[2], row[3], row[4], labels[row[4]], row[5])
                               for row in rows], shown.total, shown.page, shown.pages)
