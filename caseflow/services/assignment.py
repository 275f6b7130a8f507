"""Who gets new work: the substitute of a caseworker away on leave, and the rule that picks the caseworker of
a new handover (balanced by open caseload, or by the graduate's street or community)."""

import heapq
from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app
from sqlalchemy import bindparam, select
from sqlalchemy.orm import aliased

from caseflow.domain.enums import AssignmentRule, Role
from caseflow.domain.schedule import beijing_day
from caseflow.extensions import db
from caseflow.models import User

_ABSENCES = "caseflow.absences"
COUNTY_CODE_LENGTH = 6
Queue = list[tuple[int, str]]  # (open cases, username) of a county's caseworkers, a heap


def _away_statement():
    substitute = aliased(User)
    return (select(User.username, substitute.username).join(substitute, substitute.id == User.substitute_id)
            .where(User.away_from <= bindparam("day"), User.away_until >= bindparam("day"),
                   substitute.active.is_(True)))


# Built once: constructing the aliased join costs more than running it, and every engine step that creates a
# task reads it (a sweep on SQLite, one transaction per wake, spent a third of its time building it).
_AWAY = _away_statement()


def _away_on(day: date) -> dict[str, str]:
    return dict(db.session.connection().execute(_AWAY, {"day": day}).all())


def absences(now: datetime) -> dict[str, str]:
    """Caseworkers away on `now`'s day (Beijing time) → their substitutes; read once per transaction."""
    session = db.session()
    session.connection()  # begins the transaction the cache is keyed on
    transaction, day = session.get_transaction(), beijing_day(now)
    cached = session.info.get(_ABSENCES)
    if cached is not None and cached[0] is transaction and cached[1] == day:
        return cached[2]
    away = _away_on(day)
    session.info[_ABSENCES] = (transaction, day, away)
    return away


def stand_in(username: str, away: dict[str, str]) -> str:
    """Who works `username`'s new tasks: their substitute while they are away (along a chain of absences)."""
    seen = {username}
    while username in away and away[username] not in seen:
        username = away[username]
        seen.add(username)
    return username


@dataclass(frozen=True)
class Staff:
    """What the assignment rule needs about caseworkers: their areas and who is away today."""

    rule: AssignmentRule
    areas: dict[str, str]
    away: frozenset[str]


def load_staff(now: datetime) -> Staff:
    areas = dict(db.session.execute(select(User.username, User.region_code).where(
        User.has_role(Role.CASEWORKER), User.active.is_(True))).all())
    return Staff(AssignmentRule(current_app.config["CASEFLOW_ASSIGNMENT_RULE"]), areas,
                 frozenset(_away_on(beijing_day(now))))


def _local(username: str, area: str, staff: Staff) -> bool:
    """The caseworker serves a street or community that contains the graduate's area."""
    served = staff.areas.get(username, "")
    return len(served) > COUNTY_CODE_LENGTH and area.startswith(served)


def pick(queue: Queue, *, area: str | None, staff: Staff) -> str | None:
    """Take the caseworker for one new case off the county's queue and count the case against them.

    Nobody away on leave gets new cases (unless the whole county is away: their substitutes then take the tasks);
    under the street rule a caseworker of the graduate's street or community comes first."""
    if not queue:
        return None
    local_rule = staff.rule == AssignmentRule.STREET and area and len(area) > COUNTY_CODE_LENGTH
    if not local_rule and not staff.away:
        load, username = heapq.heappop(queue)  # the common case stays O(log n)
        heapq.heappush(queue, (load + 1, username))
        return username
    present = [entry for entry in queue if entry[1] not in staff.away] or queue
    if local_rule:
        present = [entry for entry in present if _local(entry[1], area, staff)] or present
    load, username = min(present)
    queue[queue.index((load, username))] = (load + 1, username)
    heapq.heapify(queue)
    return username
