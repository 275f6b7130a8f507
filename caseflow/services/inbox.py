"""The task inbox: my tasks and my team's queue, filtered, searched, sorted and paged over the human-task
projection (never a workflow), plus claiming, releasing and drafts."""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, or_, select, update

from caseflow.domain.actor import Actor, lane_role
from caseflow.domain.calendar import working_days_between
from caseflow.domain.enums import EventAction, HumanTaskState, Role
from caseflow.domain.paging import paging
from caseflow.domain.schedule import beijing_day
from caseflow.errors import N_, Conflict, NotAllowed
from caseflow.extensions import db
from caseflow.models import Case, Graduate, HumanTask, ProcessInstance, User
from caseflow.services.clock import now as clock_now
from caseflow.services.instances import check_may_complete, get_task_or_raise
from caseflow.services.scope import region_clause
from caseflow.services.workflow import committing, log_event

DUE_SOON_WORKING_DAYS = 2
STAGES = ("contact_round", "case_work", "intent_recheck", "service_package", "seeker_services", "monthly_visit",
          "hardship_support", "entrepreneurship", "case_closure", "graduate_journey", "difficulty_review")


def due_badge(due_at: datetime | None, now: datetime) -> str:
    """on_track, due_soon (within two working days) or overdue."""
    if due_at is None:
        return "on_track"
    if due_at < now:
        return "overdue"
    return "due_soon" if working_days_between(beijing_day(now), beijing_day(due_at)) <= DUE_SOON_WORKING_DAYS \
        else "on_track"


@dataclass(frozen=True)
class InboxQuery:
    scope: str = "mine"  # mine | team
    task: str | None = None  # BPMN task id
    stage: str | None = None  # process id
    hardship: bool = False
    overdue: bool = False
    search: str | None = None
    sort: str = "due"  # due | created | name
    page: int = 1


@dataclass
class InboxRow:
    task: HumanTask
    graduate_name: str | None
    id_masked: str | None
    case_status: str | None
    hardship: bool
    badge: str


@dataclass
class InboxPage:
    rows: list[InboxRow]
    total: int
    page: int
    pages: int
    counts: dict[str, int] = field(default_factory=dict)


def _scope(actor: Actor, scope: str) -> tuple:
    ready = (HumanTask.state == HumanTaskState.READY, region_clause(HumanTask.region_code, actor.region_code))
    if scope == "team":
        lanes = sorted(role.value for role in actor.roles if role != Role.SYSTEM)
        return (HumanTask.lane.in_(lanes), *ready, HumanTask.assignee.is_(None))
    return (HumanTask.assignee == actor.user_id, *ready)


def _task_filters(query: InboxQuery, now: datetime) -> list:
    clauses = []
    if query.task:
        clauses.append(HumanTask.bpmn_id == query.task)
    if query.stage:
        clauses.append(HumanTask.process_id == query.stage)
    if query.overdue:
        clauses.append(HumanTask.due_at < now)
    return clauses


def _case_filters(query: InboxQuery) -> list:
    """Filters on the case or graduate; only these need the join."""
    clauses = []
    if query.hardship:
        clauses.append(Case.hardship_level > 0)
    if query.search:
        text = query.search.strip()
        clauses.append(or_(Graduate.name.contains(text, autoescape=True),
                           Graduate.id_masked.endswith(text[-4:].upper(), autoescape=True)))
    return clauses


_ORDER = {"due": (HumanTask.due_at.is_(None), HumanTask.due_at, HumanTask.id),
          "created": (HumanTask.created_at.desc(), HumanTask.id), "name": (Graduate.name, HumanTask.due_at)}


def _matching(actor: Actor, query: InboxQuery, now: datetime, *columns):
    """A select of `columns` over the actor's tasks matching the query, joining the case only when needed."""
    statement = select(*columns).select_from(HumanTask).where(*_scope(actor, query.scope), *_task_filters(query, now))
    case_clauses = _case_filters(query)
    if case_clauses or query.sort == "name":
        statement = (statement.join(Case, Case.id == HumanTask.case_id)
                     .join(Graduate, Graduate.id == Case.graduate_id).where(*case_clauses))
    return statement


def list_inbox(actor: Actor, query: InboxQuery) -> InboxPage:
    """One page of the actor's inbox, with counts for the tabs: the page is chosen on the task projection,
    then only its fifty rows are joined to their cases for names."""
    now = clock_now()
    counts = inbox_counts(actor, now)
    narrowed = query.task or query.stage or query.overdue or _case_filters(query)
    total = db.session.scalar(_matching(actor, query, now, func.count())) if narrowed \
        else counts[query.scope if query.scope == "team" else "mine"]
    shown = paging(total, query.page)
    ids = db.session.scalars(_matching(actor, query, now, HumanTask.id)
                             .order_by(*_ORDER.get(query.sort, _ORDER["due"]))
                             .limit(shown.size).offset(shown.offset)).all()
    rows = {task.id: (task, name, masked, status, level) for task, name, masked, status, level in db.session.execute(
        select(HumanTask, Graduate.name, Graduate.id_masked, Case.status, Case.hardship_level)
        .outerjoin(Case, Case.id == HumanTask.case_id).outerjoin(Graduate, Graduate.id == Case.graduate_id)
        .where(HumanTask.id.in_(ids)))} if ids else {}
    return InboxPage(
        rows=[InboxRow(task, name, masked, status, bool(level), due_badge(task.due_at, now))
              for task, name, masked, status, level in (rows[i] for i in ids)],
        total=total, page=shown.page, pages=shown.pages, counts=counts)


def inbox_counts(actor: Actor, now: datetime) -> dict[str, int]:
    """How many tasks are mine, in my team's queue, and overdue among mine."""
    def count(*clauses) -> int:
        return db.session.scalar(select(func.count()).where(*clauses))
    return {"mine": count(*_scope(actor, "mine")), "team": count(*_scope(actor, "team")),
            "overdue": count(*_scope(actor, "mine"), HumanTask.due_at < now)}


def task_types(actor: Actor) -> list[tuple[str, str]]:
    """(BPMN task id, name) of the task types open in the actor's region, for the filter list."""
    return list(db.session.execute(
        select(HumanTask.bpmn_id, func.min(HumanTask.name)).where(
            HumanTask.state == HumanTaskState.READY, region_clause(HumanTask.region_code, actor.region_code))
        .group_by(HumanTask.bpmn_id).order_by(HumanTask.bpmn_id)).all())


def claim_task(task_id: str, *, actor: Actor) -> HumanTask:
    """Take a task from the team queue; a task someone else claimed meanwhile is a Conflict."""
    task = get_task_or_raise(task_id, actor)
    if not actor.may_work_lane(task.lane):
        raise NotAllowed(N_("only the %(role)s role may complete this task"), role=task.lane)
    with committing():
        result = db.session.execute(update(HumanTask).where(HumanTask.id == task.id, HumanTask.assignee.is_(None),
                                                            HumanTask.state == HumanTaskState.READY)
                                    .values(assignee=actor.user_id))
        if result.rowcount != 1:
            raise Conflict(N_("this task was claimed by someone else meanwhile"))
        if lane_role(task.lane) == Role.CASEWORKER and task.case_id:
            _take_unowned_case(task, actor)
        log_event(actor=actor, action=EventAction.TASK_CLAIMED, now=clock_now(), instance_id=task.instance_id,
                  case_id=task.case_id, task_id=task.id)
    return task


def _take_unowned_case(task: HumanTask, actor: Actor) -> None:
    """A caseworker who claims the first task of a case nobody owns becomes its caseworker."""
    case = db.session.get(Case, task.case_id)
    if case.caseworker_id is not None:
        return
    case.caseworker_id = db.session.scalar(select(User.id).where(User.username == actor.user_id))
    db.session.execute(update(ProcessInstance).where(ProcessInstance.id == task.instance_id,
                                                     ProcessInstance.assignee.is_(None))
                       .values(assignee=actor.user_id))


def release_task(task_id: str, *, actor: Actor) -> None:
    """Put a task one holds back into the team queue."""
    task = get_task_or_raise(task_id, actor)
    if task.assignee != actor.user_id:
        raise NotAllowed(N_("only the person holding a task can release it"))
    with committing():
        task.assignee = None
        log_event(actor=actor, action=EventAction.TASK_RELEASED, now=clock_now(), instance_id=task.instance_id,
                  case_id=task.case_id, task_id=task.id)


def save_draft(task_id: str, values: dict, *, actor: Actor) -> None:
    """Keep what the user typed so far; completing the task later clears it."""
    task = get_task_or_raise(task_id, actor)
    check_may_complete(task, actor)  # only who could complete the task may prepare its answer
    with committing():
        task.draft = {key: str(value)[:2000] for key, value in values.items()
                      if key not in ("csrf_token", "idempotency_key")}
        log_event(actor=actor, action=EventAction.DRAFT_SAVED, now=clock_now(), instance_id=task.instance_id,
                  case_id=task.case_id, task_id=task.id)
