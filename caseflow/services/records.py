"""What completing a task records on the case file: contact attempts, classifications, services, placements,
entrepreneurship steps, approvals. Each recorder runs inside the completion's unit of work."""

from collections.abc import Callable
from datetime import date, datetime

from flask import current_app
from sqlalchemy import bindparam, select

from caseflow.domain.actor import Actor
from caseflow.domain.enums import (
    CaseStatus,
    ContactOutcome,
    PlacementKind,
    ServiceKind,
    ServiceResponse,
)
from caseflow.domain.package import COMPONENT_OF_SERVICE
from caseflow.domain.schedule import beijing_day
from caseflow.domain.supervision import beijing_midnight
from caseflow.errors import N_, Conflict, InvalidInput, NotFound
from caseflow.extensions import db
from caseflow.models import (
    Case,
    Classification,
    ContactAttempt,
    Graduate,
    JobPosting,
    Placement,
    Referral,
    ServiceRecord,
)
from caseflow.services.postings import referable_posting
from caseflow.tasks.casework import entrepreneurship_of, loan_limit, past_two_year_boundary

REACHED = (ContactOutcome.REACHED, ContactOutcome.RELAYED_BY_FAMILY)
Recorder = Callable[[Case, dict, Actor, datetime], None]
_CASE_OF_INSTANCE = select(Case).where(Case.instance_id == bindparam("b_instance"))
RECORDERS: dict[str, Recorder] = {}
# what completing a task of a process without a case records (the campaign's reports): (instance id, data, actor, now)
InstanceRecorder = Callable[[int, dict, Actor, datetime], None]
INSTANCE_RECORDERS: dict[str, InstanceRecorder] = {}


def recorder(*names: str):
    def register(function: Recorder) -> Recorder:
        for name in names:
            RECORDERS[name] = function
        return function
    return register


def _day(data: dict, key: str, now: datetime) -> date:
    return date.fromisoformat(data[key]) if data.get(key) else now.date()


def leaving_date(case: Case) -> date:
    return db.session.scalar(select(Graduate.leaving_date).where(Graduate.id == case.graduate_id))


def check_day(case: Case, day: date, now: datetime, *, field: str, before_leaving: bool = False) -> None:
    """A date a caseworker records: never in the future, and for contacts never before the graduate left school."""
    if day > beijing_day(now):
        raise InvalidInput(N_("the date cannot be in the future"), errors={field: "invalid"})
    if not before_leaving and day < leaving_date(case):
        raise InvalidInput(N_("the date cannot be before the graduate left school (%(day)s)"),
                           day=leaving_date(case).isoformat(), errors={field: "invalid"})


def verify_placement(case: Case, *, kind: str, employer: str | None, effective_on: date, verified_how: str | None,
                     actor: Actor, now: datetime) -> Placement:
    """The one way a placement is recorded: who verified it (the actor), how, and from which date it holds (a
    contract may start next month: reports count it from that date). Any kind, at any time: from the case file,
    a classification, a visit, a referral outcome or a business registration."""
    if kind not in set(PlacementKind):
        raise InvalidInput(N_("unknown kind of placement %(kind)s"), kind=kind, errors={"kind": "invalid"})
    if not (employer or "").strip():
        raise InvalidInput(N_("a placement needs its employer (or school, unit, programme host)"),
                           errors={"employer": "required"})
    if not (verified_how or "").strip():
        raise InvalidInput(N_("a placement needs to say how it was verified"), errors={"verified_how": "required"})
    placement = Placement(case_id=case.id, kind=kind, employer=employer.strip(), start_date=effective_on,
                          verified_how=verified_how, verified_by=actor.user_id, recorded_at=now)
    db.session.add(placement)
    case.status = CaseStatus.PLACED
    return placement


def current_placement(case: Case) -> Placement | None:
    return db.session.scalars(select(Placement).where(Placement.case_id == case.id)
                              .order_by(Placement.id.desc()).limit(1)).first()


def _placed(case: Case, *, kind: str, employer: str | None, start: date, actor: Actor, now: datetime,
            verified_how: str | None = None) -> None:
    verify_placement(case, kind=kind, employer=employer, effective_on=start, verified_how=verified_how, actor=actor,
                     now=now)


@recorder("contact_attempt")
def record_contact(case: Case, data: dict, actor: Actor, now: datetime) -> None:
    if data.get("contacted_on"):
        check_day(case, _day(data, "contacted_on", now), now, field="contacted_on")
    db.session.add(ContactAttempt(case_id=case.id, at=now, channel=data["channel"], outcome=data["outcome"],
                                  notes=data.get("notes"), by_user=actor.user_id))
    case.last_contact_at = now
    if data["outcome"] in REACHED:
        case.first_reached_at = case.first_reached_at or now
        if case.status == CaseStatus.UNREACHABLE:
            case.status = CaseStatus.PENDING_CONTACT


@recorder("approve_unreachable")
def record_unreachable(case: Case, data: dict, actor: Actor, now: datetime) -> None:
    if data.get("decision") == "approve":
        case.status = CaseStatus.UNREACHABLE


_STATUS_OF_CLASSIFICATION = {"seeking": CaseStatus.SEEKING, "no_intent": CaseStatus.NO_INTENT,
                             "in_training": CaseStatus.SEEKING, "in_internship": CaseStatus.SEEKING}


def _classify(case: Case, data: dict, actor: Actor, now: datetime, effective_key: str,
              placed_key: str | None = None) -> None:
    status = data["status"]
    if status == "no_intent" and not data.get("no_intent_reason"):
        raise InvalidInput(N_("no current intent needs its reason"), errors={"no_intent_reason": "required"})
    effective = _day(data, effective_key, now)
    check_day(case, effective, now, field=effective_key, before_leaving=True)
    db.session.add(Classification(case_id=case.id, status=status, no_intent_reason=data.get("no_intent_reason"),
                                  intended_industry=data.get("intended_industry"),
                                  intended_occupation=data.get("intended_occupation"),
                                  intended_place=data.get("intended_place"), effective_at=now, by_user=actor.user_id,
                                  reason=data.get("reason"), recorded_at=now))
    if status == "employed" and case.status != CaseStatus.PLACED:
        verify_placement(case, kind=data.get("placement_kind") or "", employer=data.get("employer"),
                         effective_on=_day(data, placed_key or effective_key, now),
                         verified_how=data.get("verified_how"), actor=actor, now=now)
    elif status in _STATUS_OF_CLASSIFICATION and case.status != CaseStatus.PLACED:
        case.status = _STATUS_OF_CLASSIFICATION[status]
        case.no_intent_reason = data.get("no_intent_reason") if status == "no_intent" else None
        case.ever_seeking = case.ever_seeking or case.status == CaseStatus.SEEKING


@recorder("classify")
def record_classification(case: Case, data: dict, actor: Actor, now: datetime) -> None:
    _classify(case, data, actor, now, "effective_on")


@recorder("follow_up")
def record_follow_up(case: Case, data: dict, actor: Actor, now: datetime) -> None:
    check_day(case, _day(data, "visited_on", now), now, field="visited_on")
    db.session.add(ContactAttempt(case_id=case.id, at=now, channel=data["channel"], outcome=ContactOutcome.REACHED,
                                  notes=data.get("notes"), by_user=actor.user_id))
    case.last_contact_at = now
    _classify(case, data, actor, now, "visited_on", "placed_on")


@recorder("reclassify")
def record_reclassification(case: Case, data: dict, actor: Actor, now: datetime) -> None:
    """就业 / 失业有意愿 / 暂无就业意愿 at any time, with its reason and effective date: the classification takes
    effect from the start of that day (Beijing) and is known from now on, so reports as known then stay put."""
    if case.status in (CaseStatus.PLACED, CaseStatus.CLOSED):
        raise Conflict(N_("the case is already placed or closed"))
    if not (data.get("reason") or "").strip():
        raise InvalidInput(N_("a reclassification needs its reason"), errors={"reason": "required"})
    day = _day(data, "effective_on", now)
    check_day(case, day, now, field="effective_on", before_leaving=True)
    _classify(case, data, actor, now, "effective_on")
    db.session.flush()
    latest = db.session.scalars(select(Classification).where(Classification.case_id == case.id)
                                .order_by(Classification.id.desc()).limit(1)).one()
    latest.effective_at = min(now, beijing_midnight(day))


def _link_referral(case: Case, record: ServiceRecord, posting_id: int | None, now: datetime) -> None:
    if posting_id is None:
        return
    referable_posting(posting_id, case)
    referral = db.session.scalars(select(Referral).where(Referral.case_id == case.id,
                                                         Referral.posting_id == posting_id)).first()
    if referral is None:
        referral = Referral(case_id=case.id, posting_id=posting_id, pushed=False, sent_at=now, outcome="pending")
        db.session.add(referral)
    db.session.flush()
    referral.service_record_id = record.id
    if record.response == ServiceResponse.DECLINED:
        referral.outcome = "declined"


@recorder("record_service")
def record_service(case: Case, data: dict, actor: Actor, now: datetime) -> None:
    kind = data["kind"]
    if kind == ServiceKind.INTERNSHIP_OFFER and past_two_year_boundary(case, now):
        raise InvalidInput(N_("internships are offered only until %(years)s years after leaving school"),
                           years=current_app.config["CASEFLOW_DIFFICULTY_YEARS"])
    record = ServiceRecord(case_id=case.id, kind=kind, component=COMPONENT_OF_SERVICE.get(kind),
                           at=now, channel=data.get("channel"), provider=data.get("provider"),
                           response=data["response"], decline_reason=data.get("decline_reason"),
                           notes=data.get("notes"), by_user=actor.user_id)
    db.session.add(record)
    if kind == ServiceKind.JOB_REFERRAL:
        _link_referral(case, record, data.get("posting_id"), now)


@recorder("referral_outcome")
def record_referral_outcome(case: Case, data: dict, actor: Actor, now: datetime) -> None:
    referral = db.session.get(Referral, int(data["referral_id"]))
    if referral is None or referral.case_id != case.id:
        raise NotFound(N_("referral not found"))
    referral.outcome, referral.outcome_at = data["outcome"], now
    if data["outcome"] == "hired" and case.status != CaseStatus.PLACED:
        posting = db.session.get(JobPosting, referral.posting_id)
        _placed(case, kind=PlacementKind.CONTRACT_JOB, employer=posting.employer,
                start=_day(data, "outcome_on", now), actor=actor, now=now, verified_how="referral")


@recorder("hardship_plan")
def record_hardship_plan(case: Case, data: dict, actor: Actor, now: datetime) -> None:
    db.session.add(ServiceRecord(case_id=case.id, kind=ServiceKind.COUNSELLING, component=None, at=now,
                                 provider=data.get("mentor"), response=ServiceResponse.ACCEPTED,
                                 notes=f"{data.get('goals', '')}\n{data.get('measures', '')}".strip(),
                                 by_user=actor.user_id))


@recorder("placement")
def record_placement(case: Case, data: dict, actor: Actor, now: datetime) -> None:
    if case.status in (CaseStatus.PLACED, CaseStatus.CLOSED):
        raise Conflict(N_("the case already has a placement"))
    verify_placement(case, kind=data["kind"], employer=data.get("employer"),
                     effective_on=_day(data, "start_date", now), verified_how=data.get("verified_how"), actor=actor,
                     now=now)


@recorder("startup_training")
def record_startup_training(case: Case, data: dict, actor: Actor, now: datetime) -> None:
    entrepreneurship_of(case).training_completed_on = _day(data, "completed_on", now)
    db.session.add(ServiceRecord(case_id=case.id, kind=ServiceKind.STARTUP_TRAINING, at=now,
                                 response=ServiceResponse.ACCEPTED, provider=data.get("course"), by_user=actor.user_id))


@recorder("business_registration")
def record_business(case: Case, data: dict, actor: Actor, now: datetime) -> None:
    support = entrepreneurship_of(case)
    support.business_name, support.registered_on = data["business_name"], _day(data, "registered_on", now)
    _placed(case, kind=PlacementKind.SELF_EMPLOYMENT, employer=support.business_name, start=support.registered_on,
            actor=actor, now=now, verified_how="business registration")


@recorder("startup_loan")
def record_loan(case: Case, data: dict, actor: Actor, now: datetime) -> None:
    amount, limit = data.get("amount"), loan_limit(bool(data.get("partnership")))
    if amount is None and data["status"] == "approved":
        raise InvalidInput(N_("an approved loan needs its amount"), errors={"amount": "required"})
    if amount is not None and not 0 < int(amount) <= limit:
        raise InvalidInput(N_("a guaranteed startup loan is at most %(limit)s yuan"), limit=f"{limit:,}")
    support = entrepreneurship_of(case)
    support.loan_amount, support.loan_status = amount, data["status"]
    support.loan_partnership = bool(data.get("partnership"))
    if data["status"] != "not_requested":
        db.session.add(ServiceRecord(case_id=case.id, kind=ServiceKind.LOAN_HELP, at=now,
                                     response=ServiceResponse.ACCEPTED, by_user=actor.user_id))


@recorder("subsidy_payment")
def record_subsidy(case: Case, data: dict, actor: Actor, now: datetime) -> None:
    entrepreneurship_of(case).subsidy_paid_on = _day(data, "paid_on", now)  # of the amount the decision table set
    db.session.add(ServiceRecord(case_id=case.id, kind=ServiceKind.SUBSIDY_HELP, at=now,
                                 response=ServiceResponse.ACCEPTED, by_user=actor.user_id))


@recorder("closure")
def record_closure_request(case: Case, data: dict, actor: Actor, now: datetime) -> None:
    """Closing confirms the placement: the one recorded keeps its kind and effective date, and gains how it was
    verified if it lacked it (placements recorded before verification was asked for)."""
    case.closure_reason = data["closure_reason"]
    placement = current_placement(case)
    if placement is not None and not placement.verified_how and data.get("verified_how"):
        placement.verified_how, placement.verified_by = data["verified_how"], actor.user_id


@recorder("approve_closure")
def record_closure(case: Case, data: dict, actor: Actor, now: datetime) -> None:
    if data.get("decision") == "approve":
        case.status, case.closed_at = CaseStatus.CLOSED, now


@recorder("post_placement_check")
def record_post_placement(case: Case, data: dict, actor: Actor, now: datetime) -> None:
    db.session.add(ContactAttempt(case_id=case.id, at=now, channel="phone", outcome=ContactOutcome.REACHED,
                                  notes=f"post-placement check: still employed = {data['still_employed']}",
                                  by_user=actor.user_id))


def instance_recorder(*names: str):
    def register(function: InstanceRecorder) -> InstanceRecorder:
        for name in names:
            INSTANCE_RECORDERS[name] = function
        return function
    return register


def load_recorders() -> dict[str, Recorder | InstanceRecorder]:
    """Import every module that registers recorders, and return every record kind a task may name."""
    from caseflow.services import campaign, support, transfers  # noqa: F401 (they register recorders)

    return {**RECORDERS, **INSTANCE_RECORDERS}


def case_of_instance(instance_id: int) -> Case | None:
    """The case an instance works on (one statement; None for an instance of no case)."""
    return db.session.scalars(_CASE_OF_INSTANCE, {"b_instance": instance_id}).one_or_none()


def record_completion(action: str | None, instance_id: int, case: Case | None, data: dict, actor: Actor,
                      now: datetime) -> None:
    """Apply what completing a task with `action` records on the instance's case (`case_of_instance`)."""
    load_recorders()
    if case is None:
        if action in INSTANCE_RECORDERS:
            INSTANCE_RECORDERS[action](instance_id, data, actor, now)
        return
    if action in RECORDERS:
        RECORDERS[action](case, data, actor, now)
    case.updated_at = now
