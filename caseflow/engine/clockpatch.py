"""Make SpiffWorkflow read the app clock instead of the system clock: its timers, and the time each task last
changed state (stored in every snapshot)."""

from collections.abc import Callable
from datetime import UTC, datetime

from SpiffWorkflow import task as _task_module
from SpiffWorkflow.bpmn.specs.event_definitions import timer as _timer_module


def _system_now() -> datetime:
    return datetime.now(UTC)


_now: Callable[[], datetime] = _system_now


class _ClockDatetime(datetime):
    """`datetime` whose now() is the app clock; Spiff's timer module looks `datetime` up by name."""

    @classmethod
    def now(cls, tz=None):
        current = _now()
        return current.astimezone(tz) if tz is not None else current.replace(tzinfo=None)


class _ClockTime:
    """Stands in for the `time` module in SpiffWorkflow.task, which stamps `last_state_change` with time.time()."""

    @staticmethod
    def time() -> float:
        return _now().timestamp()


def install(now: Callable[[], datetime]) -> None:
    """Route every timer decision and task time stamp through `now` (process-wide, like the engine itself)."""
    global _now
    _now = now
    _timer_module.datetime = _ClockDatetime
    _task_module.time = _ClockTime


def now() -> datetime:
    return _now()
