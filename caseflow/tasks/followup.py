"""Handlers that schedule the journey: monthly visits, deadlines, the hardship fallback date."""

from datetime import date, timedelta

from sqlalchemy import select

from caseflow.domain.schedule import add_months, beijing_day, monthly_visit, next_month_day
from caseflow.domain.supervision import beijing_midnight
from caseflow.extensions import db
from caseflow.models import MissedVisit
from caseflow.tasks import operation


@operation("start_monthly_visits")
def start_monthly_visits(params: dict, context) -> dict:
    """Anchor monthly follow-up on today (Beijing time). Visit 1 falls a month later; with `first` set to
    "this_month" (return visits to a seeking graduate, seed 000 §7) visit 0 is due today."""
    number = -1 if params.get("first") == "this_month" else 0
    return {"anchor": beijing_day(context.now).isoformat(), "number": number, "at": None}


@operation("next_monthly_date")
def next_monthly_date(params: dict, context) -> dict:
    """The next anchored monthly date: visit number n+1 from the anchor, or, when that month is already over
    (the instance was elsewhere meanwhile), the visit of the current month: months never pile up into a burst
    of visits. `until` is the end of the visit's month, `month` its YYYY-MM."""
    anchor, number = date.fromisoformat(params["anchor"]), int(params["number"]) + 1
    this_month = beijing_day(context.now).replace(day=1)
    while add_months(anchor, number).replace(day=1) < this_month:
        number += 1
    day = add_months(anchor, number)
    at = beijing_midnight(anchor) if number == 0 else monthly_visit(anchor, number)  # visit 0: the day it starts
    return {"anchor": anchor.isoformat(), "number": number, "at": at.isoformat(),
            "until": beijing_midnight(add_months(day.replace(day=1), 1)).isoformat(),
            "month": day.strftime("%Y-%m")}


@operation("record_missed_visit")
def record_missed_visit(params: dict, context) -> dict:
    """The month ended without the return visit: keep it as missed (counted in follow-up compliance)."""
    case_id, month = int(context.data["case_id"]), str(params["month"])
    exists = db.session.scalar(select(MissedVisit.id).where(MissedVisit.case_id == case_id,
                                                            MissedVisit.month == month))
    if exists is None:
        db.session.add(MissedVisit(case_id=case_id, month=month, recorded_at=context.now))
    return {"month": month}


@operation("deadline")
def deadline(params: dict, context) -> dict:
    """A deadline `days` calendar days from now."""
    return {"at": (context.now + timedelta(days=int(params["days"]))).isoformat()}


@operation("fallback_date")
def fallback_date(params: dict, context) -> dict:
    """The next occurrence of the hardship fallback day (MM-DD, [param] 30 November)."""
    return {"at": next_month_day(context.now, str(params["month_day"])).isoformat()}
