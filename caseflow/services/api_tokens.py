"""API tokens for integrations: added and revoked by administrators (command line and admin pages), audited, and
turned into the actor a token-authenticated request acts as. The secret is shown once; only its hash is kept."""

import hashlib
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from caseflow.domain.actor import Actor
from caseflow.domain.enums import EventAction, Role
from caseflow.domain.paging import paging
from caseflow.errors import N_, Conflict, InvalidInput, NotFound
from caseflow.extensions import db
from caseflow.models import ApiToken
from caseflow.services.accounts import check_administrator, check_region
from caseflow.services.clock import now as clock_now
from caseflow.services.scope import region_clause
from caseflow.services.workflow import committing, log_event

SECRET_PREFIX = "cf_"
TOKEN_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{2,39}")
# What an integration may act as: never an administrator or a process designer.
TOKEN_ROLES = (Role.CASEWORKER, Role.MENTOR, Role.SUPERVISOR, Role.ANALYST, Role.SYSTEM)
ACTOR_PREFIX = "api:"  # how a token's actions read in the audit trail and in task assignments


def secret_hash(secret: str) -> str:
    """The stored form of a secret: 256 random bits need no slow hash, and a lookup by hash stays one index probe."""
    return hashlib.sha256(secret.encode()).hexdigest()


def actor_of(token: ApiToken) -> Actor:
    return Actor(f"{ACTOR_PREFIX}{token.name}", frozenset({Role(token.role)}), token.region_code)


def add_token(name: str, *, role: str, region_code: str, actor: Actor) -> tuple[ApiToken, str]:
    """A new token for an integration; returns the row and the secret (shown once, never stored)."""
    name = (name or "").strip()
    check_administrator(actor)
    if not TOKEN_NAME.fullmatch(name):
        raise InvalidInput(N_("a token name has 3 to 40 letters, digits, dots, dashes or underscores"))
    if role not in set(TOKEN_ROLES):
        raise InvalidInput(N_("choose one role for the token: %(roles)s"), roles=", ".join(TOKEN_ROLES))
    check_region(region_code)
    check_administrator(actor, region_code)
    if db.session.scalar(select(ApiToken.id).where(func.lower(ApiToken.name) == name.lower())) is not None:
        raise Conflict(N_("a token called %(name)s exists already"), name=name)
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(name=name, prefix=secret[:10], secret_hash=secret_hash(secret), role=role,
                     region_code=region_code, created_by=actor.user_id, created_at=clock_now())
    try:
        with committing():
            db.session.add(token)
            db.session.flush()
            log_event(actor=actor, action=EventAction.TOKEN_ADDED, now=token.created_at, token=name, role=role,
                      region=region_code)
    except IntegrityError as exc:  # added meanwhile by someone else
        raise Conflict(N_("a token called %(name)s exists already"), name=name) from exc
    return token, secret


@dataclass
class TokenPage:
    rows: list[ApiToken]
    total: int
    page: int
    pages: int


def list_tokens(actor: Actor, *, page: int = 1) -> TokenPage:
    """The tokens of the administrator's region, revoked ones too, newest first."""
    check_administrator(actor)
    scoped = region_clause(ApiToken.region_code, actor.region_code)
    total = db.session.scalar(select(func.count()).select_from(ApiToken).where(scoped))
    shown = paging(total, page)
    rows = db.session.scalars(select(ApiToken).where(scoped).order_by(ApiToken.id.desc())
                              .limit(shown.size).offset(shown.offset)).all()
    return TokenPage(list(rows), total, shown.page, shown.pages)


def revoke_token(name: str, *, actor: Actor) -> ApiToken:
    """Stop a token working at once; it stays listed, with who revoked it and when."""
    check_administrator(actor)
    token = db.session.scalars(select(ApiToken).where(ApiToken.name == (name or "").strip())).first()
    if token is None or not actor.covers(token.region_code):
        raise NotFound(N_("no token is called %(name)s"), name=(name or "")[:50])
    if token.revoked_at is not None:
        raise Conflict(N_("the token %(name)s was revoked already"), name=token.name)
    with committing():
        token.revoked_at, token.revoked_by = clock_now(), actor.user_id
        log_event(actor=actor, action=EventAction.TOKEN_REVOKED, now=token.revoked_at, token=token.name)
    return token


def active_actor(user_id: str) -> Actor | None:
    """The actor an "api:NAME" user id stands for while its token is not revoked (a background job acting later
    for the token that asked for it), else None."""
    name = user_id.removeprefix(ACTOR_PREFIX)
    token = db.session.scalars(select(ApiToken).where(ApiToken.name == name, ApiToken.revoked_at.is_(None))).first()
    return actor_of(token) if user_id.startswith(ACTOR_PREFIX) and token is not None else None


def authenticate(secret: str) -> Actor | None:
    """The actor a presented secret stands for, or None for an unknown or revoked one."""
    if not secret.startswith(SECRET_PREFIX) or len(secret) > 100:
        return None
    token = db.session.scalars(select(ApiToken).where(ApiToken.secret_hash == secret_hash(secret),
                                                      ApiToken.revoked_at.is_(None))).first()
    return actor_of(token) if token is not None else None
