"""Make SpiffWorkflow read the app clock instead of the system clock: its timers, and the time each task last
changed state (stored in every snapshot)."""

from collections.abc import Callable
from contextlib import contextmanager
from datetime import UTC, datetime

from SpiffWorkflow import task as _task_module
from SpiffWorkflow.bpmn.specs.event_definitions import timer as _timer_module


def _system_now() -> datetime:
    return datetime.now(UTC)


_now: Callable[[], datetime] = _system_now


class ClockDatetime(datetime):
    """`datetime` whose now() is the app clock (naive results are UTC): Spiff's timer module looks `datetime` up
    by name, and workflow scripts get this class as `datetime`."""

    @classmethod
    def now(cls, tz=None):
        current = _now()
        return current.astimezone(tz) if tz is not None else current.replace(tzinfo=None)

    @classmethod
    def today(cls):
        return cls.now()

    @classmethod
    def utcnow(cls):
        return cls.now()


class _ClockTime:
    """Stands in for the `time` module in SpiffWorkflow.task, which stamps `last_state_change` with time.time()."""

    @staticmethod
    def time() -> float:
        return _now().timestamp()


def install(now: Callable[[], datetime]) -> None:
    """Route every timer decision and task time stamp through `now` (process-wide, like the engine itself)."""
    global _now
    _now = now
    _timer_module.datetime = ClockDatetime
    _task_module.time = _ClockTime


def now() -> datetime:
    return _now()


def now_function() -> Callable[[], datetime]:
    """The clock installed now (to put it back after building a second app in this process)."""
    return _now


@contextmanager
def pinned():
    """Hold the clock at this instant for the duration (several runs of one step see one time)."""
    global _now
    original, instant = _now, _now()
    _now = lambda: instant  # noqa: E731
    try:
        yield instant
    finally:
        _now = original
