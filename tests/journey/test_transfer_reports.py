"""Reports that do not change their past: a transferred case stays in the origin's ledger as transferred out, a
past report re-run after later work gives the same figures, and records entered late show only "as known now".
Driven through the service layer on the simulated clock, every engine step restored cold."""

import io
from dataclasses import asdict
from datetime import UTC, date, datetime

from journey_helpers import CW_A, CW_H, SV_A, SV_B, SV_H, advance, do, graduate, open_case
from openpyxl import load_workbook

from caseflow.domain.actor import Actor
from caseflow.domain.enums import Role
from caseflow.services import casefile, report_book, reports, transfers

MENTOR_A = Actor("mentor_a", frozenset({Role.MENTOR}), "220102")

SV_CITY = Actor("sv_city", frozenset({Role.SUPERVISOR}), "2201")
SV_JILIN = Actor("sv_jilin", frozenset({Role.SUPERVISOR}), "22")
JULY_31, AUGUST_10 = date(2026, 7, 31), date(2026, 8, 10)
REACHED = {"channel": "phone", "outcome": "reached", "contacted_on": "2026-07-01"}


def seeking(case_id, actor):
    do(case_id, "attempt", actor, **REACHED)
    do(case_id, "classify", actor, status="seeking", startup_intent=False, effective_on="2026-07-01")


def to_day(clock, day: date) -> None:
    """Move the clock to 10:00 Beijing on `day`, waking due timers on the way."""
    advance(clock, 0)
    clock.advance(datetime(day.year, day.month, day.day, 2, 0, tzinfo=UTC) - clock.now())
    advance(clock, 0)


def snapshot(report) -> dict:
    return {"rows": [asdict(row) for row in report.rows], "total": asdict(report.total),
            "trend": [asdict(point) for point in report.trend]}


def hire(case_id, actor, on: str) -> None:
    referral = casefile.list_referrals(case_id, actor=actor)[0]
    casefile.record_on_case(case_id, "referral_outcome", {"referral_id": str(referral.id), "outcome": "hired",
                                                          "outcome_on": on}, actor=actor)


def test_the_origin_keeps_a_case_transferred_to_hubei_as_transferred_out_and_its_past_reports_do_not_change(
        province, clock):
    moving, staying = open_case(graduate()), open_case(graduate("220102200301011250"))
    seeking(moving, CW_A)
    seeking(staying, CW_A)
    to_day(clock, date(2026, 7, 25))
    transfers.request_transfer(moving, to_county="420102", reason="回武汉", actor=CW_A)
    do(moving, "transfer_approve", SV_A, decision="approve")
    to_day(clock, date(2026, 8, 1))
    july = reports.indicators(SV_A, on=JULY_31)
    assert (july.total.handed_over, july.total.seeking, july.total.transferred_out) == (2, 2, 0)
    to_day(clock, date(2026, 8, 5))
    do(moving, "transfer_accept", SV_H, decision="approve")
    hire(moving, CW_H, "2026-08-06")  # later work at the receiving county, and at the origin
    hire(staying, CW_A, "2026-08-06")
    to_day(clock, AUGUST_10)
    assert snapshot(reports.indicators(SV_A, on=JULY_31)) == snapshot(july)  # the past report as it was
    nanguan = reports.indicators(SV_A, on=AUGUST_10).total
    assert (nanguan.handed_over, nanguan.transferred_out, nanguan.placed, nanguan.seeking) == (2, 1, 1, 0)
    assert (nanguan.ever_seeking, nanguan.helped, nanguan.open_cases) == (1, 1, 1)  # the moved case is Hubei's
    jiangan = reports.indicators(SV_H, on=AUGUST_10).total
    assert (jiangan.handed_over, jiangan.transferred_in, jiangan.placed, jiangan.helped) == (1, 1, 1, 1)
    jilin = reports.indicators(SV_JILIN, on=AUGUST_10)
    assert (jilin.total.handed_over, jilin.total.transferred_out) == (2, 1)
    assert reports.indicators(SV_A, on=date(2026, 8, 4)).total.transferred_out == 0  # accepted on 5 August
    ledger = transfers.list_transferred_out(SV_A).rows  # with destination and date
    assert [(r.case_id, r.to_county, r.to_label, r.accepted_at.date()) for r in ledger] == [
        (moving, "420102", "湖北省 武汉市 江岸区", date(2026, 8, 5))]
    assert transfers.list_transferred_out(SV_H).rows == []


def test_a_transfer_inside_the_city_shows_out_and_in_on_the_county_rows_and_once_in_the_total(province, clock):
    case_id = open_case(graduate())
    seeking(case_id, CW_A)
    to_day(clock, date(2026, 7, 10))
    transfers.request_transfer(case_id, to_county="220103", reason="迁居宽城区", actor=CW_A)
    do(case_id, "transfer_approve", SV_A, decision="approve")
    to_day(clock, date(2026, 7, 20))
    do(case_id, "transfer_accept", SV_B, decision="approve")
    to_day(clock, AUGUST_10)
    city = reports.indicators(SV_CITY, on=AUGUST_10)
    rows = {row.key: row for row in city.rows}
    assert (rows["220102"].handed_over, rows["220102"].transferred_out, rows["220102"].seeking) == (1, 1, 0)
    assert (rows["220103"].handed_over, rows["220103"].transferred_in, rows["220103"].seeking) == (1, 1, 1)
    assert (city.total.handed_over, city.total.transferred_out, city.total.seeking) == (1, 0, 1)
    before = reports.indicators(SV_CITY, on=date(2026, 7, 15))
    assert [(row.key, row.handed_over, row.seeking) for row in before.rows] == [("220102", 1, 1), ("220103", 0, 0)]
    county = reports.indicators(SV_A, on=AUGUST_10)  # by caseworker: the one who had the case then
    assert [(row.label, row.transferred_out) for row in county.rows] == [("cw_a", 1)]
    assert reports.indicators(SV_B, on=AUGUST_10).rows[0].label == "cw_b"


def test_the_monthly_workbook_counts_the_transferred_out_case_in_the_status_mix(province, clock, app):
    case_id = open_case(graduate())
    transfers.request_transfer(case_id, to_county="420102", reason=None, actor=CW_A)
    do(case_id, "transfer_approve", SV_A, decision="approve")
    do(case_id, "transfer_accept", SV_H, decision="approve")
    to_day(clock, AUGUST_10)
    report = reports.indicators(SV_A, on=date(2026, 7, 31))
    with app.test_request_context():
        data = report_book.workbook(report, translate=lambda text: text, row_label=lambda f: f.label or "total",
                                    actor=SV_A)
    book = load_workbook(io.BytesIO(data))
    sheet = book["Status mix"]
    header = [cell.value for cell in sheet[2]]
    total = [cell.value for cell in sheet[sheet.max_row]]
    assert total[header.index("Transferred out")] == 1 and total[header.index("Placed")] == 0
    assert [cell.value for cell in book["Contact"][book["Contact"].max_row]][1] == 1  # still handed over here
    assert "As known then and now" in book.sheetnames


def test_records_entered_late_change_only_the_total_as_known_now(province, clock, app):
    placed_late, registered_late = open_case(graduate()), open_case(graduate("220102200301011250"))
    seeking(placed_late, CW_A)
    do(registered_late, "attempt", CW_A, **REACHED)
    do(registered_late, "classify", CW_A, status="seeking", startup_intent=True, effective_on="2026-07-01")
    do(registered_late, "training", MENTOR_A, course="syb", completed_on="2026-07-10")
    do(registered_late, "guidance", MENTOR_A, topic="business_plan", held_on="2026-07-12")
    to_day(clock, date(2026, 8, 1))
    july = reports.indicators(SV_A, on=JULY_31)
    assert (july.total.placed, july.total.startups) == (0, 0) and report_book.changed(july) == []
    to_day(clock, date(2026, 8, 5))  # recorded in August, effective in July
    hire(placed_late, CW_A, "2026-07-20")
    do(registered_late, "registration", CW_A, business_name="青禾工作室", registered_on="2026-07-25",
       first_business=True)
    for _ in range(2):
        again = reports.indicators(SV_A, on=JULY_31)
        assert snapshot(again) == snapshot(july)  # as known then: unchanged, however often it is run
        assert (again.known_now.placed, again.known_now.helped, again.known_now.startups) == (2, 2, 1)
        assert {column.key for _, column, _, _ in report_book.changed(again)} >= {"placed", "helped", "startups"}
        to_day(clock, date(2026, 8, 9))
    with app.test_request_context():
        book = load_workbook(io.BytesIO(report_book.workbook(again, translate=lambda t: t, row_label=str,
                                                             actor=SV_A)))
    sheet = {row[0]: row[1:] for row in book["As known then and now"].iter_rows(min_row=3, values_only=True)}
    assert sheet["Status mix · Placed"] == (0, 2) and sheet["Entrepreneurship · Businesses registered"] == (0, 1)


def test_placements_and_businesses_count_from_their_effective_dates(province, clock):
    placed, business = open_case(graduate()), open_case(graduate("220102200301011250"))
    seeking(placed, CW_A)
    do(business, "attempt", CW_A, **REACHED)
    do(business, "classify", CW_A, status="seeking", startup_intent=True, effective_on="2026-07-01")
    do(business, "training", MENTOR_A, course="syb", completed_on="2026-07-10")
    do(business, "guidance", MENTOR_A, topic="business_plan", held_on="2026-07-12")
    to_day(clock, date(2026, 7, 25))  # recorded in July, effective in August
    hire(placed, CW_A, "2026-08-03")
    do(business, "registration", CW_A, business_name="青禾工作室", registered_on="2026-08-03", first_business=True)
    to_day(clock, AUGUST_10)
    july, august = reports.indicators(SV_A, on=JULY_31).total, reports.indicators(SV_A, on=AUGUST_10).total
    assert (july.placed, july.helped, july.startups) == (0, 0, 0)
    assert (august.placed, august.helped, august.startups) == (2, 2, 1)


def test_the_report_page_shows_then_and_now_side_by_side(province, clock, app):
    case_id = open_case(graduate())
    seeking(case_id, CW_A)
    to_day(clock, date(2026, 8, 5))
    hire(case_id, CW_A, "2026-07-20")
    report = reports.indicators(SV_A, on=JULY_31)
    with app.test_request_context():
        from flask import render_template

        html = render_template("supervision/report.html", report=report, groups=report_book.GROUPS,
                               value=report_book.value, show=report_book.show, changed=report_book.changed)
    assert 'data-figure="then.placed">0<' in html and 'data-figure="now.placed">1<' in html
