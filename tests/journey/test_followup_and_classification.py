"""Follow-up and classification (issue 10): monthly return visits from the month of classification in parallel
with the service package, missed months recorded (never a burst), placements of every kind from the case file
through one verification, reclassification at any time moving the case in and out of the help-into-employment
denominator from its effective date, and the form checks. Under both profiles, on the simulated clock; every step
restores the journey cold from the database (tests/conftest.py)."""

from datetime import date, timedelta

import pytest
from journey_helpers import CW_A, CW_H, SV_A, SV_H, advance, case_row, do, graduate, open_case, ready, ready_ids
from sqlalchemy import select

from caseflow.domain.enums import CaseStatus, PlacementKind
from caseflow.errors import Conflict, InvalidInput
from caseflow.extensions import db
from caseflow.models import Classification, MissedVisit, Placement
from caseflow.services import reports
from caseflow.services.casefile import record_on_case

JILIN = ("220102200301011234", "220102", CW_A, SV_A)
HUBEI = ("420102200301011236", "420102", CW_H, SV_H)
PROFILES = pytest.mark.parametrize("profile", [JILIN, HUBEI], ids=["jilin_1311", "hubei"])


def seeker(profile, effective_on="2026-07-01") -> int:
    id_number, area, worker, _ = profile
    case_id = open_case(graduate(id_number, hukou=area))
    do(case_id, "attempt", worker, channel="phone", outcome="reached", contacted_on="2026-07-01")
    do(case_id, "classify", worker, status="seeking", startup_intent=False, effective_on=effective_on)
    return case_id


def visit(case_id, worker, clock, status="seeking", **data):
    do(case_id, "visit_task", worker, channel="phone", status=status, visited_on=clock.now().date().isoformat(),
       **data)


def until_visit(case_id, clock, days=40):
    for _ in range(days):
        advance(clock, 1)
        if "visit_task" in ready_ids(case_id):
            return clock.now().date()
    raise AssertionError("no visit came")


def missed_months(case_id) -> list[str]:
    return sorted(db.session.scalars(select(MissedVisit.month).where(MissedVisit.case_id == case_id)))


@PROFILES
def test_a_seeker_is_visited_every_month_from_classification_while_the_package_runs(province, clock, profile):
    case_id = seeker(profile)
    worker = profile[2]
    assert ready_ids(case_id) == ["deliver", "visit_task"]  # both at once, from day one
    visit(case_id, worker, clock)
    days = [clock.now().date()]
    for _ in range(3):
        days.append(until_visit(case_id, clock))
        assert {"deliver", "visit_task"} <= set(ready_ids(case_id))  # the package is still being delivered
        visit(case_id, worker, clock)
    assert [d.month for d in days] == [7, 8, 9, 10]
    assert missed_months(case_id) == []
    assert case_row(case_id).status == CaseStatus.SEEKING


@PROFILES
def test_a_month_without_a_visit_is_recorded_missed_and_never_comes_back_as_a_burst(province, clock, profile):
    case_id = seeker(profile)
    worker, supervisor = profile[2], profile[3]
    advance(clock, 1)
    assert [t.bpmn_id for t in ready(case_id)].count("visit_task") == 1
    for _ in range(105):  # to 15 October without any visit
        advance(clock, 1)
    assert missed_months(case_id) == ["2026-07", "2026-08", "2026-09"]
    assert [t.bpmn_id for t in ready(case_id)].count("visit_task") == 1  # October's, not four
    visit(case_id, worker, clock)
    assert "visit_task" not in ready_ids(case_id)
    clock.advance(timedelta(hours=1))
    report = reports.indicators(supervisor, region=profile[1], on=clock.now().date())
    assert report.total.visits_missed == 3
    assert (report.total.seeking, report.total.followed_up) == (1, 1)  # October's visit was made
    assert reports.indicators(supervisor, region=profile[1], on=date(2026, 8, 15)).total.visits_missed == 1


PLACEMENTS = [
    (PlacementKind.CONTRACT_JOB, "长春一汽", "labour_contract"),
    (PlacementKind.FLEXIBLE_WORK, "网约配送平台", "flexible_work_record"),
    (PlacementKind.SELF_EMPLOYMENT, "张三工作室", "business_licence"),
    (PlacementKind.THREE_SUPPORTS, "农安县卫生院", "appointment_notice"),
    (PlacementKind.WESTERN_PROGRAMME, "西部计划项目办", "appointment_notice"),
    (PlacementKind.SPECIAL_POST_TEACHER, "榆树市第三中学", "appointment_notice"),
    (PlacementKind.SELECTED_GRADUATE, "吉林省委组织部", "appointment_notice"),
    (PlacementKind.CIVIL_SERVICE, "南关区税务局", "appointment_notice"),
    (PlacementKind.ENLISTMENT, "某部队", "enlistment_notice"),
    (PlacementKind.FURTHER_STUDY, "吉林大学", "admission_letter"),
    (PlacementKind.INTERNSHIP_RETENTION, "见习基地企业", "social_insurance"),
]


@pytest.mark.parametrize(("kind", "employer", "how"), PLACEMENTS, ids=[p[0] for p in PLACEMENTS])
def test_a_placement_of_any_kind_from_the_case_file_is_verified_and_ends_the_open_work(province, clock, kind,
                                                                                       employer, how):
    case_id = seeker(JILIN)
    advance(clock, 20)
    assert ready_ids(case_id) == ["deliver", "visit_task"]
    record_on_case(case_id, "placement", {"kind": kind, "employer": employer, "start_date": "2026-07-15",
                                          "verified_how": how}, actor=CW_A)
    placement = db.session.scalars(select(Placement).where(Placement.case_id == case_id)).one()
    assert (placement.kind, placement.employer, placement.verified_how, placement.verified_by,
            placement.start_date) == (kind, employer, how, "cw_a", date(2026, 7, 15))
    assert case_row(case_id).status == CaseStatus.PLACED
    assert ready_ids(case_id) == ["verify"]  # package and visits ended; on to closure
    advance(clock, 40)
    assert missed_months(case_id) == []  # follow-up ended with the placement
    do(case_id, "verify", CW_A, closure_reason=kind, verified_how="checked", closed_on="2026-08-25")
    do(case_id, "approve_closure", SV_A, decision="approve")
    assert case_row(case_id).status == CaseStatus.CLOSED
    assert db.session.get(Placement, placement.id).verified_how == how  # closure keeps the verification


@PROFILES
def test_a_placement_needs_its_kind_verification_and_employer(province, clock, profile):
    case_id = seeker(profile)
    worker = profile[2]
    base = {"kind": "contract_job", "employer": "某公司", "start_date": "2026-07-01",
            "verified_how": "social_insurance"}
    for change, field in (({"verified_how": ""}, "verified_how"), ({"employer": ""}, "employer"),
                          ({"kind": "lottery_win"}, "kind")):
        with pytest.raises(InvalidInput) as refused:
            record_on_case(case_id, "placement", {**base, **change}, actor=worker)
        assert field in refused.value.params["errors"], field
    assert case_row(case_id).status == CaseStatus.SEEKING
    record_on_case(case_id, "placement", base, actor=worker)
    with pytest.raises(Conflict):
        record_on_case(case_id, "placement", base, actor=worker)


@PROFILES
def test_a_placement_found_at_a_visit_ends_the_package_with_its_own_effective_date(province, clock, profile):
    case_id = seeker(profile)
    worker = profile[2]
    visit(case_id, worker, clock)
    until_visit(case_id, clock)
    with pytest.raises(InvalidInput) as refused:
        visit(case_id, worker, clock, status="employed")
    assert set(refused.value.params["errors"]) >= {"employer", "placement_kind", "verified_how", "placed_on"}
    visit(case_id, worker, clock, status="employed", employer="武汉光谷企业", placement_kind="internship_retention",
          verified_how="labour_contract", placed_on="2026-07-20")
    assert ready_ids(case_id) == ["verify"]
    placement = db.session.scalars(select(Placement).where(Placement.case_id == case_id)).one()
    assert (placement.kind, placement.start_date, placement.verified_how) == (
        "internship_retention", date(2026, 7, 20), "labour_contract")


@PROFILES
def test_employed_at_classification_goes_through_the_same_verification(province, clock, profile):
    id_number, area, worker, _ = profile
    case_id = open_case(graduate(id_number, hukou=area))
    do(case_id, "attempt", worker, channel="phone", outcome="reached", contacted_on="2026-07-01")
    with pytest.raises(InvalidInput):
        do(case_id, "classify", worker, status="employed", startup_intent=False, effective_on="2026-06-30")
    do(case_id, "classify", worker, status="employed", startup_intent=False, effective_on="2026-06-30",
       employer="某公司", placement_kind="special_post_teacher", verified_how="appointment_notice")
    placement = db.session.scalars(select(Placement).where(Placement.case_id == case_id)).one()
    assert (placement.verified_how, placement.verified_by, placement.start_date) == (
        "appointment_notice", worker.user_id, date(2026, 6, 30))
    assert ready_ids(case_id) == ["verify"]
    do(case_id, "verify", worker, closure_reason="special_post_teacher", verified_how="其他", closed_on="2026-07-01")
    assert db.session.get(Placement, placement.id).start_date == date(2026, 6, 30)  # not replaced at closure
    assert db.session.get(Placement, placement.id).verified_how == "appointment_notice"


def _denominator(supervisor, area, day) -> tuple[int, int]:
    report = reports.indicators(supervisor, region=area, on=day)
    return report.total.ever_seeking, report.known_now.ever_seeking if report.known_now else None


@PROFILES
def test_reclassification_moves_the_case_out_of_and_back_into_the_denominator_from_its_effective_date(
        province, clock, profile):
    case_id = seeker(profile)
    _, area, worker, supervisor = profile
    advance(clock, 70)  # 9 September
    with pytest.raises(InvalidInput):
        record_on_case(case_id, "reclassify", {"status": "no_intent", "no_intent_reason": "exam_preparation",
                                               "effective_on": "2026-09-01"}, actor=worker)  # no reason given
    with pytest.raises(InvalidInput):
        record_on_case(case_id, "reclassify", {"status": "no_intent", "reason": "备考公务员",
                                               "effective_on": "2026-09-01"}, actor=worker)  # no no-intent reason
    before = _denominator(supervisor, area, date(2026, 9, 5))
    assert before == (1, 1)
    record_on_case(case_id, "reclassify", {"status": "no_intent", "no_intent_reason": "exam_preparation",
                                           "reason": "备考公务员", "effective_on": "2026-09-01"}, actor=worker)
    assert case_row(case_id).status == CaseStatus.NO_INTENT
    # a report for 5 September as known then is unchanged; as known now the case left on 1 September
    assert _denominator(supervisor, area, date(2026, 9, 5)) == (1, 0)
    assert _denominator(supervisor, area, date(2026, 8, 31)) == (1, 1)
    advance(clock, 1)
    assert _denominator(supervisor, area, date(2026, 9, 9))[0] == 0
    advance(clock, 30)  # 10 October
    record_on_case(case_id, "reclassify", {"status": "seeking", "reason": "考试结束，开始求职",
                                           "effective_on": "2026-10-08"}, actor=worker)
    advance(clock, 1)
    assert _denominator(supervisor, area, date(2026, 10, 10))[0] == 1
    assert _denominator(supervisor, area, date(2026, 9, 30)) == (0, 0)
    history = db.session.scalars(select(Classification.status).where(Classification.case_id == case_id)
                                 .order_by(Classification.id)).all()
    assert history == ["seeking", "no_intent", "seeking"]
    reasons = db.session.scalars(select(Classification.reason).where(Classification.case_id == case_id)
                                 .order_by(Classification.id)).all()
    assert reasons[1:] == ["备考公务员", "考试结束，开始求职"]


@PROFILES
def test_dates_and_reasons_are_checked(province, clock, profile):
    id_number, area, worker, _ = profile
    case_id = open_case(graduate(id_number, hukou=area))
    with pytest.raises(InvalidInput):  # in the future
        do(case_id, "attempt", worker, channel="phone", outcome="reached", contacted_on="2026-07-02")
    with pytest.raises(InvalidInput):  # before leaving school (30 June)
        do(case_id, "attempt", worker, channel="phone", outcome="reached", contacted_on="2026-06-29")
    do(case_id, "attempt", worker, channel="phone", outcome="reached", contacted_on="2026-07-01")
    with pytest.raises(InvalidInput) as refused:
        do(case_id, "classify", worker, status="no_intent", startup_intent=False, effective_on="2026-07-01")
    assert "no_intent_reason" in refused.value.params["errors"]
    with pytest.raises(InvalidInput) as refused:
        do(case_id, "classify", worker, status="seeking", startup_intent=False, effective_on="2026-07-01",
           intended_place="长春")
    assert "intended_place" in refused.value.params["errors"]
    do(case_id, "classify", worker, status="seeking", startup_intent=False, effective_on="2026-07-01",
       intended_place=area)
    assert case_row(case_id).status == CaseStatus.SEEKING


def test_a_rejection_needs_its_reason(province, clock):
    from caseflow.domain.forms import parse_form, validate
    from caseflow.services.deployment import get_form_or_raise

    form = get_form_or_raise("approval")
    assert validate(form, {"decision": "reject"})[1] == {"reason": "required"}
    assert validate(form, {"decision": "approve"})[1] == {}
    with pytest.raises(ValueError, match="required when"):
        parse_form("x", {"fields": [{"name": "a", "required_when": {"field": "b", "values": ["c"]}}]})




@PROFILES
def test_a_no_intent_graduate_reclassified_seeking_gets_services_and_visits_at_once(province, clock, profile):
    id_number, area, worker, _ = profile
    case_id = open_case(graduate(id_number, hukou=area))
    do(case_id, "attempt", worker, channel="phone", outcome="reached", contacted_on="2026-07-01")
    do(case_id, "classify", worker, status="no_intent", no_intent_reason="health", startup_intent=False,
       effective_on="2026-07-01")
    advance(clock, 10)
    assert ready_ids(case_id) == []  # the monthly re-check waits for its day
    record_on_case(case_id, "reclassify", {"status": "seeking", "reason": "身体康复，开始求职",
                                           "effective_on": "2026-07-11"}, actor=worker)
    assert case_row(case_id).status == CaseStatus.SEEKING
    assert ready_ids(case_id) == ["deliver", "visit_task"]
    advance(clock, 30)
    assert missed_months(case_id) == ["2026-07"]
    assert "recheck_task" not in ready_ids(case_id) and "reclassify" not in ready_ids(case_id)
