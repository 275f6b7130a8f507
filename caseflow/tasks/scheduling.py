"""Date arithmetic a workflow needs: deadlines in working days."""

from caseflow.domain.calendar import add_working_days
from caseflow.tasks import operation


@operation("add_working_days")
def add_working_days_handler(params: dict, context) -> dict:
    """Return the date `days` working days from today (Chinese calendar) as an ISO date."""
    days = int(params.get("days", 0))
    if days < 0:
        raise ValueError("days must not be negative")
    today = context.now.date()
    return {"from": today.isoformat(), "days": days, "due": add_working_days(today, days).isoformat()}
