"""Moving work between caseworkers without stopping it: one task, one case or many cases in one transaction,
and the out-of-office substitute.

Workflows keep running: the serialized instance state, its timers and its status are never touched. A case
reassignment writes the case's caseworker, the instance's assignee (so the workflow's next tasks go to the new
caseworker) and the open caseworker-lane tasks, with set-based UPDATEs. It also bumps the instances' version:
an engine step that loaded an instance before the reassignment then loses its version check (409, or a timer
retried by the next sweep) instead of writing new tasks for the previous caseworker."""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import insert, select, update

from caseflow.domain.actor import Actor, lane_role
from caseflow.domain.enums import EventAction, HumanTaskState, Role
from caseflow.errors import N_, Conflict, InvalidInput, OutOfRegion
from caseflow.extensions import db
from caseflow.models import Case, EventLog, HumanTask, ProcessInstance, User
from caseflow.services.clock import now as clock_now
from caseflow.services.instances import get_task_or_raise
from caseflow.services.scope import region_clause
from caseflow.services.supervision import CaseFilter, check_managing, filter_clauses, get_caseworker_or_raise
from caseflow.services.workflow import committing, log_event

CHUNK = 1000
CASE, INSTANCE, TASK, EVENT = Case.__table__, ProcessInstance.__table__, HumanTask.__table__, EventLog.__table__
LIST_CHANGED = N_("the list of cases changed meanwhile; reload it and try again")


def _reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if len(text) < 2:
        raise InvalidInput(N_("give a reason for the reassignment"))
    return text[:500]


def _serves(user: User, county: str | None) -> bool:
    """The caseworker works in the county (their area is the county or a street or community of it)."""
    return bool(county) and user.region_code.startswith(county)


def _same(column, value):
    return column.is_(None) if value is None else column == value


def reassign_task(task_id: str, *, to_user_id: int, reason: str, actor: Actor) -> HumanTask:
    """Give one open caseworker task to another caseworker of its county; its workflow runs on untouched."""
    check_managing(actor)
    reason = _reason(reason)
    task = get_task_or_raise(task_id, actor)
    target = get_caseworker_or_raise(to_user_id, actor)
    if lane_role(task.lane) != Role.CASEWORKER:
        raise InvalidInput(N_("only caseworker tasks are reassigned; supervisors claim theirs"))
    if not _serves(target, task.region_code[:6]):
        raise InvalidInput(N_("%(name)s does not work in the county of this task"), name=target.display_name)
    previous = task.assignee
    with committing():
        moved = db.session.execute(update(TASK).where(TASK.c.id == task.id, TASK.c.state == HumanTaskState.READY,
                                                      _same(TASK.c.assignee, previous))
                                   .values(assignee=target.username))
        if moved.rowcount != 1:
            raise Conflict(N_("this task was changed by someone else meanwhile; reload and try again"))
        log_event(actor=actor, action=EventAction.TASK_REASSIGNED, now=clock_now(), instance_id=task.instance_id,
                  case_id=task.case_id, task_id=task.id, name=task.name, **{"from": previous},
                  to=target.username, reason=reason)
    db.session.expire(task)
    return task


@dataclass(frozen=True)
class CaseSelection:
    """The cases to move: those ticked in a list, each with the caseworker the user saw; or every case of a
    list (a caseworker's caseload, a stalled list) with the number of cases the user saw in it."""

    seen: dict[int, int | None] = field(default_factory=dict)
    filter: CaseFilter | None = None
    expected: int | None = None


@dataclass(frozen=True)
class _Row:
    id: int
    instance_id: int | None
    caseworker_id: int | None
    county_code: str | None


def _chunks(items: list, size: int = CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _selected(selection: CaseSelection, actor: Actor) -> list[_Row]:
    """The selected open cases of the actor's region, locked for this transaction where the database can."""
    columns = (Case.id, Case.instance_id, Case.caseworker_id, Case.county_code)
    if selection.filter is not None:
        if selection.filter.closed_this_month:
            raise InvalidInput(N_("closed cases are not reassigned"))
        rows = db.session.execute(select(*columns).where(*filter_clauses(actor, selection.filter, clock_now()))
                                  .order_by(Case.id).with_for_update()).all()
        if selection.expected is not None and len(rows) != selection.expected:
            raise Conflict(LIST_CHANGED)
        return [_Row(*row) for row in rows]
    wanted, rows = sorted(selection.seen), []
    for chunk in _chunks(wanted):
        rows += db.session.execute(select(*columns, Case.closed_at).where(Case.id.in_(chunk), region_clause(
            Case.region_code, actor.region_code)).order_by(Case.id).with_for_update()).all()
    if len(rows) != len(wanted):  # outside the region, or no such case: the same to the actor
        missing = sorted(set(wanted) - {row.id for row in rows})
        raise OutOfRegion(N_("case not found"), actor=actor, kind="case", key=",".join(map(str, missing[:10])),
                          case_id=missing[0])
    if any(row.caseworker_id != selection.seen[row.id] or row.closed_at is not None for row in rows):
        raise Conflict(LIST_CHANGED)
    return [_Row(*row[:4]) for row in rows]


def _move(rows: list[_Row], target: User, now) -> None:
    """Set-based UPDATEs: cases (checked against the caseworker they had), instance assignees, open tasks."""
    by_owner: dict[int | None, list[int]] = defaultdict(list)
    for row in rows:
        by_owner[row.caseworker_id].append(row.id)
    moved = 0
    for owner, ids in by_owner.items():
        for chunk in _chunks(ids):
            moved += db.session.execute(update(CASE).where(CASE.c.id.in_(chunk), _same(CASE.c.caseworker_id, owner),
                                                           CASE.c.closed_at.is_(None))
                                        .values(caseworker_id=target.id, updated_at=now)).rowcount
    if moved != len(rows):
        raise Conflict(LIST_CHANGED)
    instance_ids = [row.instance_id for row in rows if row.instance_id]
    for chunk in _chunks(instance_ids):
        db.session.execute(update(INSTANCE).where(INSTANCE.c.id.in_(chunk))
                           .values(assignee=target.username, lock_version=INSTANCE.c.lock_version + 1))
        db.session.execute(update(TASK).where(TASK.c.instance_id.in_(chunk), TASK.c.state == HumanTaskState.READY,
                                              TASK.c.lane == Role.CASEWORKER).values(assignee=target.username))


def reassign_cases(selection: CaseSelection, *, to_user_id: int, reason: str, actor: Actor) -> int:
    """Move the selected cases, their workflows' next tasks and their open caseworker tasks to another caseworker
    of their county, in one transaction: all of them or (on a conflicting change meanwhile) none. Each case's
    timeline records the reassignment. Returns how many cases changed hands."""
    check_managing(actor)
    reason = _reason(reason)
    target = get_caseworker_or_raise(to_user_id, actor)
    now = clock_now()
    with committing(LIST_CHANGED):
        rows = _selected(selection, actor)
        if not rows:
            raise InvalidInput(N_("no case is selected"))
        outside = sum(1 for row in rows if not _serves(target, row.county_code))
        if outside:
            raise InvalidInput(N_("%(count)s of the selected cases are not in the county of %(name)s"),
                               count=outside, name=target.display_name)
        rows = [row for row in rows if row.caseworker_id != target.id]
        _move(rows, target, now)
        _log_assignments(rows, target, reason, actor, now)
    return len(rows)


def _log_assignments(rows: list[_Row], target: User, reason: str, actor: Actor, now) -> None:
    names = dict(db.session.execute(select(User.id, User.username).where(
        User.id.in_({row.caseworker_id for row in rows if row.caseworker_id}))).all())
    if rows:
        db.session.execute(insert(EVENT), [
            {"at": now, "actor": actor.user_id, "action": EventAction.CASE_ASSIGNED, "instance_id": row.instance_id,
             "case_id": row.id, "task_id": None, "idempotency_key": None,
             "detail": {"from": names.get(row.caseworker_id), "to": target.username, "reason": reason,
                        "bulk": len(rows)}} for row in rows])


def reassign_case(case_id: int, *, seen_caseworker_id: int | None, to_user_id: int, reason: str,
                  actor: Actor) -> int:
    """Move one case (see reassign_cases)."""
    return reassign_cases(CaseSelection(seen={case_id: seen_caseworker_id}), to_user_id=to_user_id, reason=reason,
                          actor=actor)


def set_absence(user_id: int, *, away_from: date | None, away_until: date | None, substitute_id: int | None,
                actor: Actor) -> User:
    """Record (or, with no dates, clear) a caseworker's leave: from `away_from` to `away_until` inclusive their
    new tasks go to the substitute and new handovers pass them by."""
    check_managing(actor)
    user = get_caseworker_or_raise(user_id, actor)
    if away_from is None and away_until is None:
        user.away_from = user.away_until = user.substitute_id = None
    else:
        if away_from is None or away_until is None or away_until < away_from:
            raise InvalidInput(N_("give the first and the last day of the absence, in that order"))
        substitute = get_caseworker_or_raise(substitute_id or 0, actor)
        if substitute.id == user.id or not _serves(substitute, user.region_code[:6]):
            raise InvalidInput(N_("the substitute must be another caseworker of the same county"))
        user.away_from, user.away_until, user.substitute_id = away_from, away_until, substitute.id
    with committing():
        log_event(actor=actor, action=EventAction.ABSENCE_SET, now=clock_now(), user=user.username,
                  away_from=away_from.isoformat() if away_from else None,
                  away_until=away_until.isoformat() if away_until else None,
                  substitute=db.session.get(User, user.substitute_id).username if user.substitute_id else None)
    return user
