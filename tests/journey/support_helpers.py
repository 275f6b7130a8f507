"""Helpers for the two-year boundary, entrepreneurship and hardship journeys, run under both province profiles:
Jilin (jilin_1311, 南关区 in 长春市) and Hubei (hubei, 江岸区 in 武汉市)."""

import io
from dataclasses import dataclass
from datetime import date

from helpers import valid_id
from journey_helpers import CW_A, CW_H, SV_A, SV_H, do, graduate, open_case
from openpyxl import load_workbook

from caseflow.domain.actor import Actor
from caseflow.domain.enums import Role
from caseflow.domain.schedule import beijing_day
from caseflow.extensions import db
from caseflow.models import JobPosting
from caseflow.services import casefile, report_book, reports
from caseflow.services.clock import now as clock_now

BEFORE_THE_BOUNDARY = date(2024, 9, 30)  # left school then: two years later falls on 2026-09-30, in the journey
DAYS_PAST_THE_BOUNDARY = 95  # from 2026-07-01 to 2026-10-04


def _supervisor(name: str, region: str) -> Actor:
    return Actor(name, frozenset({Role.SUPERVISOR}), region)


@dataclass(frozen=True)
class Place:
    """Where a test case lives and who works it: the county's caseworker, supervisor and mentor, and two
    supervisors of the city agency above it (the final review of a designation is the city's)."""

    profile: str
    county: str
    caseworker: Actor
    supervisor: Actor
    city: Actor
    other_city: Actor
    mentor: Actor

    def graduate(self, serial: int = 1, **kwargs):
        return graduate(valid_id(f"{self.county}20030101{serial:03d}"), hukou=self.county, **kwargs)

    def open(self, serial: int = 1, **kwargs) -> int:
        return open_case(self.graduate(serial, **kwargs))


JILIN = Place("jilin_1311", "220102", CW_A, SV_A, _supervisor("sv_city", "2201"), _supervisor("sv_city_2", "2201"),
              Actor("mentor_a", frozenset({Role.MENTOR}), "220102"))
HUBEI = Place("hubei", "420102", CW_H, SV_H, _supervisor("sv_city_h", "4201"), _supervisor("sv_city_h2", "4201"),
              Actor("mentor_h", frozenset({Role.MENTOR}), "420102"))
PLACES = [JILIN, HUBEI]
PLACE_IDS = [place.profile for place in PLACES]


def reach_and_classify(place: Place, case_id: int, status: str = "seeking", **extra) -> None:
    do(case_id, "attempt", place.caseworker, channel="phone", outcome="reached", contacted_on="2026-07-01")
    do(case_id, "classify", place.caseworker, status=status, startup_intent=extra.pop("startup_intent", False),
       effective_on="2026-07-01", **extra)


def hire(place: Place, case_id: int, day: str) -> None:
    """Record on the case file a referral to a posting of the case's county and the graduate hired there."""
    posting = JobPosting(employer="用人单位", title="岗位", area_code=place.county, major_prefixes=[],
                         open_until=date(2028, 6, 30))
    db.session.add(posting)
    db.session.commit()
    casefile.record_on_case(case_id, "record_service", {"kind": "job_referral", "response": "accepted",
                                                        "posting_id": str(posting.id), "delivered_on": day},
                            actor=place.caseworker)
    referral = casefile.list_referrals(case_id, actor=place.caseworker)[0]
    casefile.record_on_case(case_id, "referral_outcome", {"referral_id": str(referral.id), "outcome": "hired",
                                                          "outcome_on": day}, actor=place.caseworker)


def report_total(place: Place, on: date | None = None):
    """The city's monthly report at `on` (default: today on the app clock), its total row."""
    return reports.indicators(place.city, on=on or beijing_day(clock_now())).total


def workbook_total(place: Place, group_key: str) -> dict[str, object]:
    """The total row of one indicator group's sheet of the city's report workbook, by column key."""
    report = reports.indicators(place.city, on=beijing_day(clock_now()))
    book = load_workbook(io.BytesIO(report_book.workbook(report, translate=str, actor=place.city,
                                                         row_label=lambda f: f.label or "total")))
    groups = [group.key for group in report_book.GROUPS]
    group = report_book.GROUPS[groups.index(group_key)]
    total = list(book.worksheets[groups.index(group_key)].iter_rows(values_only=True))[-1]
    return {column.key: cell for column, cell in zip(group.columns, total[1:], strict=True)}
