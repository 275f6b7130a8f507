"""The yearly campaign (issue 14): a cohort run from 1 June to 31 December in Jilin and Hubei on their own calendars.
Milestones fire on their dates, missed ones go to the level above, a report the city returns is resubmitted,
submitted figures stay frozen while the live ones change, and the year-end review lists the graduates still
seeking. Driven through the service layer on the simulated clock, every engine step restored cold."""

from datetime import UTC, date, datetime

import pytest
from helpers import valid_id
from journey_helpers import CW_H, SV_A, SV_B, SV_H, graduate, open_case
from sqlalchemy import select, update

from caseflow.domain.actor import SYSTEM, Actor
from caseflow.domain.clock import Clock
from caseflow.domain.enums import CaseStatus, HumanTaskState, Role
from caseflow.errors import Conflict, InvalidInput, NotAllowed
from caseflow.extensions import db
from caseflow.models import Campaign, Case, HumanTask, Placement, ProcessInstance, ReportSubmission, User
from caseflow.services import campaign, campaign_board, instances, timers
from caseflow.services.reports import indicators

SV_CITY_A = Actor("sv_cc", frozenset({Role.SUPERVISOR}), "2201")
SV_CITY_H = Actor("sv_wh", frozenset({Role.SUPERVISOR}), "4201")
SV_JILIN = Actor("sv_jl", frozenset({Role.SUPERVISOR}), "22")
SV_HUBEI = Actor("sv_hb", frozenset({Role.SUPERVISOR}), "42")


@pytest.fixture
def clock() -> Clock:
    return Clock(frozen_at=datetime(2026, 6, 1, 1, 0, tzinfo=UTC))  # 09:00 in Beijing


def to(clock: Clock, day: date, hour_utc: int = 2) -> None:
    """Move the clock to `day` (10:00 in Beijing) and run the due timers, as the scheduler would."""
    target = datetime(day.year, day.month, day.day, hour_utc, 0, tzinfo=UTC)
    assert target >= clock.now()
    clock.advance(target - clock.now())
    timers.sweep()
    db.session.expire_all()


def open_tasks(region: str, bpmn_id: str | None = None) -> list[HumanTask]:
    db.session.expire_all()
    query = (select(HumanTask).join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
             .where(ProcessInstance.process_id.startswith("campaign"), HumanTask.state == HumanTaskState.READY,
                    HumanTask.region_code == region).order_by(HumanTask.created_at, HumanTask.id))
    if bpmn_id:
        query = query.where(HumanTask.bpmn_id == bpmn_id)
    return list(db.session.scalars(query))


def complete(region: str, bpmn_id: str, actor: Actor, **data) -> None:
    tasks = open_tasks(region, bpmn_id)
    assert tasks, f"{bpmn_id} is not open in {region}: {[t.bpmn_id for t in open_tasks(region)]}"
    instances.complete_task(tasks[0].id, actor=actor, data=data)


def names(region: str) -> list[str]:
    return sorted(task.bpmn_id for task in open_tasks(region))


def submissions(region: str) -> list[ReportSubmission]:
    db.session.expire_all()
    return list(db.session.scalars(select(ReportSubmission).where(ReportSubmission.region_code == region)
                                   .order_by(ReportSubmission.id)))


def test_the_campaign_runs_on_each_provinces_calendar(province, clock):
    jilin = campaign.open_campaign("22", 2026, actor=SV_JILIN)
    hubei = campaign.open_campaign("42", 2026, actor=SV_HUBEI)
    assert jilin.calendar["notices"] == "2026-07-10" and hubei.calendar["notices"] == "2026-06-30"
    assert [r["month"] for r in hubei.calendar["reports"]["county"]][:1] == ["2026-08"]
    assert [r["month"] for r in jilin.calendar["reports"]["county"]][:1] == ["2026-09"]
    assert names("220102") == ["confirm_ledger", "send_notices"] == names("420102")
    assert names("22") == ["hand_down_ledger"]
    with pytest.raises(Conflict):
        campaign.open_campaign("42", 2026, actor=SV_HUBEI)

    # Hubei's notices go out in time; Jilin's second county misses its later date and its city is told
    to(clock, date(2026, 6, 20))
    complete("420102", "send_notices", SV_H)
    to(clock, date(2026, 7, 1))
    assert open_tasks("4201") == []
    complete("220102", "send_notices", SV_A)
    to(clock, date(2026, 7, 10))
    assert open_tasks("2201") == []  # the deadline is the end of 10 July
    to(clock, date(2026, 7, 11))
    assert [(t.bpmn_id, t.lane) for t in open_tasks("2201")] == [("notices_overdue", "supervisor")]
    assert names("220103") == ["confirm_ledger", "send_notices"]  # the county's own task stays open
    board = {row.code: row for row in campaign_board.show_campaign(jilin.id, SV_JILIN).rows}
    assert (board["220102"].milestones["notices"].state, board["220103"].milestones["notices"].state) == \
        ("done", "escalated")

    # ledgers: Hubei's province hands down by 31 July and its county confirms; Jilin's province is late
    complete("42", "hand_down_ledger", SV_HUBEI)
    complete("420102", "confirm_ledger", SV_H)
    for county, actor in (("220102", SV_A), ("220103", SV_B)):
        complete(county, "confirm_ledger", actor)
    to(clock, date(2026, 8, 16))
    assert names("22") == ["hand_down_ledger", "handover_overdue"]
    assert open_tasks("22", "handover_overdue")[0].lane == "admin"
    assert open_tasks("42") == []


def _seeking(case_id: int, caseworker: str | None = None) -> None:
    values = {"status": CaseStatus.SEEKING, "ever_seeking": True}
    if caseworker:
        values["caseworker_id"] = db.session.scalar(select(User.id).where(User.username == caseworker))
    db.session.execute(update(Case).where(Case.id == case_id).values(**values))
    db.session.commit()


def test_monthly_reports_are_frozen_returned_resubmitted_and_the_year_end_reviewed(province, clock):
    first = open_case(graduate(valid_id("42010220030101123"), hukou="420102", name="李一"))
    campaign.open_campaign("42", 2026, actor=SV_HUBEI)
    campaign.open_campaign("22", 2026, actor=SV_JILIN)

    to(clock, date(2026, 8, 21))
    assert "submit_report" not in names("420102")
    to(clock, date(2026, 8, 22))  # Hubei's county report day; Jilin reports from September
    assert "submit_report" in names("420102") and "submit_report" not in names("220102")
    complete("420102", "submit_report", SV_H, comment="八月情况")
    [submitted] = submissions("420102")
    assert (submitted.month, submitted.figures["total"]["handed_over"], submitted.review) == ("2026-08", 1, None)
    assert submitted.submitted_at <= submitted.due_at

    with pytest.raises(InvalidInput):  # a return needs its reason; nothing is applied
        complete("4201", "review_report", SV_CITY_H, decision="return")
    complete("4201", "review_report", SV_CITY_H, decision="return", reason="联系人数与台账不符")
    assert submissions("420102")[0].review == "returned"
    with pytest.raises(InvalidInput):  # a resubmission says what was corrected
        complete("420102", "resubmit_report", SV_H)
    open_case(graduate(valid_id("42010220030101125"), hukou="420102", name="李二"))
    to(clock, date(2026, 8, 22), hour_utc=3)
    complete("420102", "resubmit_report", SV_H, comment="补录一人后重报")
    returned, resubmitted = submissions("420102")
    assert resubmitted.corrects_id == returned.id and resubmitted.month == "2026-08"
    assert (returned.figures["total"]["handed_over"], resubmitted.figures["total"]["handed_over"]) == (1, 2)
    complete("4201", "review_report", SV_CITY_H, decision="accept")

    # later work changes the live figures, never the submitted ones
    third = open_case(graduate(valid_id("42010220030101127"), hukou="420102", name="李三"))
    to(clock, date(2026, 8, 22), hour_utc=4)
    assert indicators(SV_H, region="420102", on=date(2026, 8, 22)).total.handed_over == 3
    assert [s.figures["total"]["handed_over"] for s in submissions("420102")] == [1, 2]
    assert [s.review for s in submissions("420102")] == ["returned", "accepted"]

    _city_report_late(clock)
    _close_the_year(clock, first, third)


def _city_report_late(clock) -> None:
    """The city's own report goes missing: the province is told after its due day (the 30th)."""
    to(clock, date(2026, 8, 27))
    assert "submit_city_report" in names("4201")
    to(clock, date(2026, 8, 31))
    assert names("42") == ["hand_down_ledger", "handover_overdue", "submit_city_report_overdue"]
    assert [t.lane for t in open_tasks("42", "submit_city_report_overdue")] == ["supervisor"]
    complete("4201", "submit_city_report", SV_CITY_H, comment="迟报")
    [city] = submissions("4201")
    assert city.submitted_at > city.due_at and city.figures["level"] == "county"
    hubei = db.session.scalar(select(Campaign.id).where(Campaign.province == "42"))
    board = {row.code: row for row in campaign_board.show_campaign(hubei, SV_HUBEI).rows}
    assert (board["420102"].reports["2026-08"].state, board["420102"].reports["2026-08"].corrections) == \
        ("accepted", 1)
    assert board["4201"].reports["2026-08"].state == "late"


def _close_the_year(clock, first: int, third: int) -> None:
    """Year end: Hubei's county helped one of three seekers (below 90%); Jilin's county placed its only one."""
    _seeking(first, "cw_h")
    second = db.session.scalar(select(Case.id).where(Case.id != first, Case.id != third).order_by(Case.id))
    _seeking(second, "cw_h")
    db.session.add(User(username="cw_h2", display_name="cw_h2", password_hash="-", roles=CW_H.roles,
                        region_code="420102"))
    db.session.commit()
    _seeking(third, "cw_h2")
    db.session.add(Placement(case_id=first, kind="contract_job", start_date=date(2026, 11, 1),
                             verified_by="cw_h", recorded_at=clock.now()))
    db.session.execute(update(Case).where(Case.id == first).values(status=CaseStatus.PLACED))
    jilin_case = open_case(graduate(valid_id("22010220030101131"), name="王五"))
    _seeking(jilin_case)
    db.session.add(Placement(case_id=jilin_case, kind="contract_job", start_date=date(2026, 11, 1),
                             verified_by="cw_a", recorded_at=clock.now()))
    db.session.commit()
    for month in (9, 10, 11, 12):
        to(clock, date(2026, month, 29))
    to(clock, date(2026, 12, 30))
    assert "year_end_review" not in names("420102")
    to(clock, date(2026, 12, 31))
    assert "year_end_review" in names("420102")
    assert "year_end_review" not in names("220102") + names("220103")
    seeking = campaign.still_seeking("420102", 2026, SV_H).groups
    assert [(group.caseworker, [g[1] for g in group.graduates]) for group in seeking] == \
        [("cw_h", ["李二"]), ("cw_h2", ["李三"])]
    campaign.SEEKING_PAGE_SIZE = 1
    try:
        pages = [campaign.still_seeking("420102", 2026, SV_H, page=n) for n in (1, 2)]
    finally:
        campaign.SEEKING_PAGE_SIZE = 50
    assert [(p.shown.pages, [g.caseworker for g in p.groups]) for p in pages] == [(2, ["cw_h"]), (2, ["cw_h2"])]
    assert campaign.year_end_rate("420102", 2026, clock.now())["helped"] == 1
    with pytest.raises(NotAllowed):
        campaign.still_seeking("420102", 2026, CW_H)


def test_a_correction_is_a_new_submission_with_its_reason(province, clock):
    open_case(graduate(valid_id("42010220030101123"), hukou="420102"))
    campaign.open_campaign("42", 2026, actor=SYSTEM)
    to(clock, date(2026, 8, 22))
    complete("420102", "submit_report", SV_H)
    [original] = submissions("420102")
    with pytest.raises(InvalidInput):
        campaign.correct_report(original.id, comment=" ", actor=SV_H)
    correction = campaign.correct_report(original.id, comment="更正就业人数", actor=SV_H)
    assert correction.corrects_id == original.id and correction.month == original.month
    with pytest.raises(Conflict):
        campaign.correct_report(original.id, comment="again", actor=SV_H)
    with pytest.raises(NotAllowed):
        campaign.correct_report(correction.id, comment="x", actor=CW_H)


def test_only_the_provinces_staff_open_its_campaign(province):
    with pytest.raises(NotAllowed):
        campaign.open_campaign("22", 2026, actor=SV_HUBEI)
    with pytest.raises(NotAllowed):
        campaign.open_campaign("42", 2026, actor=CW_H)
    with pytest.raises(InvalidInput):
        campaign.open_campaign("4201", 2026, actor=SV_HUBEI)
    assert db.session.scalar(select(ProcessInstance.id).where(ProcessInstance.process_id == "campaign")) is None
