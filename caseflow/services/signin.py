"""Sign-in and sessions: the password check (as slow for unknown names as for known ones), throttled per name
and address from the event log, sign-out and password change ending every session of the user.

Every attempt, failure, throttle, success, sign-out and password change is recorded in the event log; the
throttle reads it back, so all web workers share one state.
"""

import secrets
from datetime import timedelta
from functools import cache

from flask import current_app
from sqlalchemy import bindparam, select, text, update
from werkzeug.security import check_password_hash, generate_password_hash

from caseflow.domain.actor import Actor
from caseflow.domain.enums import EventAction
from caseflow.domain.signin import (
    ACCOUNT_THROTTLED,
    ADDRESS_THROTTLED,
    KNOWN_ADDRESS_AGE,
    MIN_PASSWORD_LENGTH,
    PAIR_THROTTLED,
    WINDOW,
    Outcome,
    account_wait,
    pair_wait,
    password_problem,
)
from caseflow.errors import N_, CaseflowError, InvalidInput, NotAllowed, NotFound, Throttled
from caseflow.extensions import db
from caseflow.models import EventLog, User
from caseflow.models.event import SIGN_IN_OUTCOMES
from caseflow.services.accounts import DEMO_PASSWORD, SESSION_COLUMNS, SessionUser, session_user
from caseflow.services.clock import now as clock_now
from caseflow.services.workflow import committing, log_event

WRONG_CREDENTIALS = N_("wrong user name or password")
WRONG_CURRENT_PASSWORD = N_("the current password is wrong")

_HISTORY = select(EventLog.at, EventLog.action, EventLog.detail).where(
    EventLog.actor == bindparam("b_name"), SIGN_IN_OUTCOMES, EventLog.at > bindparam("b_since"))
_SIGN_INS = select(EventLog.detail).where(
    EventLog.actor == bindparam("b_name"), SIGN_IN_OUTCOMES, EventLog.action == EventAction.LOGGED_IN,
    EventLog.at > bindparam("b_since")).order_by(EventLog.at.desc()).limit(500)
_CREDENTIALS = select(*SESSION_COLUMNS, User.password_hash, User.active).where(User.username == bindparam("b_name"))
_END_SESSIONS = update(User).where(User.id == bindparam("b_id")).values(
    session_generation=User.session_generation + 1)


def _conn():
    return db.session.connection()


def _as(name: str) -> Actor:
    return Actor(name[:100] or "-")


@cache
def _dummy_hash(method: str) -> str:
    """A hash of a random password: unknown names are checked against it, so they answer as slowly as known
    names with a wrong password and the timing tells nothing about which names exist."""
    return generate_password_hash(secrets.token_urlsafe(16), method=method)


def _serialize_attempts(name: str, now, remote_addr: str | None) -> None:
    """Make concurrent sign-ins for one name take turns, so the failure count cannot be raced: the attempt
    row is written first (SQLite then holds its write lock until this attempt commits) and PostgreSQL takes
    a transaction lock on the name."""
    log_event(actor=_as(name), action=EventAction.LOGIN_ATTEMPT, now=now, ip=remote_addr)
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:name))"), {"name": name})


def _history(name: str, now) -> list[Outcome]:
    rows = _conn().execute(_HISTORY, {"b_name": name[:100], "b_since": now - WINDOW})
    return [Outcome(at, (detail or {}).get("ip"), action == EventAction.LOGGED_IN) for at, action, detail in rows]


def _is_known_address(name: str, address: str | None, now) -> bool:
    """Whether this name signed in successfully from this address lately."""
    details = _conn().execute(_SIGN_INS, {"b_name": name[:100], "b_since": now - KNOWN_ADDRESS_AGE}).scalars()
    return address is not None and any((detail or {}).get("ip") == address for detail in details)


def _throttle(name: str, *, address: str | None, now) -> Throttled | None:
    """The refusal for a sign-in of this name from this address while a backoff or the account ceiling
    holds it, or None; a refusal is recorded."""
    history = _history(name, now)
    if wait := pair_wait(history, address=address, now=now):
        message, scope = PAIR_THROTTLED, "name_address"
    elif (wait := account_wait(history, now=now)) and not _is_known_address(name, address, now):
        message, scope = ACCOUNT_THROTTLED, "name"
    else:
        return None
    refusal = Throttled(message, retry_after=wait)
    log_event(actor=_as(name), action=EventAction.LOGIN_THROTTLED, now=now, ip=address, scope=scope,
              retry_after=refusal.retry_after)
    return refusal


def _check_password(name: str, password: str) -> SessionUser | None:
    """The active user with this name and password, or None; the hash is checked whether the name exists
    or not, so both answers take the same time."""
    row = _conn().execute(_CREDENTIALS, {"b_name": name}).first()
    stored = row.password_hash if row else _dummy_hash(current_app.config["CASEFLOW_PASSWORD_METHOD"])
    matches = check_password_hash(stored, password or "")
    return session_user(row) if row is not None and row.active and matches else None


def authenticate(username: str, password: str, *, remote_addr: str | None) -> SessionUser:
    """The user with these credentials. Failures slow down that name only from the address they came from
    (see domain.signin); Throttled names the wait, a wrong name or password is NotAllowed."""
    now, name = clock_now(), (username or "").strip()
    with committing():
        _serialize_attempts(name, now, remote_addr)
        refusal = _throttle(name, address=remote_addr, now=now)
        user = None if refusal else _check_password(name, password)
        if user:
            log_event(actor=_as(name), action=EventAction.LOGGED_IN, now=now, ip=remote_addr)
        elif not refusal:
            log_event(actor=_as(name), action=EventAction.LOGIN_FAILED, now=now, ip=remote_addr)
    if user is None:
        raise refusal or NotAllowed(WRONG_CREDENTIALS)
    return user


def refuse_address(username: str, *, remote_addr: str | None, retry_after: timedelta) -> Throttled:
    """Record that an address reached its limit of failed sign-ins (whatever names it tried); the refusal
    to show."""
    refusal = Throttled(ADDRESS_THROTTLED, retry_after=retry_after)
    with committing():
        log_event(actor=_as((username or "").strip()), action=EventAction.LOGIN_THROTTLED, now=clock_now(),
                  ip=remote_addr, scope="address", retry_after=refusal.retry_after)
    return refusal


def sign_out_everywhere(user_id: int, *, remote_addr: str | None) -> None:
    """End every session of this user, this one included (a cookie captured earlier no longer signs in)."""
    with committing():
        name = db.session.scalar(select(User.username).where(User.id == user_id))
        _conn().execute(_END_SESSIONS, {"b_id": user_id})
        log_event(actor=_as(name or "-"), action=EventAction.LOGGED_OUT, now=clock_now(), ip=remote_addr)


def change_password(user_id: int, *, current: str, new: str, remote_addr: str | None) -> SessionUser:
    """Set the user's new password after checking the current one (throttled like a sign-in) and the policy.
    Every session of the user ends; the caller signs the current one in again as the user returned."""
    now, user = clock_now(), db.session.get(User, user_id)
    if user is None:
        raise NotFound(N_("user not found"))
    with committing():
        _serialize_attempts(user.username, now, remote_addr)
        refusal = _throttle(user.username, address=remote_addr, now=now) or _new_password_refusal(
            user, current=current, new=new, now=now, remote_addr=remote_addr)
        if refusal is None:
            signed_in = _set_password(user, new, now=now, remote_addr=remote_addr)
    if refusal:
        raise refusal
    return signed_in


def _new_password_refusal(user: User, *, current: str, new: str, now, remote_addr) -> CaseflowError | None:
    if not check_password_hash(user.password_hash, current or ""):
        log_event(actor=_as(user.username), action=EventAction.LOGIN_FAILED, now=now, ip=remote_addr,
                  purpose="password_change")
        return NotAllowed(WRONG_CURRENT_PASSWORD)
    problem = password_problem(new or "", username=user.username, current=current, forbidden=(DEMO_PASSWORD,))
    return InvalidInput(problem, n=MIN_PASSWORD_LENGTH) if problem else None


def _set_password(user: User, new: str, *, now, remote_addr) -> SessionUser:
    user.password_hash = generate_password_hash(new, method=current_app.config["CASEFLOW_PASSWORD_METHOD"])
    user.session_generation += 1
    user.must_change_password = False
    log_event(actor=_as(user.username), action=EventAction.PASSWORD_CHANGED, now=now, ip=remote_addr)
    return SessionUser((user.id, user.username, user.display_name, user.region_code, user.session_generation,
                        False), user.roles)
