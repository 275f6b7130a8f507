"""Handlers of the yearly campaign's processes (the next monthly report, the county's rate at the year end), and
the entrepreneurship training subsidy the campaign's reports count."""

from datetime import date

from caseflow.domain.actor import SYSTEM
from caseflow.domain.enums import EventAction, SubsidyKind, SubsidyResponse
from caseflow.domain.schedule import beijing_day
from caseflow.extensions import db
from caseflow.models import SubsidyGrant
from caseflow.services.workflow import log_event
from caseflow.tasks import operation
from caseflow.tasks.casework import case_of


@operation("campaign_next_report")
def next_report(params: dict, context) -> dict:
    """Report number n+1 of the year's schedule (its month, task day and due instant); `more` is False after the
    last one."""
    schedule, number = list(params["reports"]), int(params["number"])
    if number >= len(schedule):
        return {"number": number, "more": False, "month": None, "at": None, "due": None}
    return {"number": number + 1, "more": True, **schedule[number]}


@operation("campaign_year_end")
def year_end(params: dict, context) -> dict:
    """The county's help-into-employment rate for the cohort at the year end, and whether it is below target."""
    from caseflow.services.campaign import year_end_rate

    return year_end_rate(str(params["county"]), int(params["cohort"]), context.now)


@operation("record_training_subsidy")
def record_training_subsidy(params: dict, context) -> dict:
    """Grant the entrepreneurship training subsidy the decision table gives the course type (300 / 1,200 / 1,500
    yuan, seed 004 §(三)), due on the course's completion day; a course without a subsidy grants nothing."""
    case = case_of(context)
    amount = int(params.get("amount") or 0)
    if amount > 0:
        completed = params.get("completed_on")
        db.session.add(SubsidyGrant(case_id=case.id, kind=SubsidyKind.TRAINING, response=SubsidyResponse.ACCEPTED,
                                    amount=amount, offered_at=context.now, by_user=SYSTEM.user_id,
                                    paid_on=date.fromisoformat(completed) if completed else beijing_day(context.now)))
    log_event(actor=SYSTEM, action=EventAction.TRAINING_SUBSIDY, now=context.now, instance_id=case.instance_id,
              case_id=case.id, course=params.get("course"), amount=amount)
    return {"course": params.get("course"), "amount": amount}
