"""The app clock: real UTC time, or simulated time that a CLI command or a test can advance."""

from datetime import timedelta

from flask import current_app

from caseflow.domain.clock import Clock
from caseflow.extensions import db
from caseflow.models import SimulatedClock


def get_clock() -> Clock:
    return current_app.extensions["caseflow.clock"]


def now():
    return get_clock().now()


def is_simulated() -> bool:
    return bool(current_app.config["CASEFLOW_SIMULATED_CLOCK"])


def refresh_simulated_clock() -> None:
    """Pick up an offset another process (the CLI, another worker) has written."""
    if not is_simulated():
        return
    row = db.session.get(SimulatedClock, 1)
    get_clock().offset = timedelta(seconds=row.offset_seconds if row else 0)


def advance_clock(delta: timedelta):
    """Move simulated time forward for every process of this installation; return the new now."""
    if not is_simulated():
        raise RuntimeError("the clock can only be advanced with CASEFLOW_SIMULATED_CLOCK on")
    if delta < timedelta(0):
        raise ValueError("the clock only moves forward")
    row = db.session.get(SimulatedClock, 1, with_for_update=True)
    if row is None:
        row = SimulatedClock(id=1, offset_seconds=0)
        db.session.add(row)
    row.offset_seconds += int(delta.total_seconds())
    db.session.commit()
    get_clock().offset = timedelta(seconds=row.offset_seconds)
    return get_clock().now()
