"""Sign-in throttling and the password policy: pure rules over a name's recent sign-in outcomes.

A name's failures slow down only the address they come from (exponential backoff per name and address), so a
stranger guessing from elsewhere cannot lock the real user out. A generous ceiling over all addresses stops a
distributed guess; it never holds an address the user signed in from before.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from caseflow.errors import N_

FREE_FAILURES = 3  # failures of one name from one address before any wait
FIRST_WAIT = timedelta(seconds=30)  # the wait after FREE_FAILURES; it doubles with each further failure
MAX_WAIT = timedelta(minutes=15)
WINDOW = timedelta(hours=1)  # failures older than this are forgotten
ACCOUNT_CEILING = 50  # failures of one name within WINDOW, from all addresses together
KNOWN_ADDRESS_AGE = timedelta(days=30)  # a successful sign-in this recent makes an address "known"
MIN_PASSWORD_LENGTH = 10

PAIR_THROTTLED = N_("too many failed sign-ins for this user from your address; try again in %(wait)s")
ACCOUNT_THROTTLED = N_("too many failed sign-ins for this user from many addresses; try again in %(wait)s, "
                       "or from an address where you signed in before")
ADDRESS_THROTTLED = N_("too many failed sign-ins from your address; try again in %(wait)s")


@dataclass(frozen=True)
class Outcome:
    """One past sign-in of a name: when, from which address, and whether the password was right."""

    at: datetime
    address: str | None
    succeeded: bool


def backoff(failures: int) -> timedelta:
    """How long a name waits at one address after this many failures there in a row."""
    if failures < FREE_FAILURES:
        return timedelta(0)
    return min(FIRST_WAIT * 2 ** min(failures - FREE_FAILURES, 20), MAX_WAIT)


def pair_wait(history: Iterable[Outcome], *, address: str | None, now: datetime) -> timedelta | None:
    """The wait before this name may try again from this address, or None; a success there clears it."""
    failures = []
    for outcome in sorted(history, key=lambda o: o.at):
        if outcome.address != address or outcome.at <= now - WINDOW:
            continue
        failures = [] if outcome.succeeded else [*failures, outcome.at]
    wait = backoff(len(failures))
    if not wait:
        return None
    until = failures[-1] + wait
    return until - now if until > now else None


def account_wait(history: Iterable[Outcome], *, now: datetime) -> timedelta | None:
    """The wait before this name may try again from an unknown address, once it reached the ceiling."""
    failures = sorted(o.at for o in history if not o.succeeded and o.at > now - WINDOW)
    if len(failures) < ACCOUNT_CEILING:
        return None
    return failures[len(failures) - ACCOUNT_CEILING] + WINDOW - now


def password_problem(new: str, *, username: str, current: str, forbidden: Iterable[str] = ()) -> str | None:
    """Why this new password is refused (a msgid with %(n)s where needed), or None when it is acceptable."""
    if len(new) < MIN_PASSWORD_LENGTH:
        return N_("the new password must have at least %(n)s characters")
    if new.strip().casefold() == username.strip().casefold():
        return N_("the new password must not be your user name")
    if new in forbidden:
        return N_("the new password must not be the demo password")
    if new == current:
        return N_("the new password must differ from the current one")
    return None
