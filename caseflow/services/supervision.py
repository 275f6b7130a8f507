"""The supervisor console: stalled and at-risk cases, workload per caseworker, approvals waiting in the region.

Everything is read from the case table and the human-task projection, scoped to the actor's region; the lists
are rules over SQL (EXISTS on open tasks, dates on the case), so they page and count in the database."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, case, exists, func, not_, or_, select
from sqlalchemy.orm import aliased

from caseflow.domain.actor import Actor
from caseflow.domain.calendar import end_of_working_day
from caseflow.domain.enums import CaseStatus, EventAction, HumanTaskState, Role, StalledRule
from caseflow.domain.paging import paging
from caseflow.domain.permissions import Permission, roles_with
from caseflow.domain.schedule import beijing_day
from caseflow.domain.supervision import (
    APPROVE,
    DELIVER_SERVICE,
    MONTHLY_VISIT,
    PACKAGE_REVIEW,
    PLAN_APPROVAL,
    SEEKING_CLASSIFICATIONS,
    beijing_midnight,
    month_start,
    working_days_before,
)
from caseflow.errors import N_, NotAllowed, NotFound, OutOfRegion
from caseflow.extensions import db
from caseflow.models import Case, Classification, EventLog, Graduate, HumanTask, User
from caseflow.services.cases import add_years
from caseflow.services.clock import now as clock_now
from caseflow.services.inbox import DUE_SOON_WORKING_DAYS, due_badge
from caseflow.services.scope import region_clause

CONSOLE_ROLES = roles_with(Permission.SUPERVISION_CONSOLE)
MANAGING_ROLES = roles_with(Permission.REASSIGN_WORK)


def check_console(actor: Actor) -> Actor:
    """Supervisors, analysts and administrators use the console; anyone else is refused."""
    if not CONSOLE_ROLES & actor.roles:
        raise NotAllowed(N_("only supervisors, analysts and administrators may use the supervisor console"))
    return actor


def check_managing(actor: Actor) -> Actor:
    """Only supervisors (and administrators) move work between caseworkers."""
    if not MANAGING_ROLES & actor.roles:
        raise NotAllowed(N_("only supervisors may reassign work"))
    return actor


def open_case_clauses(actor: Actor) -> tuple:
    """Open cases inside the actor's region."""
    return (region_clause(Case.region_code, actor.region_code), Case.closed_at.is_(None),
            Case.status != CaseStatus.CLOSED)


def _open_task(*clauses):
    return exists().where(HumanTask.case_id == Case.id, HumanTask.state == HumanTaskState.READY, *clauses)


def approved(task_bpmn_id: str, before: datetime | None = None):
    """The case's approval task `task_bpmn_id` was completed with an approval (before `before`), as the audit
    trail records it."""
    clauses = [EventLog.case_id == Case.id, EventLog.action == EventAction.TASK_COMPLETED,
               EventLog.detail["task"].as_string() == task_bpmn_id,
               EventLog.detail[("data", "decision")].as_string() == APPROVE]
    if before is not None:
        clauses.append(EventLog.at < before)
    return exists().where(*clauses)


def plan_approved(before: datetime | None = None):
    """The case's one-on-one hardship plan was approved (before `before`)."""
    return approved(PLAN_APPROVAL, before)


def _month_start(now: datetime) -> datetime:
    return beijing_midnight(month_start(beijing_day(now)))


def _no_activity(now: datetime, config):
    quiet_since = working_days_before(beijing_day(now), config["CASEFLOW_NO_ACTIVITY_WORKING_DAYS"])
    return Case.updated_at < beijing_midnight(quiet_since)


def _first_contact_overdue(now: datetime, config):
    return and_(Case.first_contact_due < now, Case.first_reached_at.is_(None))


def _package_overdue(now: datetime, config):
    seeking_since = exists().where(
        Classification.case_id == Case.id, Classification.status.in_(SEEKING_CLASSIFICATIONS),
        Classification.effective_at <= now - timedelta(days=config["CASEFLOW_PACKAGE_OVERDUE_DAYS"]))
    return or_(_open_task(HumanTask.bpmn_id == PACKAGE_REVIEW),
               and_(Case.status == CaseStatus.SEEKING, _open_task(HumanTask.bpmn_id == DELIVER_SERVICE), seeking_since))


def _follow_up_missed(now: datetime, config):
    return and_(Case.status == CaseStatus.SEEKING,
                or_(_open_task(HumanTask.bpmn_id == MONTHLY_VISIT, HumanTask.due_at < now),
                    Case.last_contact_at.is_(None), Case.last_contact_at < _month_start(now)))


def _hardship_without_plan(now: datetime, config):
    return and_(Case.hardship_level > 0, Case.status == CaseStatus.SEEKING, not_(plan_approved()))


def _nearing_two_years(now: datetime, config):
    today = beijing_day(now)
    horizon = today + timedelta(days=config["CASEFLOW_TWO_YEAR_WARNING_DAYS"])
    years = config["CASEFLOW_DIFFICULTY_YEARS"]
    graduate = aliased(Graduate)  # the lists join Graduate themselves
    return and_(Case.status != CaseStatus.PLACED, exists().where(
        graduate.id == Case.graduate_id, graduate.leaving_date > add_years(today, -years),
        graduate.leaving_date <= add_years(horizon, -years)))


def _escalated(now: datetime, config):
    return _open_task(HumanTask.lane == Role.SUPERVISOR, HumanTask.bpmn_id.in_(escalation_tasks()))


_RULES = {StalledRule.OVERDUE_TASKS: lambda now, config: _open_task(HumanTask.due_at < now),
          StalledRule.NO_ACTIVITY: _no_activity, StalledRule.FIRST_CONTACT_OVERDUE: _first_contact_overdue,
          StalledRule.PACKAGE_OVERDUE: _package_overdue, StalledRule.FOLLOW_UP_MISSED: _follow_up_missed,
          StalledRule.HARDSHIP_WITHOUT_PLAN: _hardship_without_plan,
          StalledRule.NEARING_TWO_YEARS: _nearing_two_years, StalledRule.ESCALATED: _escalated}


def rule_clause(rule: StalledRule, now: datetime):
    """The SQL condition that puts an open case on the list of `rule` at `now` (thresholds from the config)."""
    return _RULES[rule](now, current_app.config)


def escalation_tasks() -> list[str]:
    return [t.strip() for t in current_app.config["CASEFLOW_ESCALATION_TASKS"].split(",") if t.strip()]


def enabled_rules() -> list[StalledRule]:
    """The stalled lists this installation shows (CASEFLOW_STALLED_RULES), in their display order."""
    names = {name.strip() for name in current_app.config["CASEFLOW_STALLED_RULES"].split(",")}
    return [rule for rule in StalledRule if rule.value in names]


def stalled_counts(actor: Actor) -> dict[StalledRule, int]:
    """How many open cases of the region each stalled list holds now."""
    check_console(actor)
    now = clock_now()
    return {rule: db.session.scalar(select(func.count()).select_from(Case)
                                    .where(*open_case_clauses(actor), rule_clause(rule, now)))
            for rule in enabled_rules()}


@dataclass(frozen=True)
class CaseFilter:
    """A list of open cases: one stalled rule and/or one caseworker's caseload (or cases closed this month)."""

    rule: StalledRule | None = None
    caseworker_id: int | None = None
    unassigned: bool = False
    closed_this_month: bool = False
    page: int = 1


@dataclass
class CaseRow:
    case: Case
    graduate_name: str
    id_masked: str
    caseworker: str | None


@dataclass
class CasePage:
    rows: list[CaseRow]
    total: int
    page: int
    pages: int
    filter: CaseFilter
    case_ids: list[int] = field(default_factory=list)


def filter_clauses(actor: Actor, query: CaseFilter, now: datetime) -> list:
    """The conditions of a case list, inside the actor's region."""
    if query.closed_this_month:
        clauses = [region_clause(Case.region_code, actor.region_code), Case.closed_at >= _month_start(now)]
    else:
        clauses = list(open_case_clauses(actor))
    if query.rule is not None:
        clauses.append(rule_clause(query.rule, now))
    if query.caseworker_id is not None:
        clauses.append(Case.caseworker_id == query.caseworker_id)
    elif query.unassigned:
        clauses.append(Case.caseworker_id.is_(None))
    return clauses


def list_cases(actor: Actor, query: CaseFilter) -> CasePage:
    """One page of a stalled list or a caseworker's caseload, oldest handover first."""
    check_console(actor)
    now = clock_now()
    clauses = filter_clauses(actor, query, now)
    total = db.session.scalar(select(func.count()).select_from(Case).where(*clauses))
    shown = paging(total, query.page)
    rows = db.session.execute(
        select(Case, Graduate.name, Graduate.id_masked, User.display_name)
        .join(Graduate, Graduate.id == Case.graduate_id).outerjoin(User, User.id == Case.caseworker_id)
        .where(*clauses).order_by(Case.handover_at, Case.id).limit(shown.size).offset(shown.offset)).all()
    return CasePage(rows=[CaseRow(*row) for row in rows], total=total, page=shown.page, pages=shown.pages,
                    filter=query, case_ids=[row[0].id for row in rows])


@dataclass
class WorkloadRow:
    user_id: int
    username: str
    name: str
    region_code: str
    open_cases: int = 0
    on_track: int = 0
    due_soon: int = 0
    overdue: int = 0
    closed_this_month: int = 0
    away: tuple | None = None  # (from, until, substitute name) when an absence is set


def caseworkers(actor: Actor, *, county: str | None = None) -> list[User]:
    """Active caseworkers of the actor's region (or of one county in it), by area and name."""
    clauses = [region_clause(User.region_code, county)] if county else []
    return list(db.session.scalars(select(User).where(
        User.has_role(Role.CASEWORKER), User.active.is_(True), region_clause(User.region_code, actor.region_code),
        *clauses).order_by(User.region_code, User.display_name)))


def _task_loads(usernames: list[str], now: datetime) -> dict[str, tuple[int, int, int]]:
    soon = end_of_working_day(now, DUE_SOON_WORKING_DAYS)
    overdue = func.sum(case((HumanTask.due_at < now, 1), else_=0))
    due_soon = func.sum(case((and_(HumanTask.due_at >= now, HumanTask.due_at <= soon), 1), else_=0))
    rows = db.session.execute(select(HumanTask.assignee, func.count(), due_soon, overdue).where(
        HumanTask.assignee.in_(usernames), HumanTask.state == HumanTaskState.READY).group_by(HumanTask.assignee))
    return {name: (int(total) - int(soon_n or 0) - int(late or 0), int(soon_n or 0), int(late or 0))
            for name, total, soon_n, late in rows}


def _case_counts(actor: Actor, ids: list[int], *clauses) -> dict[int, int]:
    return dict(db.session.execute(select(Case.caseworker_id, func.count()).where(
        Case.caseworker_id.in_(ids), region_clause(Case.region_code, actor.region_code), *clauses)
        .group_by(Case.caseworker_id)).all())


def workload(actor: Actor) -> list[WorkloadRow]:
    """Per caseworker of the region: open cases, open tasks on track / due soon / overdue, cases closed this
    month, and any absence with its substitute."""
    check_console(actor)
    now, people = clock_now(), caseworkers(actor)
    ids = [user.id for user in people]
    names = {user.id: user.display_name for user in db.session.scalars(select(User).where(
        User.id.in_([u.substitute_id for u in people if u.substitute_id])))}
    open_cases = _case_counts(actor, ids, Case.closed_at.is_(None), Case.status != CaseStatus.CLOSED)
    closed = _case_counts(actor, ids, Case.closed_at >= _month_start(now))
    loads = _task_loads([user.username for user in people], now)
    rows = []
    for user in people:
        on_track, soon, late = loads.get(user.username, (0, 0, 0))
        away = (user.away_from, user.away_until, names.get(user.substitute_id)) if user.away_until else None
        rows.append(WorkloadRow(user.id, user.username, user.display_name, user.region_code, open_cases.get(user.id, 0),
                                on_track, soon, late, closed.get(user.id, 0), away))
    return rows


def get_caseworker_or_raise(user_id: int, actor: Actor) -> User:
    """An active caseworker of the actor's region; anyone else does not exist for the actor."""
    user, caseworker = db.session.execute(select(User, User.has_role(Role.CASEWORKER))
                                          .where(User.id == user_id)).first() or (None, False)
    if user is not None and not actor.covers(user.region_code):
        raise OutOfRegion(N_("caseworker not found"), actor=actor, kind="user", key=user_id)
    if user is None or not caseworker or not user.active:
        raise NotFound(N_("caseworker not found"))
    return user


@dataclass
class ApprovalRow:
    task: HumanTask
    graduate_name: str | None
    badge: str


@dataclass
class ApprovalPage:
    kinds: list[tuple[str, str, int, int]]  # (BPMN id, task name, waiting, overdue) of every kind in the region
    kind: str | None
    rows: list[ApprovalRow]
    total: int
    page: int
    pages: int


def _approval_clauses(actor: Actor) -> tuple:
    return (HumanTask.lane == Role.SUPERVISOR, HumanTask.state == HumanTaskState.READY,
            region_clause(HumanTask.region_code, actor.region_code))


def approval_counts(actor: Actor) -> list[tuple[str, str, int, int]]:
    """How many supervisor-lane tasks of each kind wait in the actor's region, and how many of them are overdue:
    (BPMN id, task name, waiting, overdue)."""
    check_console(actor)
    overdue = func.sum(case((HumanTask.due_at < clock_now(), 1), else_=0))
    return [(bpmn_id, name, count, int(late or 0)) for bpmn_id, name, count, late in db.session.execute(
        select(HumanTask.bpmn_id, func.min(HumanTask.name), func.count(), overdue).where(*_approval_clauses(actor))
        .group_by(HumanTask.bpmn_id).order_by(HumanTask.bpmn_id)).all()]


def list_approvals(actor: Actor, *, kind: str | None = None, page: int = 1) -> ApprovalPage:
    """One page of the open supervisor-lane tasks of the region (of one kind, or all), by kind then due."""
    kinds, now = approval_counts(actor), clock_now()
    clauses = (*_approval_clauses(actor), *((HumanTask.bpmn_id == kind,) if kind else ()))
    shown = paging(sum(count for bpmn_id, _name, count, _late in kinds if kind in (None, bpmn_id)), page)
    rows = db.session.execute(
        select(HumanTask, Graduate.name).outerjoin(Case, Case.id == HumanTask.case_id)
        .outerjoin(Graduate, Graduate.id == Case.graduate_id).where(*clauses)
        .order_by(HumanTask.bpmn_id, HumanTask.due_at.is_(None), HumanTask.due_at, HumanTask.id)
        .limit(shown.size).offset(shown.offset)).all()
    return ApprovalPage(kinds, kind, [ApprovalRow(task, name, due_badge(task.due_at, now)) for task, name in rows],
                        shown.total, shown.page, shown.pages)


@dataclass
class CaseworkerTaskPage:
    user: User
    rows: list[tuple[HumanTask, str | None, str]]  # task, graduate name, due badge
    total: int
    page: int
    pages: int


def list_caseworker_tasks(user_id: int, actor: Actor, *, overdue_only: bool = False,
                          page: int = 1) -> CaseworkerTaskPage:
    """One page of a caseworker's open tasks with their graduates, due first (drill-down from the workload)."""
    check_console(actor)
    user, now = get_caseworker_or_raise(user_id, actor), clock_now()
    clauses = [HumanTask.assignee == user.username, HumanTask.state == HumanTaskState.READY,
               region_clause(HumanTask.region_code, actor.region_code)]
    if overdue_only:
        clauses.append(HumanTask.due_at < now)
    shown = paging(db.session.scalar(select(func.count()).select_from(HumanTask).where(*clauses)), page)
    rows = db.session.execute(
        select(HumanTask, Graduate.name).outerjoin(Case, Case.id == HumanTask.case_id)
        .outerjoin(Graduate, Graduate.id == Case.graduate_id).where(*clauses)
        .order_by(HumanTask.due_at.is_(None), HumanTask.due_at, HumanTask.id)
        .limit(shown.size).offset(shown.offset)).all()
    return CaseworkerTaskPage(user, [(task, name, due_badge(task.due_at, now)) for task, name in rows], shown.total,
                              shown.page, shown.pages)
