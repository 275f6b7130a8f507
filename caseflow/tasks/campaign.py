"""Handlers of the yearly campaign's processes: the next monthly report, and the county's rate at the year end."""

from caseflow.tasks import operation


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
