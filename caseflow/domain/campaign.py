"""The yearly campaign's calendar (seeds 000 §5, 004 §(六), §三(二)): the dates a cohort's milestones fall on in a
province, from the province's row of the campaign_calendar decision table, and the monthly report days."""

from calendar import monthrange
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from caseflow.domain.schedule import add_months, at_visit_time

PROVINCE, COUNTY, CITY = "province", "county", "city"


def end_of_day(day: date) -> datetime:
    """A milestone is missed when its day has passed: the deadline is the end of that day in Beijing."""
    return at_visit_time(day + timedelta(days=1)) - timedelta(hours=9)


@dataclass(frozen=True)
class CampaignCalendar:
    """One cohort's dates in one province."""

    cohort: int
    notices_by: date
    handover_by: date
    receipt_by: date
    report_day: int
    city_report_day: int
    report_due_day: int
    year_end: date

    def report_months(self) -> list[date]:
        """The first day of every month reported on: from the month after the ledger is handed down to the
        year end."""
        first = date(self.handover_by.year, self.handover_by.month, 1)
        months, month = [], add_months(first, 1)
        while _on_day(month, self.report_day) <= self.year_end:
            months.append(month)
            month = add_months(month, 1)
        return months

    def report_schedule(self, level: str) -> list[dict]:
        """Each report of a level: its month ("2026-08"), when its task opens and when it is due (ISO)."""
        opens_on, due_on = ((self.report_day, self.city_report_day) if level == COUNTY
                            else (self.city_report_day, self.report_due_day))
        return [{"month": month.strftime("%Y-%m"), "at": at_visit_time(_on_day(month, opens_on)).isoformat(),
                 "due": end_of_day(_on_day(month, due_on)).isoformat()} for month in self.report_months()]

    def as_data(self) -> dict:
        """The dates as workflow data (ISO strings, deadlines as instants)."""
        return {"cohort": self.cohort, "notices_at": end_of_day(self.notices_by).isoformat(),
                "handover_at": end_of_day(self.handover_by).isoformat(),
                "receipt_at": end_of_day(self.receipt_by).isoformat(),
                "year_end_at": at_visit_time(self.year_end).isoformat()}

    def milestones(self) -> dict[str, date]:
        return {"notices": self.notices_by, "handover": self.handover_by, "receipt": self.receipt_by,
                "year_end": self.year_end}


def _on_day(month: date, day: int) -> date:
    """Day `day` of the month, clamped to its last day (the 30th of February is its last day)."""
    return date(month.year, month.month, min(day, monthrange(month.year, month.month)[1]))


def _month_day(cohort: int, text: str) -> date:
    month, day = (int(part) for part in str(text).strip().strip('"').split("-"))
    return date(cohort, month, day)


def calendar_of(cohort: int, outputs: dict[str, str]) -> CampaignCalendar:
    """The calendar a decision-table rule's outputs give a cohort (dates as MM-DD, days as numbers)."""
    handover_by = _month_day(cohort, outputs["handover_by"])
    return CampaignCalendar(
        cohort=cohort, notices_by=_month_day(cohort, outputs["notices_by"]), handover_by=handover_by,
        receipt_by=handover_by + timedelta(days=int(outputs["receipt_days"])),
        report_day=int(outputs["report_day"]), city_report_day=int(outputs["city_report_day"]),
        report_due_day=int(outputs["report_due_day"]), year_end=_month_day(cohort, outputs["year_end"]))
