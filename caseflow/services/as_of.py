"""What a report date sees, decided in one place: whether a case was in a region's ledger on that date, whether
it was still there or had been transferred out, and whether it was placed — as the records known at a given time
say it.

A report date has two times. `at` is the end of the report day: what had taken effect by then counts. `known`
is when the records were read: `at` itself ("as known then", which never changes once the day is over) or None
for everything recorded so far ("as known now", which also counts records entered late with an earlier
effective date). Region
membership comes from case stints (one per county a case passed through, closed when a transfer is accepted), so
a transfer never rewrites a past report. Counting rules elsewhere (follow-up, the two-year boundary) take a
Moment and these clauses rather than reading the case row's current region or status."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, case, exists, func, literal_column, or_, select, true

from caseflow.domain.enums import PlacementKind, ServiceKind
from caseflow.domain.supervision import end_of_day
from caseflow.models import Case, CaseStint, Classification, EntrepreneurshipSupport, Placement, ServiceRecord
from caseflow.services.scope import region_clause


@dataclass(frozen=True)
class Moment:
    """A report's point in time: effects up to `at` (the end of report day `day`), records known by `known`."""

    day: date
    at: datetime
    known: datetime | None  # None: every record there is now

    def recorded(self, column):
        """`column` (when a record was entered) lies in what this moment knows."""
        return true() if self.known is None else column < self.known


def moment(day: date, now: datetime, *, known_now: bool = False) -> Moment:
    """The moment of a report dated `day` read at `now`: as known then, or as known now."""
    at = min(end_of_day(day), now)  # a report of today is taken now
    return Moment(day, at, None if known_now else at)


def group_key(region: str, *, total: bool = False):
    """What the rows of a report of `region` are, over a stint: the next region level down, the caseworker who
    had the case in that stint inside a county (kept on the stint when it ended), or the region itself (total)."""
    if total:  # a digits-only region code (report_region checks it), inlined so PostgreSQL can group by it
        return literal_column(f"'{region}'")
    length = len(region)
    if length >= 6:
        return case((CaseStint.ended_at.is_(None), Case.caseworker_id), else_=CaseStint.caseworker_id)
    # literal lengths: PostgreSQL matches a GROUP BY to the select list only when no parameters differ
    if length == 0:
        return func.substr(CaseStint.region_code, literal_column("1"), literal_column("2"))
    return func.substr(CaseStint.county_code, literal_column("1"), literal_column(str(length + 2)))


def membership(region: str, when: Moment, *, total: bool = False):
    """One row per case and row of the report whose ledger held the case by `when.at`: `here` when the case was
    still in it then (else it had been transferred out), `arrived` when it came into that ledger."""
    live = and_(CaseStint.started_at < when.at, or_(CaseStint.ended_at.is_(None), CaseStint.ended_at >= when.at))
    grp = group_key(region, total=total)
    by = (CaseStint.case_id,) if total else (CaseStint.case_id, grp)  # PostgreSQL refuses a constant in GROUP BY
    return (select(CaseStint.case_id.label("case_id"), grp.label("grp"),
                   func.max(case((live, 1), else_=0)).label("here"), func.min(CaseStint.started_at).label("arrived"))
            .join(Case, Case.id == CaseStint.case_id)
            .where(region_clause(CaseStint.region_code, region), CaseStint.started_at < when.at)
            .group_by(*by).subquery())


def requirement_then(when: Moment):
    """The package requirement of the case's profile at `when.at` (from its stint; older cases: from the case)."""
    return (select(CaseStint.package_requirement).where(
        CaseStint.case_id == Case.id, CaseStint.started_at < when.at,
        or_(CaseStint.ended_at.is_(None), CaseStint.ended_at >= when.at))
        .order_by(CaseStint.started_at.desc()).limit(1).scalar_subquery())


def known_classification(when: Moment):
    """A classification this moment knows: one entered late with an earlier effective date (a reclassification)
    counts only as known now, so a past report as known then never changes."""
    return when.recorded(func.coalesce(Classification.recorded_at, Classification.effective_at))


def placed(when: Moment, *extra):
    """The case had a placement in effect by the report day (its start date), recorded by `when.known`."""
    return exists().where(Placement.case_id == Case.id, Placement.start_date <= when.day,
                          when.recorded(Placement.recorded_at), *extra)


def registered(when: Moment):
    """A business registered by the report day (its registration date), as recorded by `when.known`: the
    registration is recorded together with its self-employment placement."""
    support = EntrepreneurshipSupport
    return and_(support.registered_on <= when.day, exists().where(
        Placement.case_id == support.case_id, Placement.kind == PlacementKind.SELF_EMPLOYMENT,
        Placement.start_date == support.registered_on, when.recorded(Placement.recorded_at)))


def subsidy_paid(when: Moment):
    """A startup subsidy paid by the report day (its payment date), as recorded by `when.known`."""
    support = EntrepreneurshipSupport
    return and_(support.subsidy_paid_on <= when.day, exists().where(
        ServiceRecord.case_id == support.case_id, ServiceRecord.kind == ServiceKind.SUBSIDY_HELP,
        when.recorded(ServiceRecord.at)))
