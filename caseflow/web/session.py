"""Who the current request acts as."""

from flask import g
from flask_login import current_user

from caseflow.domain.actor import Actor
from caseflow.services.accounts import actor_for


def current_actor() -> Actor:
    """The signed-in user as an actor, or the API token's (views are only reached signed in or with a token)."""
    token_actor = g.get("api_actor")
    return token_actor if token_actor is not None else actor_for(current_user)
