"""Calendar rules for follow-up: monthly visits anchored to a day, deadlines and fallback dates."""

from calendar import monthrange
from datetime import UTC, date, datetime, time

from caseflow.domain.calendar import CHINA_TZ

VISIT_TIME = time(9, 0)


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the month's end (31 January + 1 month = 28/29 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def beijing_day(moment: datetime) -> date:
    return moment.astimezone(CHINA_TZ).date()


def at_visit_time(day: date) -> datetime:
    """09:00 Beijing time on `day`, in UTC."""
    return datetime.combine(day, VISIT_TIME, CHINA_TZ).astimezone(UTC)


def monthly_visit(anchor: date, number: int) -> datetime:
    """When visit `number` (1, 2, …) is due: always counted from the anchor, so visits never drift and fall
    once in every calendar month whatever the month lengths."""
    return at_visit_time(add_months(anchor, number))


def next_month_day(now: datetime, month_day: str) -> datetime:
    """The next occurrence of MM-DD (09:00 Beijing time) on or after today."""
    month, day = (int(part) for part in month_day.split("-"))
    today = beijing_day(now)
    candidate = date(today.year, month, day)
    if candidate < today:
        candidate = date(today.year + 1, month, day)
    return at_visit_time(candidate)


def full_months_between(start: date, end: date) -> int:
    """Whole calendar months from start to end (0 if end is before start's first monthly anniversary)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if add_months(start, months) > end:
        months -= 1
    return max(months, 0)


def two_year_boundary(leaving: date, years: int) -> datetime:
    """When a graduate who left school on `leaving` has been out for `years` years (CASEFLOW_DIFFICULTY_YEARS):
    09:00 Beijing time on that anniversary (29 February becomes 28 February)."""
    return at_visit_time(add_months(leaving, 12 * years))
