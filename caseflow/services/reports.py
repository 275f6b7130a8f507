"""Indicators (DOMAIN.md) for a region at any report date, with drill-down province → city → county →
caseworker, and their monthly trend.

Every figure is computed from the record tables and their timestamps (contact attempts, classifications,
placements, service records, referrals, approvals in the audit trail) as they stood at the end of the report
date in Beijing, so a past month's report can be re-run. Cases are grouped by where they are now."""

from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import and_, case, exists, func, literal_column, or_, select

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
    end_of_day,
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
    Placement,
    Referral,
    Region,
    ServiceRecord,
    SubsidyGrant,
    User,
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


def _n(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _group(region: str, column_of_case=Case):
    """The expression rows are grouped by: the next region level down, or the caseworker inside a county."""
    length = len(region)
    if length >= 6:
        return column_of_case.caseworker_id
    # literal lengths: PostgreSQL matches a GROUP BY to the select list only when no parameters differ
    if length == 0:
        return func.substr(column_of_case.region_code, literal_column("1"), literal_column("2"))
    return func.substr(column_of_case.county_code, literal_column("1"), literal_column(str(length + 2)))


def _facts(region: str, at: datetime, month_from: datetime):
    """One row per case handed over by `at` in the region: what the records said about it at `at`."""
    def placed(*extra):
        return exists().where(Placement.case_id == Case.id, Placement.recorded_at < at, *extra)

    def classified(*extra):
        return exists().where(Classification.case_id == Case.id, Classification.effective_at < at, *extra)

    def contacted(*extra):
        return exists().where(ContactAttempt.case_id == Case.id, ContactAttempt.outcome.in_(REACHED),
                              ContactAttempt.at < at, *extra)

    reached_at = select(func.min(ContactAttempt.at)).where(
        ContactAttempt.case_id == Case.id, ContactAttempt.outcome.in_(REACHED), ContactAttempt.at < at)
    latest = select(Classification.status).where(Classification.case_id == Case.id, Classification.effective_at < at)
    return select(
        _group(region).label("grp"), Case.id.label("id"), (Case.hardship_level > 0).label("hardship"),
        Case.first_contact_due.label("due"), Case.package_requirement.label("requirement"),
        reached_at.scalar_subquery().label("reached_at"),
        latest.order_by(Classification.effective_at.desc(), Classification.id.desc()).limit(1)
        .scalar_subquery().label("latest"),
        classified().label("classified"), classified(Classification.status.in_(SEEKING_CLASSIFICATIONS))
        .label("ever_seeking"), placed().label("placed"),
        placed(Placement.kind == PlacementKind.PUBLIC_WELFARE_POST).label("public_welfare"),
        and_(Case.closed_at.isnot(None), Case.closed_at < at).label("closed"),
        approved(UNREACHABLE_APPROVAL, at).label("unreachable_ok"), plan_approved(at).label("plan_ok"),
        contacted(ContactAttempt.at >= month_from).label("followed"),
    ).where(region_clause(Case.region_code, region), Case.handover_at < at).subquery()


def _status(f):
    """A case's status at the report date, from its records (placement first, then closure, then contact)."""
    return case((f.c.placed, CaseStatus.PLACED), (or_(f.c.closed, f.c.latest.in_(LEFT)), CaseStatus.CLOSED),
                (and_(f.c.reached_at.is_(None), f.c.unreachable_ok), CaseStatus.UNREACHABLE),
                (f.c.latest == Classified.NO_INTENT, CaseStatus.NO_INTENT),
                (f.c.latest.in_(SEEKING_CLASSIFICATIONS), CaseStatus.SEEKING), else_=CaseStatus.PENDING_CONTACT)


def _case_figures(facts) -> dict[str | None, Figures]:
    f, status = facts.c, _status(facts)
    seeking = f.ever_seeking
    columns = {
        "handed_over": func.count(), "reached": _n(f.reached_at.isnot(None)),
        "timely": _n(and_(f.reached_at.isnot(None), f.reached_at <= f.due)), "classified": _n(f.classified),
        "placed": _n(status == CaseStatus.PLACED), "seeking": _n(status == CaseStatus.SEEKING),
        "no_intent": _n(status == CaseStatus.NO_INTENT), "unreachable": _n(status == CaseStatus.UNREACHABLE),
        "pending": _n(status == CaseStatus.PENDING_CONTACT), "closed": _n(status == CaseStatus.CLOSED),
        "followed_up": _n(and_(status == CaseStatus.SEEKING, f.followed)), "ever_seeking": _n(seeking),
        "helped": _n(and_(seeking, f.placed)),
        "prepared": _n(and_(seeking, or_(f.placed, f.latest.in_(PREPARATION_CLASSIFICATIONS)))),
        "hardship": _n(and_(f.hardship, seeking)), "plans": _n(and_(f.hardship, seeking, f.plan_ok)),
        "hardship_placed": _n(and_(f.hardship, seeking, f.placed)),
        "public_welfare": _n(and_(f.hardship, f.public_welfare)),
    }
    rows = db.session.execute(select(f.grp, *(column.label(name) for name, column in columns.items()))
                              .group_by(f.grp)).all()
    return {_key(row.grp): Figures(key=_key(row.grp), **{name: int(getattr(row, name)) for name in columns})
            for row in rows}


def _key(value) -> str | None:
    return None if value is None else str(value)


def _package(facts, at: datetime, figures: dict[str | None, Figures]) -> None:
    """Seeking cases (at the report date) whose package was complete by then, per row."""
    f = facts.c
    seeking = select(f.id, f.grp, f.requirement).where(_status(facts) == CaseStatus.SEEKING)
    services: dict[int, list] = {}
    for case_id, component, response in db.session.execute(
            select(ServiceRecord.case_id, ServiceRecord.component, ServiceRecord.response)
            .join(facts, facts.c.id == ServiceRecord.case_id)
            .where(_status(facts) == CaseStatus.SEEKING, ServiceRecord.at < at, ServiceRecord.component.isnot(None))):
        services.setdefault(case_id, []).append((component, response))
    for case_id, grp, requirement in db.session.execute(seeking):
        if requirement and account(requirement, services.get(case_id, ())).complete:
            figures.setdefault(_key(grp), Figures(key=_key(grp))).package_complete += 1


def _scoped(region: str, model, at: datetime):
    return select(_group(region).label("grp")).join(Case, Case.id == model.case_id).where(
        region_clause(Case.region_code, region), Case.handover_at < at)


def _referrals(region: str, at: datetime) -> list[tuple]:
    return db.session.execute(_scoped(region, Referral, at).add_columns(
        func.count(), _n(and_(Referral.outcome == ReferralOutcome.HIRED, Referral.outcome_at < at)))
        .where(Referral.sent_at < at).group_by("grp")).all()


def _entrepreneurship(region: str, at: datetime, day: date) -> list[tuple]:
    loan = and_(EntrepreneurshipSupport.loan_status == LOAN_APPROVED, exists().where(
        ServiceRecord.case_id == EntrepreneurshipSupport.case_id, ServiceRecord.kind == ServiceKind.LOAN_HELP,
        ServiceRecord.at < at))
    return db.session.execute(_scoped(region, EntrepreneurshipSupport, at).add_columns(
        _n(EntrepreneurshipSupport.registered_on <= day), _n(loan),
        func.coalesce(func.sum(case((loan, EntrepreneurshipSupport.loan_amount), else_=0)), 0),
        _n(EntrepreneurshipSupport.subsidy_paid_on <= day)).group_by("grp")).all()


def _assistance(region: str, at: datetime) -> list[tuple]:
    """Per row: graduates who became employment-difficulty candidates, were designated, were taken into
    employment assistance, and were placed after becoming candidates, by `at`."""
    row = EmploymentAssistance
    designated = and_(row.designated_at.isnot(None), row.designated_at < at)
    placed = exists().where(Placement.case_id == row.case_id, Placement.recorded_at >= row.candidate_at,
                            Placement.recorded_at < at)
    return db.session.execute(_scoped(region, row, at).add_columns(
        _n(row.candidate_at < at), _n(designated), _n(and_(row.assisted_at.isnot(None), row.assisted_at < at)),
        _n(and_(designated, placed))).group_by("grp")).all()


def _jobseeking_subsidies(region: str, at: datetime, day: date) -> list[tuple]:
    """Per row: one-time job-seeking subsidies offered to eligible hardship graduates, paid, and their sum."""
    grant = SubsidyGrant
    paid = and_(grant.response == SubsidyResponse.ACCEPTED, grant.paid_on <= day)
    return db.session.execute(_scoped(region, grant, at).add_columns(
        _n(grant.offered_at < at), _n(paid), func.coalesce(func.sum(case((paid, grant.amount), else_=0)), 0))
        .where(grant.kind == SubsidyKind.JOBSEEKING).group_by("grp")).all()


def _startup_subsidy_amounts(region: str, at: datetime, day: date) -> list[tuple]:
    """Per row: the startup subsidies paid by `day`, in yuan (their amounts come from the decision table)."""
    support = EntrepreneurshipSupport
    paid = and_(support.subsidy_paid_on <= day, support.subsidy_amount.isnot(None))
    return db.session.execute(_scoped(region, support, at).add_columns(
        func.coalesce(func.sum(case((paid, support.subsidy_amount), else_=0)), 0)).group_by("grp")).all()


def _workload(region: str, at: datetime) -> list[tuple]:
    soon = end_of_working_day(at - timedelta(seconds=1), DUE_SOON_WORKING_DAYS)  # from the report date
    open_then = and_(HumanTask.lane == Role.CASEWORKER, HumanTask.created_at < at,
                     or_(HumanTask.completed_at.is_(None), HumanTask.completed_at >= at))
    return db.session.execute(_scoped(region, HumanTask, at).add_columns(
        _n(or_(HumanTask.due_at.is_(None), HumanTask.due_at > soon)),
        _n(and_(HumanTask.due_at >= at, HumanTask.due_at <= soon)), _n(HumanTask.due_at < at))
        .where(open_then).group_by("grp")).all()


def _open_cases(region: str, at: datetime) -> list[tuple]:
    return db.session.execute(select(_group(region), func.count()).where(
        region_clause(Case.region_code, region), Case.handover_at < at,
        or_(Case.closed_at.is_(None), Case.closed_at >= at)).group_by(_group(region))).all()


def _caseworker_counts(region: str) -> dict[str | None, int]:
    counts: dict[str | None, int] = {}
    for user_id, area in db.session.execute(select(User.id, User.region_code).where(
            User.role == Role.CASEWORKER, User.active.is_(True), region_clause(User.region_code, region))):
        key = str(user_id) if len(region) >= 6 else area[:len(region) + 2]
        counts[key] = counts.get(key, 0) + 1
    return counts


def _merge(figures: dict[str | None, Figures], rows, names: tuple[str, ...]) -> None:
    for grp, *values in rows:
        row = figures.setdefault(_key(grp), Figures(key=_key(grp)))
        for name, value in zip(names, values, strict=True):
            setattr(row, name, getattr(row, name) + (float(value) if name == "loan_amount" else int(value or 0)))


def _trend(region: str, day: date) -> list[TrendPoint]:
    """Handed over, reached, ever seeking and placed among them, at the end of each of the last months."""
    def first(column, *clauses):
        return select(func.min(column)).where(*clauses).scalar_subquery()
    per_case = select(
        Case.handover_at.label("h"),
        first(ContactAttempt.at, ContactAttempt.case_id == Case.id, ContactAttempt.outcome.in_(REACHED)).label("r"),
        first(Classification.effective_at, Classification.case_id == Case.id,
              Classification.status.in_(SEEKING_CLASSIFICATIONS)).label("s"),
        first(Placement.recorded_at, Placement.case_id == Case.id).label("p"),
    ).where(region_clause(Case.region_code, region)).subquery()
    ends = month_ends(day, TREND_MONTHS)
    columns = []
    for end in ends:
        at = end_of_day(end)
        c = per_case.c
        columns += [_n(c.h < at), _n(c.r < at), _n(c.s < at), _n(and_(c.s < at, c.p < at))]
    values = [int(v) for v in db.session.execute(select(*columns)).one()]
    return [TrendPoint(end, *values[4 * n:4 * n + 4]) for n, end in enumerate(ends)]


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


def indicators(actor: Actor, *, region: str | None = None, on: date) -> Report:
    """Every indicator for `region` (default: the actor's) at the end of the report date `on`."""
    check_console(actor)
    region = report_region(actor, region)
    if on > beijing_day(clock_now()):
        raise InvalidInput(N_("the report date cannot be in the future"))
    at, month_from = min(end_of_day(on), clock_now()), beijing_midnight(month_start(on))  # today: as of now
    facts = _facts(region, at, month_from)
    figures = _case_figures(facts)
    _package(facts, at, figures)
    _merge(figures, _referrals(region, at), ("referrals", "hires"))
    _merge(figures, _entrepreneurship(region, at, on), ("startups", "loans", "loan_amount", "subsidies"))
    _merge(figures, _workload(region, at), ("on_track", "due_soon", "overdue"))
    _merge(figures, _assistance(region, at), ("difficulty_candidates", "designated", "assisted", "assisted_placed"))
    _merge(figures, _jobseeking_subsidies(region, at, on), ("jobseeking_offered", "jobseeking_paid",
                                                             "jobseeking_amount"))
    _merge(figures, _startup_subsidy_amounts(region, at, on), ("startup_subsidy_amount",))
    _merge(figures, _open_cases(region, at), ("open_cases",))
    _merge(figures, _caseworker_counts(region).items(), ("caseworkers",))
    _label(figures, region)
    rows = sorted(figures.values(), key=lambda row: (row.key is None, row.label or "", row.key or ""))
    total = Figures(key=region)
    for row in rows:
        total.add(row)
    region_row = db.session.get(Region, region) if region else None
    return Report(region=region, region_name=region_row.name if region_row else region, on=on,
                  level=LEVELS.get(len(region), "caseworker"), rows=rows, total=total, trend=_trend(region, on),
                  target=current_app.config["CASEFLOW_EMPLOYMENT_TARGET"], crumbs=_crumbs(region, actor))
