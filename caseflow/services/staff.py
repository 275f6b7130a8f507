"""Administering staff accounts: list, disable, enable, set roles and region, reset a password. Every change is
audited; administrators act only inside their own region, and the installation always keeps an administrator."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import func, or_, select, update
from werkzeug.security import generate_password_hash

from caseflow.domain.actor import Actor
from caseflow.domain.enums import EventAction, HumanTaskState, RegionLevel, Role
from caseflow.domain.paging import paging
from caseflow.domain.staff import temporary_password
from caseflow.errors import N_, Conflict
from caseflow.extensions import db
from caseflow.models import Case, HumanTask, Region, User, UserRole
from caseflow.services.accounts import (
    check_administrator,
    check_new_password,
    check_region,
    check_roles,
    get_user_or_raise,
)
from caseflow.services.clock import now as clock_now
from caseflow.services.scope import region_clause
from caseflow.services.workflow import committing, log_event


@dataclass(frozen=True)
class UserQuery:
    text: str | None = None  # part of the user name or display name
    role: Role | None = None
    region: str | None = None  # an area code inside the administrator's region
    active: bool | None = None
    page: int = 1


@dataclass
class UserRow:
    user: User
    roles: list[Role]


@dataclass
class UserPage:
    rows: list[UserRow]
    total: int
    page: int
    pages: int
    role_counts: dict[Role, int] = field(default_factory=dict)


def _clauses(actor: Actor, query: UserQuery) -> list:
    clauses = [region_clause(User.region_code, actor.region_code)]
    if query.region and actor.covers(query.region):
        clauses.append(region_clause(User.region_code, query.region))
    if query.text:
        clauses.append(or_(User.username.contains(query.text, autoescape=True),
                           User.display_name.contains(query.text, autoescape=True)))
    if query.role:
        clauses.append(User.has_role(query.role))
    if query.active is not None:
        clauses.append(User.active.is_(query.active))
    return clauses


def list_users(actor: Actor, query: UserQuery) -> UserPage:
    """One page of the accounts of the administrator's region, by region then name; roles in one more query."""
    check_administrator(actor)
    clauses = _clauses(actor, query)
    shown = paging(db.session.scalar(select(func.count()).select_from(User).where(*clauses)), query.page)
    users = db.session.scalars(select(User).where(*clauses).order_by(User.region_code, User.username)
                               .limit(shown.size).offset(shown.offset)).all()
    roles: dict[int, list[Role]] = {}
    if users:
        for user_id, role in db.session.execute(select(UserRole.user_id, UserRole.role)
                                                .where(UserRole.user_id.in_([u.id for u in users]))):
            roles.setdefault(user_id, []).append(Role(role))
    counts = dict(db.session.execute(select(UserRole.role, func.count()).join(User, User.id == UserRole.user_id)
                                     .where(region_clause(User.region_code, actor.region_code),
                                            User.active.is_(True)).group_by(UserRole.role)).all())
    return UserPage(rows=[UserRow(user, sorted(roles.get(user.id, []), key=list(Role).index)) for user in users],
                    total=shown.total, page=shown.page, pages=shown.pages,
                    role_counts={Role(role): count for role, count in counts.items()})


def _active_admins_besides(user: User) -> int:
    return db.session.scalar(select(func.count()).select_from(User).where(
        User.has_role(Role.ADMIN), User.active.is_(True), User.id != user.id))


def _keep_an_administrator(user: User, *, losing: bool) -> None:
    if losing and Role.ADMIN in user.roles and user.active and not _active_admins_besides(user):
        raise Conflict(N_("%(name)s is the last active administrator; add another one first"), name=user.username)


def _not_yourself(user: User, actor: Actor) -> None:
    if user.username == actor.user_id:
        raise Conflict(N_("you cannot disable your own account or take away your own administration"))


def open_work(user: User) -> tuple[int, int]:
    """(open cases, open tasks) this user holds: what a supervisor reassigns when they leave."""
    cases = db.session.scalar(select(func.count()).select_from(Case).where(Case.caseworker_id == user.id,
                                                                           Case.closed_at.is_(None)))
    tasks = db.session.scalar(select(func.count()).select_from(HumanTask).where(
        HumanTask.assignee == user.username, HumanTask.state == HumanTaskState.READY))
    return cases, tasks


def set_active(username: str, active: bool, *, actor: Actor) -> User:
    """Disable an account (every session of it ends at once) or enable it again."""
    user = get_user_or_raise(username, actor)
    if user.active == active:
        return user
    if not active:
        _not_yourself(user, actor)
        _keep_an_administrator(user, losing=True)
    with committing():
        user.active = active
        if not active:
            user.session_generation += 1
        log_event(actor=actor, action=EventAction.USER_ENABLED if active else EventAction.USER_DISABLED,
                  now=clock_now(), user=user.username)
    return user


def _check_move(user: User, region_code: str) -> None:
    """A caseworker who still holds cases of the old region cannot move: their supervisor reassigns them first."""
    cases, tasks = open_work(user)
    if region_code != user.region_code and (cases or tasks):
        raise Conflict(N_("%(name)s still holds %(cases)s open cases and %(tasks)s open tasks; reassign them in the "
                          "supervisor console first"), name=user.username, cases=cases, tasks=tasks)


def update_user(username: str, *, roles: Iterable[Role], actor: Actor, region_code: str | None = None,
                display_name: str | None = None) -> User:
    """Set an account's roles (one or more), and maybe its region and display name."""
    user = get_user_or_raise(username, actor)
    roles = check_roles(roles)
    region_code = region_code or user.region_code
    check_region(region_code)
    check_administrator(actor, region_code)
    if Role.ADMIN not in roles and Role.ADMIN in user.roles:
        _not_yourself(user, actor)
        _keep_an_administrator(user, losing=True)
    _check_move(user, region_code)
    before = {"roles": sorted(user.roles), "region": user.region_code, "name": user.display_name}
    with committing():
        user.roles = roles
        user.region_code = region_code
        user.display_name = (display_name or "").strip()[:100] or user.display_name
        after = {"roles": sorted(roles), "region": region_code, "name": user.display_name}
        log_event(actor=actor, action=EventAction.USER_UPDATED, now=clock_now(), user=user.username,
                  **{key: f"{before[key]} → {after[key]}" for key in after if before[key] != after[key]})
    return user


def reset_password(username: str, *, actor: Actor, new: str | None = None) -> str:
    """Give an account a new password that must be changed at the next sign-in; every session of it ends.
    Without `new` a temporary one is made up. Returns the password to hand over (shown once, never stored)."""
    user = get_user_or_raise(username, actor)
    password = new or temporary_password()
    if new is not None:
        check_new_password(new, user.username)
    with committing():
        db.session.execute(update(User).where(User.id == user.id).values(
            password_hash=generate_password_hash(password, method=current_app.config["CASEFLOW_PASSWORD_METHOD"]),
            must_change_password=True, session_generation=User.session_generation + 1))
        log_event(actor=actor, action=EventAction.PASSWORD_RESET, now=clock_now(), user=user.username,
                  generated=new is None)
    db.session.expire(user)
    return password



def list_regions(actor: Actor) -> list[Region]:
    """The provinces, cities and counties an administrator may place accounts in (streets are typed by code)."""
    check_administrator(actor)
    return list(db.session.scalars(select(Region).where(
        Region.level.in_((RegionLevel.PROVINCE, RegionLevel.CITY, RegionLevel.COUNTY)),
        region_clause(Region.code, actor.region_code)).order_by(Region.code)))
