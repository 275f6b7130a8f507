"""Working-day arithmetic on the Chinese holiday and make-up-workday calendar."""

from datetime import UTC, date, datetime, time, timedelta, timezone
from functools import lru_cache

import chinese_calendar


@lru_cache(maxsize=4096)
def is_working_day(day: date) -> bool:
    """Official working day; outside the years the calendar publishes, Monday to Friday."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


def add_working_days(start: date, days: int) -> date:
    """The date `days` working days after `start` (start itself not counted)."""
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current


def working_days_between(start: date, end: date) -> int:
    """Working days in (start, end]; negative when end is before start."""
    if end < start:
        return -working_days_between(end, start)
    return sum(1 for n in range(1, (end - start).days + 1) if is_working_day(start + timedelta(days=n)))


CHINA_TZ = timezone(timedelta(hours=8), "Asia/Shanghai")


def end_of_working_day(start: datetime, working_days: int) -> datetime:
    """End (23:59:59 Beijing time) of the working day `working_days` after `start`, in UTC."""
    local_day = start.astimezone(CHINA_TZ).date()
    due_day = add_working_days(local_day, working_days)
    return datetime.combine(due_day, time(23, 59, 59), CHINA_TZ).astimezone(UTC)
