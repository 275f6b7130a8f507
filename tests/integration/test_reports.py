"""Indicators on a small cohort whose expected values are counted by hand (see the comments in `cohort`)."""

from datetime import date, timedelta

import pytest
from sqlalchemy import insert, select
from supervision_helpers import REACHED, actor, case, do, open_in, owner

from caseflow.errors import InvalidInput, NotFound
from caseflow.extensions import db
from caseflow.models import JobPosting, Referral
from caseflow.services import casefile, reports, timers

PLAN = {"goals": "稳定就业", "measures": "推荐岗位", "mentor": "李老师", "planned_on": "2026-07-01"}
SERVICES = [("career_guidance", "accepted"), ("job_referral", "accepted"), ("job_referral", "declined"),
            ("job_referral", "accepted"), ("training_offer", "accepted"), ("internship_offer", "accepted")]


def classify(case_id, status, **extra):
    do(case_id, "classify", owner(case_id), status=status, startup_intent=extra.pop("startup_intent", False),
       effective_on="2026-07-01", **extra)


def contact(case_id):
    do(case_id, "attempt", owner(case_id), **REACHED)


@pytest.fixture
def cohort(app, staff, clock):
    """Nine graduates of 长春市, handed over on 1 July 2026 (ids by letter):

    A employed at first contact · B seeking, hired through a pushed referral · C seeking, whole package
    delivered, in an internship from the August visit · D no intent, seeking from the August re-check ·
    E three failed attempts, unreachable approved · F never contacted · G hardship, plan approved ·
    H (宽城区) first reached on 1 August, after the 30-day deadline · I entrepreneur: business, loan, subsidy."""
    db.session.execute(insert(JobPosting), [{"employer": "一汽", "title": "技术员", "area_code": "220102",
                                             "major_prefixes": [], "open_until": date(2027, 6, 30)}])
    db.session.commit()
    ids = dict(zip("ABCDEF", open_in("220102", 6), strict=True))
    ids["G"] = open_in("220102", hardship=("minimum_subsidy",))[0]
    ids["H"], ids["I"] = open_in("220103")[0], open_in("220102")[0]
    for letter in "ABCDGI":
        contact(ids[letter])
    classify(ids["A"], "employed", employer="一汽", placement_kind="contract_job", verified_how="social_insurance")
    for letter in "BCG":
        classify(ids[letter], "seeking")
    classify(ids["D"], "no_intent", no_intent_reason="exam_preparation")
    pushed = db.session.scalars(select(Referral.id).where(Referral.case_id == ids["B"])).one()
    casefile.record_on_case(ids["B"], "referral_outcome", {"referral_id": str(pushed), "outcome": "hired",
                                                          "outcome_on": "2026-07-01"}, actor=actor(owner(ids["B"])))
    for kind, response in SERVICES:
        do(ids["C"], "deliver", owner(ids["C"]), kind=kind, response=response, delivered_on="2026-07-01")
    for channel in ("phone", "sms", "phone"):
        do(ids["E"], "attempt", owner(ids["E"]), channel=channel, outcome="no_answer", contacted_on="2026-07-01")
    do(ids["E"], "approve_unreachable", "nanguan_sup", decision="approve")
    do(ids["G"], "plan", owner(ids["G"]), **PLAN)
    do(ids["G"], "approve_plan", "nanguan_sup", decision="approve")
    do(ids["G"], "offer_subsidy", owner(ids["G"]), response="received_before")
    _entrepreneur(ids["I"])
    clock.advance(timedelta(days=31, hours=1))  # 1 August 2026, 10:00
    timers.sweep()
    contact(ids["H"])
    classify(ids["H"], "seeking")
    do(ids["C"], "visit_task", owner(ids["C"]), channel="phone", status="in_internship", visited_on="2026-08-01")
    do(ids["D"], "reclassify", owner(ids["D"]), status="seeking", startup_intent=False, effective_on="2026-08-01")
    clock.advance(timedelta(days=9))  # 10 August, the report date
    return ids


def _entrepreneur(case_id):
    classify(case_id, "seeking", startup_intent=True)
    worker = owner(case_id)
    do(case_id, "training", "nanguan_mentor", course="syb", completed_on="2026-07-01")
    do(case_id, "guidance", "nanguan_mentor", topic="business_plan", held_on="2026-07-01")
    do(case_id, "registration", worker, business_name="青禾工作室", registered_on="2026-07-01", first_business=True)
    do(case_id, "loan", worker, requested=True, amount=150000, status="approved")
    do(case_id, "pay", worker, paid_on="2026-07-01")


def figures(report, *names):
    return {name: getattr(report.total, name) for name in names}


def test_every_indicator_of_the_cohort_matches_the_hand_count(cohort):
    report = reports.indicators(actor("changchun_sup"), on=date(2026, 8, 10))
    assert figures(report, "handed_over", "reached", "timely", "unreachable") == {
        "handed_over": 9, "reached": 7, "timely": 6, "unreachable": 1}  # E unreachable; F, E not reached; H late
    assert figures(report, "placed", "seeking", "no_intent", "pending", "closed") == {
        "placed": 3, "seeking": 4, "no_intent": 0, "pending": 1, "closed": 0}  # A B I placed; C D G H seeking; F
    assert figures(report, "ever_seeking", "helped", "prepared") == {"ever_seeking": 6, "helped": 2, "prepared": 3}
    assert figures(report, "package_complete", "followed_up") == {"package_complete": 1, "followed_up": 2}  # C; C H
    assert figures(report, "hardship", "plans", "hardship_placed", "public_welfare") == {
        "hardship": 1, "plans": 1, "hardship_placed": 0, "public_welfare": 0}
    assert figures(report, "referrals", "hires") == {"referrals": 5, "hires": 1}  # pushed to B C G (July), D H
    assert figures(report, "startups", "loans", "loan_amount", "subsidies") == {
        "startups": 1, "loans": 1, "loan_amount": 150000, "subsidies": 1}
    assert figures(report, "open_cases", "caseworkers") == {"open_cases": 9, "caseworkers": 3}
    assert figures(report, "on_track", "due_soon", "overdue") == {"on_track": 3, "due_soon": 0, "overdue": 8}
    # caseworker tasks overdue: F's first contact, A B I's closures, G's package task, and the August visits of
    # D G H (due within 5 working days of 1 August); on track: E D H
    assert figures(report, "visits_missed") == {"visits_missed": 2}  # C's and G's July visits
    assert report.target == 0.9
    assert [(row.label, row.handed_over) for row in report.rows] == [("南关区", 8), ("宽城区", 1)]


def test_an_internship_is_preparation_not_employment(cohort):
    report = reports.indicators(actor("nanguan_sup"), on=date(2026, 8, 10))
    row = next(row for row in report.rows if row.key == str(case(cohort["C"]).caseworker_id))
    others = [r for r in report.rows if r is not row]
    # C (in an internship) is in the caseworker's employment-or-preparation count, not in help-into-employment
    assert row.prepared - row.helped == 1 and all(r.prepared == r.helped for r in others)
    assert (report.total.helped, report.total.prepared, report.total.ever_seeking) == (2, 3, 5)


def test_a_no_intent_graduate_who_later_seeks_enters_the_denominator(cohort):
    july = reports.indicators(actor("changchun_sup"), on=date(2026, 7, 15)).total
    august = reports.indicators(actor("changchun_sup"), on=date(2026, 8, 10)).total
    assert (july.no_intent, july.ever_seeking) == (1, 4)  # D not yet; H not yet classified
    assert (august.no_intent, august.ever_seeking) == (0, 6)  # D and H now seeking
    assert [point.ever_seeking for point in reports.indicators(
        actor("changchun_sup"), on=date(2026, 8, 10)).trend[-2:]] == [4, 6]


def test_drill_down_runs_from_the_city_to_the_county_to_its_caseworkers(cohort):
    county = reports.indicators(actor("changchun_sup"), region="220102", on=date(2026, 8, 10))
    assert county.level == "caseworker" and county.total.handed_over == 8
    assert {row.label for row in county.rows} == {"王丽（南关区就业服务专员）", "刘洋（南关区就业服务专员）"}
    assert county.crumbs == [("2201", "长春市"), ("220102", "南关区")]  # the city supervisor cannot go above 2201
    with pytest.raises(NotFound):
        reports.indicators(actor("kuancheng_sup"), region="220102", on=date(2026, 8, 10))



def test_tasks_due_within_two_working_days_of_the_report_date_are_due_soon(cohort, clock):
    clock.advance(timedelta(days=3))  # 13 August
    report = reports.indicators(actor("changchun_sup"), on=date(2026, 8, 12))
    assert figures(report, "on_track", "due_soon", "overdue") == {"on_track": 1, "due_soon": 2, "overdue": 8}
    with pytest.raises(InvalidInput):
        reports.indicators(actor("changchun_sup"), on=date(2026, 8, 14))  # no report of the future
