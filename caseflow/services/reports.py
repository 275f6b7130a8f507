"""Indicators (DOMAIN.md) for a region at any report date, with drill-down province → city → county →
caseworker, and their monthly trend.

Every figure is computed from the record tables and their timestamps (contact attempts, classifications,
placements, service records, referrals, approvals in the audit trail) as they stood at the end of the report
date in Beijing, and cases are grouped by the ledger they were in then (case stints, see as_of.py): a past
month's report gives the same figures whenever it is run. Placements, business registrations and subsidies
count by their effective dates; those entered late change only the "as known now" total shown beside it."""

from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import and_, case, exists, func, or_, select

from caseflow.domain.actor import Actor
from caseflow.domain.calendar import end_of_working_day
from caseflow.domain.enums import (
    CaseStatus,
    Classified,
    ContactOutcome,
    PlacementKind,
    ReferralOutcome,
    Role,
    ServiceKind,
    SubsidyKind,
    SubsidyResponse,
)
from caseflow.domain.package import account
from caseflow.domain.schedule import beijing_day
from caseflow.domain.supervision import (
    PREPARATION_CLASSIFICATIONS,
    SEEKING_CLASSIFICATIONS,
    UNREACHABLE_APPROVAL,
    beijing_midnight,
    month_ends,
    month_start,
)
from caseflow.errors import N_, InvalidInput, OutOfRegion
from caseflow.extensions import db
from caseflow.models import (
    Case,
    Classification,
    ContactAttempt,
    EmploymentAssistance,
    EntrepreneurshipSupport,
    HumanTask,
    MissedVisit,
    Placement,
    Referral,
    Region,
    ServiceRecord,
    SubsidyGrant,
    User,
)
from caseflow.services.as_of import (
    Moment,
    known_classification,
    membership,
    moment,
    placed,
    registered,
    requirement_then,
    subsidy_paid,
)
from caseflow.services.clock import now as clock_now
from caseflow.services.inbox import DUE_SOON_WORKING_DAYS
from caseflow.services.scope import region_clause
from caseflow.services.supervision import approved, check_console, plan_approved

REACHED = (ContactOutcome.REACHED, ContactOutcome.RELAYED_BY_FAMILY)
LEFT = (Classified.FURTHER_STUDY, Classified.ENLISTED)  # left the service without a job
LOAN_APPROVED = "approved"  # a value of the startup_loan form's status field
TREND_MONTHS = 6
LEVELS = {0: "province", 2: "city", 4: "county"}  # what the rows of a region's report are, by its code length


@dataclass
class Figures:
    """The counts behind every indicator, for one row of the report (a region, a caseworker, or the total)."""

    key: str | None = None
    label: str | None = None
    handed_over: int = 0
    transferred_out: int = 0  # 已转出: still in this ledger, now the receiving county's
    transferred_in: int = 0
    reached: int = 0
    timely: int = 0
    classified: int = 0
    placed: int = 0
    seeking: int = 0
    no_intent: int = 0
    unreachable: int = 0
    pending: int = 0
    closed: int = 0
    followed_up: int = 0
    visits_missed: int = 0  # months that passed without a seeking graduate's return visit
    ever_seeking: int = 0
    helped: int = 0
    prepared: int = 0
    package_complete: int = 0
    hardship: int = 0
    plans: int = 0
    hardship_placed: int = 0
    public_welfare: int = 0
    referrals: int = 0
    hires: int = 0
    startups: int = 0
    loans: int = 0
    loan_amount: float = 0
    subsidies: int = 0
    open_cases: int = 0
    caseworkers: int = 0
    on_track: int = 0
    due_soon: int = 0
    overdue: int = 0
    # employment assistance after the two-year boundary (seed 001 §(十四)), and one-time subsidies
    difficulty_candidates: int = 0
    designated: int = 0
    assisted: int = 0
    assisted_placed: int = 0
    jobseeking_offered: int = 0
    jobseeking_paid: int = 0
    jobseeking_amount: int = 0
    startup_subsidy_amount: int = 0
    training_subsidies: int = 0  # entrepreneurship training subsidies by course type (seed 004 §(三))
    training_subsidy_amount: int = 0

    def add(self, other: "Figures") -> None:
        for item in fields(self):
            if item.name not in ("key", "label"):
                setattr(self, item.name, getattr(self, item.name) + getattr(other, item.name))


@dataclass
class TrendPoint:
    month_end: date
    handed_over: int
    reached: int
    ever_seeking: int
    helped: int


@dataclass
class Report:
    region: str
    region_name: str
    on: date
    level: str
    rows: list[Figures]
    total: Figures
    trend: list[TrendPoint]
    target: float
    crumbs: list[tuple[str, str]] = field(default_factory=list)
    known_now: Figures | None = None  # a past date's total as the records known now say (late entries)



def _n(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _facts(region: str, when: Moment, month_from: datetime, *, total: bool):
    """One row per case and report row whose ledger held the case by `when.at`: what the records said then."""
    at = when.at

    def classified(*extra):
        return exists().where(Classification.case_id == Case.id, Classification.effective_at < at,
                              known_classification(when), *extra)

    def contacted(*extra):
        return exists().where(ContactAttempt.case_id == Case.id, ContactAttempt.outcome.in_(REACHED),
                              ContactAttempt.at < at, *extra)

    reached_at = select(func.min(ContactAttempt.at)).where(
        ContactAttempt.case_id == Case.id, ContactAttempt.outcome.in_(REACHED), ContactAttempt.at < at)
    latest = select(Classification.status).where(Classification.case_id == Case.id, Classification.effective_at < at,
                                                 known_classification(when))
    ledger = membership(region, when, total=total)
    return select(
        ledger.c.grp.label("grp"), Case.id.label("id"), ledger.c.here.label("here"),
        (ledger.c.arrived > Case.handover_at).label("moved_in"), (Case.hardship_level > 0).label("hardship"),
        Case.first_contact_due.label("due"), Case.package_requirement.label("requirement"),
        requirement_then(when).label("requirement_then"), reached_at.scalar_subquery().label("reached_at"),
        latest.order_by(Classification.effective_at.desc(), Classification.id.desc()).limit(1)
        .scalar_subquery().label("latest"),
        classified().label("classified"), classified(Classification.status.in_(SEEKING_CLASSIFICATIONS))
        .label("ever_seeking"), placed(when).label("placed"),
        placed(when, Placement.kind == PlacementKind.PUBLIC_WELFARE_POST).label("public_welfare"),
        and_(Case.closed_at.isnot(None), Case.closed_at < at).label("closed"),
        approved(UNREACHABLE_APPROVAL, at).label("unreachable_ok"), plan_approved(at).label("plan_ok"),
        contacted(ContactAttempt.at >= month_from).label("followed"),
        select(func.count(MissedVisit.id)).where(MissedVisit.case_id == Case.id, MissedVisit.recorded_at < at)
        .scalar_subquery().label("missed"),
    ).select_from(ledger).join(Case, Case.id == ledger.c.case_id).subquery()


def _status(f):
    """A case's status at the report date in that row's ledger, from its records: transferred out of it first,
    then placement, closure, contact."""
    return case((f.c.here == 0, CaseStatus.TRANSFERRED_OUT), (f.c.placed, CaseStatus.PLACED),
                (or_(f.c.closed, f.c.latest.in_(LEFT)), CaseStatus.CLOSED),
                (and_(f.c.reached_at.is_(None), f.c.unreachable_ok), CaseStatus.UNREACHABLE),
                (f.c.latest == Classified.NO_INTENT, CaseStatus.NO_INTENT),
                (f.c.latest.in_(SEEKING_CLASSIFICATIONS), CaseStatus.SEEKING), else_=CaseStatus.PENDING_CONTACT)


def _case_figures(facts) -> dict[str | None, Figures]:
    f, status = facts.c, _status(facts)
    here = f.here == 1
    # the help-into-employment denominator: classified seeking at some point, and not now without intent (a
    # reclassification moves the case out and back in from its effective date); a transferred-out case is the
    # receiving county's to help now
    seeking = and_(here, f.ever_seeking, or_(f.latest.is_(None), f.latest != Classified.NO_INTENT))
    columns = {
        "handed_over": func.count(), "transferred_out": _n(status == CaseStatus.TRANSFERRED_OUT),
        "transferred_in": _n(and_(here, f.moved_in)), "reached": _n(f.reached_at.isnot(None)),
        "timely": _n(and_(f.reached_at.isnot(None), f.reached_at <= f.due)), "classified": _n(f.classified),
        "placed": _n(status == CaseStatus.PLACED), "seeking": _n(status == CaseStatus.SEEKING),
        "no_intent": _n(status == CaseStatus.NO_INTENT), "unreachable": _n(status == CaseStatus.UNREACHABLE),
        "pending": _n(status == CaseStatus.PENDING_CONTACT), "closed": _n(status == CaseStatus.CLOSED),
        "followed_up": _n(and_(status == CaseStatus.SEEKING, f.followed)), "ever_seeking": _n(seeking),
        "helped": _n(and_(seeking, f.placed)),
        "prepared": _n(and_(seeking, or_(f.placed, f.latest.in_(PREPARATION_CLASSIFICATIONS)))),
        "hardship": _n(and_(f.hardship, seeking)), "plans": _n(and_(f.hardship, seeking, f.plan_ok)),
        "hardship_placed": _n(and_(f.hardship, seeking, f.placed)),
        "public_welfare": _n(and_(here, f.hardship, f.public_welfare)),
        "visits_missed": func.coalesce(func.sum(case((here, f.missed), else_=0)), 0),
    }
    rows = db.session.execute(select(f.grp, *(column.label(name) for name, column in columns.items()))
                              .group_by(f.grp)).all()
    return {_key(row.grp): Figures(key=_key(row.grp), **{name: int(getattr(row, name)) for name in columns})
            for row in rows}


def _key(value) -> str | None:
    return None if value is None else str(value)


def _package(facts, at: datetime, figures: dict[str | None, Figures]) -> None:
    """Seeking cases (at the report date) whose package was complete by then, against the requirement of the
    profile they had then, per row."""
    f = facts.c
    seeking = select(f.id, f.grp, f.requirement_then, f.requirement).where(_status(facts) == CaseStatus.SEEKING)
    services: dict[int, list] = {}
    for case_id, component, response in db.session.execute(
            select(ServiceRecord.case_id, ServiceRecord.component, ServiceRecord.response)
            .join(facts, facts.c.id == ServiceRecord.case_id)
            .where(_status(facts) == CaseStatus.SEEKING, ServiceRecord.at < at, ServiceRecord.component.isnot(None))):
        services.setdefault(case_id, []).append((component, response))
    for case_id, grp, then, requirement in db.session.execute(seeking):
        requirement = then or requirement
        if requirement and account(requirement, services.get(case_id, ())).complete:
            figures.setdefault(_key(grp), Figures(key=_key(grp))).package_complete += 1


def _scoped(region: str, model, when: Moment, total: bool):
    """Records of the cases that were in each row's ledger at the report date (not transferred out)."""
    ledger = membership(region, when, total=total)
    return select(ledger.c.grp.label("grp")).select_from(model).join(ledger, ledger.c.case_id == model.case_id) \
        .where(ledger.c.here == 1)


def _referrals(region: str, when: Moment, total: bool) -> list[tuple]:
    at = when.at
    return db.session.execute(_scoped(region, Referral, when, total).add_columns(
        func.count(), _n(and_(Referral.outcome == ReferralOutcome.HIRED, Referral.outcome_at < at)))
        .where(Referral.sent_at < at).group_by("grp")).all()


def _entrepreneurship(region: str, when: Moment, total: bool) -> list[tuple]:
    """Businesses registered and subsidies paid by their effective dates; loans when the approval was recorded."""
    loan = and_(EntrepreneurshipSupport.loan_status == LOAN_APPROVED, exists().where(
        ServiceRecord.case_id == EntrepreneurshipSupport.case_id, ServiceRecord.kind == ServiceKind.LOAN_HELP,
        ServiceRecord.at < when.at))
    return db.session.execute(_scoped(region, EntrepreneurshipSupport, when, total).add_columns(
        _n(registered(when)), _n(loan),
        func.coalesce(func.sum(case((loan, EntrepreneurshipSupport.loan_amount), else_=0)), 0),
        _n(subsidy_paid(when))).group_by("grp")).all()


def _assistance(region: str, when: Moment, total: bool) -> list[tuple]:
    """Per row: graduates who became employment-difficulty candidates, were designated, were taken into
    employment assistance, and were placed after becoming candidates, by the report date."""
    row, at = EmploymentAssistance, when.at
    designated = and_(row.designated_at.isnot(None), row.designated_at < at)
    placed = exists().where(Placement.case_id == row.case_id, Placement.recorded_at >= row.candidate_at,
                            Placement.recorded_at < at)
    return db.session.execute(_scoped(region, row, when, total).add_columns(
        _n(row.candidate_at < at), _n(designated), _n(and_(row.assisted_at.isnot(None), row.assisted_at < at)),
        _n(and_(designated, placed))).group_by("grp")).all()


def _jobseeking_subsidies(region: str, when: Moment, total: bool) -> list[tuple]:
    """Per row: one-time job-seeking subsidies offered to eligible hardship graduates, paid, and their sum."""
    grant = SubsidyGrant
    paid = and_(grant.response == SubsidyResponse.ACCEPTED, grant.paid_on <= when.day)
    return db.session.execute(_scoped(region, grant, when, total).add_columns(
        _n(grant.offered_at < when.at), _n(paid), func.coalesce(func.sum(case((paid, grant.amount), else_=0)), 0))
        .where(grant.kind == SubsidyKind.JOBSEEKING).group_by("grp")).all()


def _startup_subsidy_amounts(region: str, when: Moment, total: bool) -> list[tuple]:
    """Per row: the startup subsidies paid by the report date, in yuan (their amounts come from the decision
    table)."""
    support = EntrepreneurshipSupport
    paid = and_(support.subsidy_paid_on <= when.day, support.subsidy_amount.isnot(None))
    return db.session.execute(_scoped(region, support, when, total).add_columns(
        func.coalesce(func.sum(case((paid, support.subsidy_amount), else_=0)), 0)).group_by("grp")).all()


def _training_subsidies(region: str, when: Moment, total: bool) -> list[tuple]:
    """Per row: entrepreneurship training subsidies granted by the report date, and their sum in yuan."""
    grant = SubsidyGrant
    granted = and_(grant.response == SubsidyResponse.ACCEPTED, grant.paid_on <= when.day)
    return db.session.execute(_scoped(region, grant, when, total).add_columns(
        _n(granted), func.coalesce(func.sum(case((granted, grant.amount), else_=0)), 0))
        .where(grant.kind == SubsidyKind.TRAINING).group_by("grp")).all()


def _workload(region: str, when: Moment, total: bool) -> list[tuple]:
    at = when.at
    soon = end_of_working_day(at - timedelta(seconds=1), DUE_SOON_WORKING_DAYS)  # from the report date
    open_then = and_(HumanTask.lane == Role.CASEWORKER, HumanTask.created_at < at,
                     or_(HumanTask.completed_at.is_(None), HumanTask.completed_at >= at))
    return db.session.execute(_scoped(region, HumanTask, when, total).add_columns(
        _n(or_(HumanTask.due_at.is_(None), HumanTask.due_at > soon)),
        _n(and_(HumanTask.due_at >= at, HumanTask.due_at <= soon)), _n(HumanTask.due_at < at))
        .where(open_then).group_by("grp")).all()


def _open_cases(region: str, when: Moment, total: bool) -> list[tuple]:
    ledger = membership(region, when, total=total)
    return db.session.execute(select(ledger.c.grp, func.count()).select_from(ledger).join(
        Case, Case.id == ledger.c.case_id).where(ledger.c.here == 1, or_(
            Case.closed_at.is_(None), Case.closed_at >= when.at)).group_by(ledger.c.grp)).all()


def _caseworker_counts(region: str) -> dict[str | None, int]:
    counts: dict[str | None, int] = {}
    for user_id, area in db.session.execute(select(User.id, User.region_code).where(
            User.has_role(Role.CASEWORKER), User.active.is_(True), region_clause(User.region_code, region))):
        key = str(user_id) if len(region) >= 6 else area[:len(region) + 2]
        counts[key] = counts.get(key, 0) + 1
    return counts


def _merge(figures: dict[str | None, Figures], rows, names: tuple[str, ...]) -> None:
    for grp, *values in rows:
        row = figures.setdefault(_key(grp), Figures(key=_key(grp)))
        for name, value in zip(names, values, strict=True):
            setattr(row, name, getattr(row, name) + (float(value) if name == "loan_amount" else int(value or 0)))


def _trend(region: str, day: date, now: datetime) -> list[TrendPoint]:
    """Handed over, reached, ever seeking and placed among them, at the end of each of the last months, each as
    its own report would count them."""
    points = []
    for end in month_ends(day, TREND_MONTHS):
        when = moment(end, now)
        ledger = membership(region, when, total=True)
        here = ledger.c.here == 1
        latest = (select(Classification.status).where(
            Classification.case_id == Case.id, Classification.effective_at < when.at, known_classification(when))
            .order_by(Classification.effective_at.desc(), Classification.id.desc()).limit(1).scalar_subquery())
        seeking = and_(here, exists().where(Classification.case_id == Case.id, Classification.effective_at < when.at,
                                            Classification.status.in_(SEEKING_CLASSIFICATIONS),
                                            known_classification(when)),
                       or_(latest.is_(None), latest != Classified.NO_INTENT))
        reached = exists().where(ContactAttempt.case_id == Case.id, ContactAttempt.outcome.in_(REACHED),
                                 ContactAttempt.at < when.at)
        values = db.session.execute(select(func.count(), _n(reached), _n(seeking), _n(and_(seeking, placed(when))))
                                    .select_from(ledger).join(Case, Case.id == ledger.c.case_id)).one()
        points.append(TrendPoint(end, *(int(value) for value in values)))
    return points


def _label(figures: dict[str | None, Figures], region: str) -> None:
    keys = [key for key in figures if key]
    if len(region) >= 6:
        names = dict(db.session.execute(select(User.id, User.display_name).where(
            User.id.in_([int(k) for k in keys]))).all())
        for key, row in figures.items():
            row.label = names.get(int(key)) if key else None
    else:
        names = dict(db.session.execute(select(Region.code, Region.name).where(Region.code.in_(keys))).all())
        for key, row in figures.items():
            row.label = names.get(key, key) if key else None


def _crumbs(region: str, actor: Actor) -> list[tuple[str, str]]:
    codes = [region[:n] for n in (2, 4, 6) if n <= len(region) and actor.covers(region[:n])]
    names = dict(db.session.execute(select(Region.code, Region.name).where(Region.code.in_(codes))).all())
    return [(code, names.get(code, code)) for code in codes]


def report_region(actor: Actor, region: str | None) -> str:
    """The region a report may cover: the one asked for if it lies in the actor's region, else theirs."""
    region = (region or "").strip() or actor.region_code
    if (region and not region.isdigit()) or not actor.covers(region):
        raise OutOfRegion(N_("region not found"), actor=actor, kind="report", key=region)
    return region


def _figures(region: str, when: Moment, *, total: bool) -> dict[str | None, Figures]:
    """Every case and record figure of the report's rows (or of its total), at `when`."""
    facts = _facts(region, when, beijing_midnight(month_start(when.day)), total=total)
    figures = _case_figures(facts)
    _package(facts, when.at, figures)
    _merge(figures, _referrals(region, when, total), ("referrals", "hires"))
    _merge(figures, _entrepreneurship(region, when, total), ("startups", "loans", "loan_amount", "subsidies"))
    _merge(figures, _workload(region, when, total), ("on_track", "due_soon", "overdue"))
    _merge(figures, _assistance(region, when, total),
           ("difficulty_candidates", "designated", "assisted", "assisted_placed"))
    _merge(figures, _jobseeking_subsidies(region, when, total),
           ("jobseeking_offered", "jobseeking_paid", "jobseeking_amount"))
    _merge(figures, _startup_subsidy_amounts(region, when, total), ("startup_subsidy_amount",))
    _merge(figures, _training_subsidies(region, when, total), ("training_subsidies", "training_subsidy_amount"))
    _merge(figures, _open_cases(region, when, total), ("open_cases",))
    return figures


def _total(region: str, when: Moment, caseworkers: int) -> Figures:
    """The region's own figures: a case moved between two of its rows counts once, where it is."""
    total = _figures(region, when, total=True).get(region) or Figures()
    total.key, total.caseworkers = region, caseworkers
    return total


def indicators(actor: Actor, *, region: str | None = None, on: date) -> Report:
    """Every indicator for `region` (default: the actor's) at the end of the report date `on`, as known then;
    for a past date, the total as known now beside it."""
    check_console(actor)
    region = report_region(actor, region)
    now = clock_now()
    if on > beijing_day(now):
        raise InvalidInput(N_("the report date cannot be in the future"))
    when = moment(on, now)
    figures = _figures(region, when, total=False)
    _merge(figures, _caseworker_counts(region).items(), ("caseworkers",))
    _label(figures, region)
    rows = sorted(figures.values(), key=lambda row: (row.key is None, row.label or "", row.key or ""))
    caseworkers = sum(row.caseworkers for row in rows)
    total = _total(region, when, caseworkers)
    known_now = _total(region, moment(on, now, known_now=True), caseworkers) if when.at < now else None
    region_row = db.session.get(Region, region) if region else None
    return Report(region=region, region_name=region_row.name if region_row else region, on=on,
                  level=LEVELS.get(len(region), "caseworker"), rows=rows, total=total, trend=_trend(region, on, now),
                  target=current_app.config["CASEFLOW_EMPLOYMENT_TARGET"], crumbs=_crumbs(region, actor),
                  known_now=known_now)
