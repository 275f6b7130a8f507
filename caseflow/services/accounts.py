"""Accounts: the signed-in user of a request, the actor a user acts as, and adding an account."""

from collections.abc import Iterable

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import generate_password_hash

from caseflow.domain.actor import Actor
from caseflow.domain.enums import EventAction, Role
from caseflow.domain.permissions import Permission, permissions_of
from caseflow.domain.signin import MIN_PASSWORD_LENGTH, password_problem
from caseflow.domain.staff import ASSIGNABLE, DEMO_PASSWORD, username_problem
from caseflow.errors import N_, Conflict, InvalidInput, NotAllowed, NotFound, OutOfRegion
from caseflow.extensions import db
from caseflow.models import Region, User, UserRole
from caseflow.services.clock import now as clock_now
from caseflow.services.workflow import committing, log_event

__all__ = ["DEMO_PASSWORD", "DEMO_USERS", "SessionUser", "actor_for", "add_user", "create_user", "load_session_user",
           "seed_demo_users"]
_CW, _SUP, _MENTOR = (Role.CASEWORKER,), (Role.SUPERVISOR,), (Role.MENTOR,)
# username, display name, roles, region: two counties of Changchun (Jilin, profile jilin_1311) and two of Wuhan
# (Hubei, profile hubei), with their cities and provinces
DEMO_USERS = (
    ("nanguan_cw1", "王丽（南关区就业服务专员）", _CW, "220102"),
    ("nanguan_cw2", "刘洋（南关区就业服务专员）", _CW, "220102"),
    ("nanguan_mentor", "赵敏（创业就业指导师）", _MENTOR, "220102"),
    ("nanguan_sup", "陈刚（南关区就业服务中心主任）", _SUP, "220102"),
    ("kuancheng_cw1", "孙悦（宽城区就业服务专员）", _CW, "220103"),
    ("kuancheng_sup", "周强（宽城区就业服务中心主任）", _SUP, "220103"),
    ("changchun_sup", "吴静（长春市就业服务局）", _SUP, "2201"),
    ("jilin_designer", "郑凯（省流程设计）", (Role.DESIGNER,), "22"),
    ("jilin_analyst", "何琳（省统计分析）", (Role.ANALYST,), "22"),
    ("admin", "系统管理员", (Role.ADMIN,), "22"),
    ("jiangan_cw1", "李娜（江岸区就业服务专员）", _CW, "420102"),
    ("jiangan_cw2", "黄磊（江岸区就业服务专员）", _CW, "420102"),
    ("jiangan_sup", "张伟（江岸区就业服务中心主任、创业就业指导师）", (Role.SUPERVISOR, Role.MENTOR), "420102"),
    ("wuchang_cw1", "陈静（武昌区就业服务专员）", _CW, "420106"),
    ("wuchang_sup", "刘强（武昌区就业服务中心主任）", _SUP, "420106"),
    ("wuhan_sup", "杨帆（武汉市就业服务局）", _SUP, "4201"),
    ("hubei_admin", "湖北省系统管理员", (Role.ADMIN,), "42"),
)


class SessionUser(UserMixin):
    """The signed-in user as a request sees it: read with one light query per request.

    The session stores "id:generation"; a sign-out or a new password raises the user's generation, so every
    session signed in before it stops loading."""

    def __init__(self, row, roles: Iterable[str | None]):
        (self.id, self.username, self.display_name, self.region_code, self.generation,
         self.must_change_password) = row
        self.roles = frozenset(Role(role) for role in roles if role)
        self.permissions = permissions_of(self.roles)

    def get_id(self) -> str:
        return f"{self.id}:{self.generation}"

    def may(self, permission: str) -> bool:
        """Whether the user's roles grant this action (templates show an action only then)."""
        return Permission(permission) in self.permissions


SESSION_COLUMNS = (User.id, User.username, User.display_name, User.region_code, User.session_generation,
                   User.must_change_password)
# One row per role the user holds (a user holds at least one): still one statement per request.
_SESSION_USER = (select(*SESSION_COLUMNS, UserRole.role).outerjoin(UserRole, UserRole.user_id == User.id)
                 .where(User.id == bindparam("b_id"), User.session_generation == bindparam("b_generation"),
                        User.active.is_(True)))
_ROLES = select(UserRole.role).where(UserRole.user_id == bindparam("b_id"))


def load_session_user(session_id: str) -> SessionUser | None:
    """The active user this session was signed in as, or None once the user was deactivated, signed out
    everywhere or changed the password (the request is then anonymous)."""
    user_id, _, generation = session_id.partition(":")
    if not (user_id.isdigit() and generation.isdigit()):
        return None
    rows = db.session.connection().execute(_SESSION_USER, {"b_id": int(user_id), "b_generation": int(generation)}
                                           ).all()
    return SessionUser(tuple(rows[0])[:-1], [row[-1] for row in rows]) if rows else None


def session_user(row) -> SessionUser:
    """The session user for a row of SESSION_COLUMNS (at sign-in: the roles are read here)."""
    roles = db.session.connection().execute(_ROLES, {"b_id": row[0]}).scalars().all()
    return SessionUser(tuple(row)[:len(SESSION_COLUMNS)], roles)


def actor_for(user) -> Actor:
    """The actor a signed-in user (or a User row) acts as: all the roles they hold, in their region."""
    return Actor(user.username, frozenset(user.roles), user.region_code)


def create_user(username: str, *, password: str, region_code: str, role: Role | None = None,
                roles: Iterable[Role] = (), display_name: str | None = None, must_change_password: bool = False,
                commit: bool = True) -> User:
    """Store an account as given (no checks: add_user and the staff import check first)."""
    user = User(username=username, display_name=display_name or username, region_code=region_code,
                password_hash=generate_password_hash(password, method=current_app.config["CASEFLOW_PASSWORD_METHOD"]),
                active=True, must_change_password=must_change_password)
    user.roles = {*roles, *([role] if role else [])}
    db.session.add(user)
    if commit:
        with committing():
            db.session.flush()
    return user


def check_roles(roles: Iterable[Role]) -> frozenset[Role]:
    """At least one role, none of them the system's."""
    chosen = frozenset(roles)
    if not chosen or not chosen <= set(ASSIGNABLE):
        raise InvalidInput(N_("choose one or more roles: %(roles)s"), roles=", ".join(ASSIGNABLE))
    return chosen


def check_administrator(actor: Actor, region_code: str | None = None) -> None:
    """Only administrators manage accounts, and only inside their own region."""
    if not actor.may(Permission.MANAGE_ACCOUNTS):
        raise NotAllowed(N_("only administrators may manage accounts"))
    if region_code is not None and not actor.covers(region_code):
        raise InvalidInput(N_("the region %(region)s lies outside yours"), region=region_code)


def check_region(region_code: str) -> Region:
    region = db.session.get(Region, region_code or "")
    if region is None:
        raise InvalidInput(N_("unknown region %(region)s (load the regions first: flask caseflow load-regions)"),
                           region=region_code)
    return region


def check_new_password(password: str, username: str) -> None:
    problem = password_problem(password or "", username=username, current="", forbidden=(DEMO_PASSWORD,))
    if problem:
        raise InvalidInput(problem, n=MIN_PASSWORD_LENGTH)


def add_user(username: str, *, password: str, roles: Iterable[Role], region_code: str, display_name: str | None,
             actor: Actor, must_change_password: bool = False) -> User:
    """Create an account (an operator's first administrator, or a new member of staff); audited."""
    username = (username or "").strip()
    check_administrator(actor)
    if problem := username_problem(username):
        raise InvalidInput(problem)
    roles = check_roles(roles)
    check_new_password(password, username)
    check_region(region_code)
    check_administrator(actor, region_code)
    if db.session.scalar(select(User.id).where(func.lower(User.username) == username.lower())) is not None:
        raise Conflict(N_("the user name %(name)s is taken"), name=username)
    try:
        with committing():
            user = create_user(username, password=password, roles=roles, region_code=region_code,
                               display_name=(display_name or "").strip()[:100] or None,
                               must_change_password=must_change_password, commit=False)
            db.session.flush()
            log_event(actor=actor, action=EventAction.USER_ADDED, now=clock_now(), user=username,
                      roles=sorted(roles), region=region_code)
    except IntegrityError as exc:  # added meanwhile by someone else
        raise Conflict(N_("the user name %(name)s is taken"), name=username) from exc
    return user


def get_user_or_raise(username: str, actor: Actor) -> User:
    """An account inside the administrator's region; one outside it does not exist for them."""
    check_administrator(actor)
    user = db.session.scalars(select(User).where(User.username == (username or "").strip())).first()
    if user is None:
        raise NotFound(N_("no user is called %(name)s"), name=(username or "")[:50])
    if not actor.covers(user.region_code):
        raise OutOfRegion(N_("no user is called %(name)s"), actor=actor, kind="user", key=username,
                          name=username[:50])
    return user


def seed_demo_users() -> list[tuple[str, str, str]]:
    """Create the demo users whose regions exist and who are missing; return (username, roles, region) created."""
    existing = set(db.session.scalars(select(User.username)))
    regions = set(db.session.scalars(select(Region.code)))
    created = []
    with committing():
        for username, name, roles, region in DEMO_USERS:
            if username not in existing and region in regions:
                create_user(username, password=DEMO_PASSWORD, roles=roles, region_code=region, display_name=name,
                            commit=False)
                created.append((username, ",".join(roles), region))
    return created
