"""Who the current request acts as."""

from caseflow.domain.actor import Actor
from caseflow.domain.enums import Role

# Until sign-in lands (issue: caseworker workspace), the demo page acts as an installation-wide admin.
DEMO_ACTOR = Actor("demo-admin", frozenset({Role.ADMIN, Role.CASEWORKER, Role.DESIGNER}), "")


def current_actor() -> Actor:
    return DEMO_ACTOR
