"""Handlers that schedule the journey: monthly visits, deadlines, the hardship fallback date."""

from datetime import date, timedelta

from caseflow.domain.schedule import beijing_day, monthly_visit, next_month_day
from caseflow.tasks import operation


@operation("start_monthly_visits")
def start_monthly_visits(params: dict, context) -> dict:
    """Anchor monthly follow-up on today (Beijing time); visit 1 falls a month later."""
    return {"anchor": beijing_day(context.now).isoformat(), "number": 0, "at": None}


@operation("next_monthly_date")
def next_monthly_date(params: dict, context) -> dict:
    """The next anchored monthly date: visit number n+1 from the anchor."""
    anchor, number = date.fromisoformat(params["anchor"]), int(params["number"]) + 1
    return {"anchor": anchor.isoformat(), "number": number, "at": monthly_visit(anchor, number).isoformat()}


@operation("deadline")
def deadline(params: dict, context) -> dict:
    """A deadline `days` calendar days from now."""
    return {"at": (context.now + timedelta(days=int(params["days"]))).isoformat()}


@operation("fallback_date")
def fallback_date(params: dict, context) -> dict:
    """The next occurrence of the hardship fallback day (MM-DD, [param] 30 November)."""
    return {"at": next_month_day(context.now, str(params["month_day"])).isoformat()}
