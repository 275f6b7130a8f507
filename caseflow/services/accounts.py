"""Accounts: the signed-in user of a request, the actor a user acts as, and the demo users of a fresh install."""

import re

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import bindparam, select
from werkzeug.security import generate_password_hash

from caseflow.domain.actor import Actor
from caseflow.domain.enums import EventAction, Role
from caseflow.domain.signin import MIN_PASSWORD_LENGTH, password_problem
from caseflow.errors import N_, Conflict, InvalidInput
from caseflow.extensions import db
from caseflow.models import Region, User
from caseflow.services.clock import now as clock_now
from caseflow.services.workflow import committing, log_event

DEMO_PASSWORD = "caseflow-demo"
USERNAME = re.compile(r"[A-Za-z0-9._-]{3,50}")
# username, display name, role, region: two counties of Changchun plus their city and province
DEMO_USERS = (
    ("nanguan_cw1", "王丽（南关区就业服务专员）", Role.CASEWORKER, "220102"),
    ("nanguan_cw2", "刘洋（南关区就业服务专员）", Role.CASEWORKER, "220102"),
    ("nanguan_mentor", "赵敏（创业就业指导师）", Role.MENTOR, "220102"),
    ("nanguan_sup", "陈刚（南关区就业服务中心主任）", Role.SUPERVISOR, "220102"),
    ("kuancheng_cw1", "孙悦（宽城区就业服务专员）", Role.CASEWORKER, "220103"),
    ("kuancheng_sup", "周强（宽城区就业服务中心主任）", Role.SUPERVISOR, "220103"),
    ("changchun_sup", "吴静（长春市就业服务局）", Role.SUPERVISOR, "2201"),
    ("jilin_designer", "郑凯（省流程设计）", Role.DESIGNER, "22"),
    ("jilin_analyst", "何琳（省统计分析）", Role.ANALYST, "22"),
    ("admin", "系统管理员", Role.ADMIN, "22"),
)


class SessionUser(UserMixin):
    """The signed-in user as a request sees it: read with one light query per request.

    The session stores "id:generation"; a sign-out or a new password raises the user's generation, so every
    session signed in before it stops loading."""

    def __init__(self, row):
        self.id, self.username, self.display_name, self.role, self.region_code, self.generation = row

    def get_id(self) -> str:
        return f"{self.id}:{self.generation}"


SESSION_COLUMNS = (User.id, User.username, User.display_name, User.role, User.region_code, User.session_generation)
_SESSION_USER = select(*SESSION_COLUMNS).where(User.id == bindparam("b_id"),
                                               User.session_generation == bindparam("b_generation"),
                                               User.active.is_(True))


def load_session_user(session_id: str) -> SessionUser | None:
    """The active user this session was signed in as, or None once the user was deactivated, signed out
    everywhere or changed the password (the request is then anonymous)."""
    user_id, _, generation = session_id.partition(":")
    if not (user_id.isdigit() and generation.isdigit()):
        return None
    row = db.session.connection().execute(_SESSION_USER, {"b_id": int(user_id), "b_generation": int(generation)}
                                          ).first()
    return SessionUser(tuple(row)) if row else None


def actor_for(user) -> Actor:
    return Actor(user.username, frozenset({Role(user.role)}), user.region_code)


def create_user(username: str, *, password: str, role: Role, region_code: str, display_name: str | None = None,
                commit: bool = True) -> User:
    user = User(username=username, display_name=display_name or username, role=role.value, region_code=region_code,
                password_hash=generate_password_hash(password, method=current_app.config["CASEFLOW_PASSWORD_METHOD"]),
                active=True)
    db.session.add(user)
    if commit:
        with committing():
            db.session.flush()
    return user


def add_user(username: str, *, password: str, role: Role, region_code: str, display_name: str | None,
             actor: Actor) -> User:
    """Create an account (an operator's first administrator, or a new member of staff); audited."""
    username = (username or "").strip()
    if not USERNAME.fullmatch(username):
        raise InvalidInput(N_("a user name has 3 to 50 letters, digits, dots, dashes or underscores"))
    problem = password_problem(password or "", username=username, current="", forbidden=(DEMO_PASSWORD,))
    if problem:
        raise InvalidInput(problem, n=MIN_PASSWORD_LENGTH)
    if db.session.get(Region, region_code) is None:
        raise InvalidInput(N_("unknown region %(region)s (load the regions first: flask caseflow load-regions)"),
                           region=region_code)
    if db.session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict(N_("the user name %(name)s is taken"), name=username)
    with committing():
        user = create_user(username, password=password, role=role, region_code=region_code,
                           display_name=(display_name or "").strip() or None, commit=False)
        db.session.flush()
        log_event(actor=actor, action=EventAction.USER_ADDED, now=clock_now(), user=username, role=role.value,
                  region=region_code)
    return user


def seed_demo_users() -> list[tuple[str, str, str]]:
    """Create the demo users whose regions exist and who are missing; return (username, role, region) created."""
    existing = set(db.session.scalars(select(User.username)))
    regions = set(db.session.scalars(select(Region.code)))
    created = []
    with committing():
        for username, name, role, region in DEMO_USERS:
            if username not in existing and region in regions:
                create_user(username, password=DEMO_PASSWORD, role=role, region_code=region, display_name=name,
                            commit=False)
                created.append((username, role.value, region))
    return created
