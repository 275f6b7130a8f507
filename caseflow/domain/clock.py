"""The one clock of the app. Every 'now' in Caseflow, SpiffWorkflow's timers included, reads it."""

import re
from datetime import UTC, datetime, timedelta


def system_now() -> datetime:
    return datetime.now(UTC)


class Clock:
    """Wall-clock time in UTC, optionally shifted (simulation) or frozen (tests)."""

    def __init__(self, *, offset: timedelta = timedelta(0), frozen_at: datetime | None = None):
        self.offset = offset
        self.frozen_at = frozen_at

    def now(self) -> datetime:
        base = self.frozen_at if self.frozen_at is not None else system_now()
        return base + self.offset

    def advance(self, delta: timedelta) -> datetime:
        """Move simulated time forward (never backward: timers must not un-fire)."""
        if delta < timedelta(0):
            raise ValueError("the clock only moves forward")
        self.offset += delta
        return self.now()


_DURATION = re.compile(r"^\s*(\d+)\s*([dhms]|w)\s*$", re.IGNORECASE)
_UNITS = {"w": "weeks", "d": "days", "h": "hours", "m": "minutes", "s": "seconds"}


def parse_delta(text: str) -> timedelta:
    """Parse a short duration such as '30d', '12h', '2w' or '90m'."""
    match = _DURATION.match(text or "")
    if not match:
        raise ValueError(f"not a duration: {text!r} (use e.g. 30d, 12h, 2w, 90m)")
    amount, unit = match.groups()
    return timedelta(**{_UNITS[unit.lower()]: int(amount)})
