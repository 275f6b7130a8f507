"""Pure rules of supervision: the BPMN tasks the console watches, and the dates its lists and reports count from."""

from datetime import UTC, date, datetime, time, timedelta

from caseflow.domain.calendar import CHINA_TZ, is_working_day
from caseflow.domain.enums import Classified
from caseflow.domain.schedule import add_months

# BPMN task ids (designer data) the supervisor console reads
DELIVER_SERVICE = "deliver"
MONTHLY_VISIT = "visit_task"
PACKAGE_REVIEW = "review_overdue"  # the package deadline's escalation to the supervisor
PLAN_APPROVAL = "approve_plan"
UNREACHABLE_APPROVAL = "approve_unreachable"
APPROVE = "approve"
# a graduate counts as seeking work while classified so, also while in training or an internship
SEEKING_CLASSIFICATIONS = (Classified.SEEKING, Classified.IN_TRAINING, Classified.IN_INTERNSHIP)
PREPARATION_CLASSIFICATIONS = (Classified.IN_TRAINING, Classified.IN_INTERNSHIP)


def working_days_before(day: date, days: int) -> date:
    """The working day `days` working days before `day` (day itself not counted)."""
    current, remaining = day, days
    while remaining > 0:
        current -= timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current


def beijing_midnight(day: date) -> datetime:
    """00:00 Beijing time on `day`, in UTC."""
    return datetime.combine(day, time(0), CHINA_TZ).astimezone(UTC)


def month_start(day: date) -> date:
    return day.replace(day=1)


def end_of_day(day: date) -> datetime:
    """The instant a report dated `day` is taken at: the end of that day in Beijing, in UTC."""
    return beijing_midnight(day + timedelta(days=1))


def month_ends(day: date, months: int) -> list[date]:
    """The last day of each of the `months` calendar months up to `day`'s (`day` itself for its own month)."""
    first = month_start(day)
    ends = [add_months(first, -n + 1) - timedelta(days=1) for n in range(months - 1, 0, -1)]
    return [*ends, day]


def rate(part: int, whole: int) -> float | None:
    """part ÷ whole, None when there is nothing to divide by."""
    return part / whole if whole else None
