"""Who the current request acts as."""

from flask_login import current_user

from caseflow.domain.actor import Actor
from caseflow.services.accounts import actor_for


def current_actor() -> Actor:
    """The signed-in user as an actor (views are only reached signed in)."""
    return actor_for(current_user)
