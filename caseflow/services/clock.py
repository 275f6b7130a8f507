"""The app clock: real UTC time, or simulated time that a CLI command or a test can advance.

Whether an installation runs on simulated time is a property of its database (a row in `simulated_clock`,
created by `flask caseflow init-db --simulated-clock` or `run.py`), so every process of the installation --
web workers, the sweeper, the CLI -- agrees on it and on the offset. Each request, sweep or command reads the
offset once, at its first `now()`; an installation found running on real time is not asked again.
"""

from datetime import timedelta

from flask import current_app, g, has_app_context
from sqlalchemy import inspect

from caseflow.domain.clock import Clock
from caseflow.errors import N_, InvalidInput
from caseflow.extensions import db
from caseflow.models import SimulatedClock

_REAL, _SIMULATED = "real", "simulated"


def get_clock() -> Clock:
    return current_app.extensions["caseflow.clock"]


def now():
    """The app's time: every timestamp Caseflow writes or compares comes from here."""
    if has_app_context() and not g.get("caseflow_clock_read"):
        g.caseflow_clock_read = True
        refresh_simulated_clock()
    return get_clock().now()


def _mode() -> str | None:
    return current_app.extensions.get("caseflow.clock_mode")


def is_simulated() -> bool:
    if _mode() is None:
        refresh_simulated_clock()
    return _mode() == _SIMULATED


def refresh_simulated_clock() -> None:
    """Pick up the offset another process (the CLI, another worker) has written."""
    if _mode() == _REAL:
        return
    if _mode() is None and not inspect(db.engine).has_table(SimulatedClock.__tablename__):
        return  # not migrated yet: ask again later
    row = db.session.get(SimulatedClock, 1)
    current_app.extensions["caseflow.clock_mode"] = _SIMULATED if row else _REAL
    if row is not None:
        get_clock().offset = timedelta(seconds=row.offset_seconds)


def start_simulation(*, offset: timedelta = timedelta(0)) -> None:
    """Make this installation run on simulated time, starting `offset` from real time (set up once, at init)."""
    if db.session.get(SimulatedClock, 1) is None:
        db.session.add(SimulatedClock(id=1, offset_seconds=int(offset.total_seconds())))
        db.session.flush()
    current_app.extensions["caseflow.clock_mode"] = _SIMULATED
    get_clock().offset = offset


def advance_clock(delta: timedelta):
    """Move simulated time forward for every process of this installation; return the new now (the caller commits)."""
    if delta < timedelta(0):
        raise InvalidInput(N_("the clock only moves forward"))
    row = db.session.get(SimulatedClock, 1, with_for_update=True)
    if row is None:
        raise InvalidInput(N_("this installation runs on real time; only a simulated clock can be advanced "
                              "(flask caseflow init-db --simulated-clock)"))
    row.offset_seconds += int(delta.total_seconds())
    db.session.flush()
    get_clock().offset = timedelta(seconds=row.offset_seconds)
    return get_clock().now()
