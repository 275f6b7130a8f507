"""The two-year boundary (seed 001 §(十四)) under both province profiles: internships stop, a graduate still
without work is reviewed at two levels by two people on every path, and a designated graduate is taken into
employment assistance and counted in the monthly report and its workbook."""

import pytest
from journey_helpers import advance, case_row, do, ready, ready_ids
from sqlalchemy import select
from support_helpers import (
    BEFORE_THE_BOUNDARY,
    DAYS_PAST_THE_BOUNDARY,
    PLACE_IDS,
    PLACES,
    hire,
    reach_and_classify,
    report_total,
    workbook_total,
)

from caseflow.domain.enums import DifficultyStatus, ServiceKind
from caseflow.errors import InvalidInput, NotAllowed
from caseflow.extensions import db
from caseflow.models import EmploymentAssistance, ServiceRecord
from caseflow.services import casefile
from caseflow.tasks.package import package_status_of

REVIEW_TASKS = {"designate", "designate_final", "resubmit_designation", "assist"}


@pytest.fixture(params=PLACES, ids=PLACE_IDS)
def place(request, province):
    return request.param


def service(kind: str, day: str = "2026-07-03", response: str = "accepted") -> dict:
    return {"kind": kind, "response": response, "delivered_on": day}


def test_after_the_boundary_internships_are_refused_and_the_package_stops_asking_for_one(place, clock):
    case_id = place.open(leaving=BEFORE_THE_BOUNDARY)
    assert case_row(case_id).profile == place.profile
    reach_and_classify(place, case_id)
    do(case_id, "deliver", place.caseworker, **service("career_guidance"))
    for _ in range(3):
        do(case_id, "deliver", place.caseworker, **service("job_referral"))
    before = package_status_of(case_row(case_id)).owed()
    assert before == ({"internship": 1, "training": 1} if place.profile == "jilin_1311"
                      else {"training_or_internship": 1})
    advance(clock, DAYS_PAST_THE_BOUNDARY)
    with pytest.raises(InvalidInput):  # the package's form
        do(case_id, "deliver", place.caseworker, **service("internship_offer", "2026-10-04"))
    with pytest.raises(InvalidInput):  # the case file
        casefile.record_on_case(case_id, "record_service", service("internship_offer", "2026-10-04"),
                                actor=place.caseworker)
    assert not db.session.scalars(select(ServiceRecord).where(ServiceRecord.kind == ServiceKind.INTERNSHIP_OFFER)
                                  ).all()
    after = package_status_of(case_row(case_id)).owed()
    assert after == ({"training": 1} if place.profile == "jilin_1311" else {"training_or_internship": 1})
    assert case_row(case_id).package_requirement["required_internship"] == 0
    do(case_id, "deliver", place.caseworker, **service("training_offer", "2026-10-04"))
    assert package_status_of(case_row(case_id)).complete
    assert "deliver" not in ready_ids(case_id)  # the package is done without an internship
    advance(clock, 1)
    assert report_total(place).package_complete == 1  # the monthly report counts it complete, as the workbook does
    assert workbook_total(place, "package")["package_complete"] == 1


def test_an_internship_before_the_boundary_is_still_offered(place, clock):
    case_id = place.open(leaving=BEFORE_THE_BOUNDARY)
    reach_and_classify(place, case_id)
    do(case_id, "deliver", place.caseworker, **service("internship_offer"))
    assert "internship" not in package_status_of(case_row(case_id)).owed()


def test_designation_hands_the_case_to_employment_assistance_and_the_report_counts_it(place, clock):
    case_id = place.open(leaving=BEFORE_THE_BOUNDARY)
    reach_and_classify(place, case_id)
    advance(clock, DAYS_PAST_THE_BOUNDARY)
    assert case_row(case_id).difficulty_status == DifficultyStatus.CANDIDATE
    do(case_id, "designate", place.supervisor, decision="approve")
    final = next(task for task in ready(case_id) if task.bpmn_id == "designate_final")
    assert final.region_code == place.city.region_code  # the city agency reviews last
    do(case_id, "designate_final", place.city, decision="approve")
    assert case_row(case_id).difficulty_status == DifficultyStatus.DESIGNATED
    assist = next(task for task in ready(case_id) if task.bpmn_id == "assist")
    assert (assist.lane, assist.assignee) == ("caseworker", place.caseworker.user_id)
    advance(clock, 1)  # a report counts what was recorded before it is taken
    before = report_total(place)
    assert (before.difficulty_candidates, before.designated, before.assisted) == (1, 1, 0)
    do(case_id, "assist", place.caseworker, measure="priority_referral", started_on="2026-10-05")
    assert case_row(case_id).difficulty_status == DifficultyStatus.ASSISTED
    row = db.session.scalars(select(EmploymentAssistance).where(EmploymentAssistance.case_id == case_id)).one()
    assert (row.first_reviewed_by, row.designated_by, row.measure) == (
        place.supervisor.user_id, place.city.user_id, "priority_referral")
    assert "deliver" in ready_ids(case_id)  # services go on beside the assistance
    hire(place, case_id, "2026-10-06")
    advance(clock, 1)
    total = report_total(place)
    assert (total.difficulty_candidates, total.designated, total.assisted, total.assisted_placed) == (1, 1, 1, 1)
    assert workbook_total(place, "assistance") == {"difficulty_candidates": 1, "designated": 1, "assisted": 1,
                                                   "assisted_placed": 1, "assisted_rate": 1.0}


def _boundary_after(place, case_id, clock):
    advance(clock, DAYS_PAST_THE_BOUNDARY)
    return set(ready_ids(case_id)) & REVIEW_TASKS


def test_no_review_for_a_graduate_placed_while_the_path_is_still_open(place, clock):
    case_id = place.open(leaving=BEFORE_THE_BOUNDARY)
    reach_and_classify(place, case_id, "no_intent", no_intent_reason="exam_preparation")
    hire(place, case_id, "2026-07-20")  # recorded on the case file; the monthly re-check loop runs on
    assert _boundary_after(place, case_id, clock) == set()
    assert case_row(case_id).difficulty_status == DifficultyStatus.NONE
    assert db.session.scalars(select(EmploymentAssistance)).all() == []


def _entrepreneur_until_registration(place, case_id, *, register: bool) -> None:
    reach_and_classify(place, case_id, startup_intent=True)
    do(case_id, "training", place.mentor, course="syb", completed_on="2026-07-20")
    do(case_id, "guidance", place.mentor, topic="business_plan", held_on="2026-07-25")
    if register:
        do(case_id, "registration", place.caseworker, business_name="青禾工作室", registered_on="2026-08-01",
           first_business=True)


def test_no_review_for_a_self_employed_entrepreneur_with_a_registered_business(place, clock):
    case_id = place.open(leaving=BEFORE_THE_BOUNDARY)
    _entrepreneur_until_registration(place, case_id, register=True)
    assert ready_ids(case_id) == ["loan"]  # the entrepreneurship path is still open at the boundary
    assert _boundary_after(place, case_id, clock) == set()
    assert case_row(case_id).difficulty_status == DifficultyStatus.NONE


def test_an_entrepreneur_without_a_business_at_the_boundary_is_reviewed(place, clock):
    case_id = place.open(leaving=BEFORE_THE_BOUNDARY)
    _entrepreneur_until_registration(place, case_id, register=False)
    assert _boundary_after(place, case_id, clock) == {"designate"}
    assert case_row(case_id).difficulty_status == DifficultyStatus.CANDIDATE


def _to_the_review(place, case_id, path, clock):
    """Bring the case onto `path` and past the boundary, where its first review waits."""
    if path == "hardship":
        reach_and_classify(place, case_id)
        do(case_id, "plan", place.caseworker, goals="稳定就业", measures="岗位推荐", mentor="李老师",
           planned_on="2026-07-03")
        do(case_id, "approve_plan", place.supervisor, decision="approve")
        do(case_id, "offer_subsidy", place.caseworker, response="received_before")
    elif path == "no_intent":
        reach_and_classify(place, case_id, "no_intent", no_intent_reason="health")
    elif path == "startup":
        _entrepreneur_until_registration(place, case_id, register=False)
    else:
        reach_and_classify(place, case_id)
    assert _boundary_after(place, case_id, clock) == {"designate"}


@pytest.mark.parametrize("path", ["seeker", "hardship", "no_intent", "startup"])
def test_one_person_cannot_do_both_review_levels_on_any_path(place, clock, path):
    hardship = ("minimum_subsidy",) if path == "hardship" else ()
    case_id = place.open(leaving=BEFORE_THE_BOUNDARY, hardship=hardship)
    _to_the_review(place, case_id, path, clock)
    do(case_id, "designate", place.city, decision="approve")  # the city covers the county's first review too
    with pytest.raises(NotAllowed):
        do(case_id, "designate_final", place.city, decision="approve")
    assert case_row(case_id).difficulty_status == DifficultyStatus.CANDIDATE
    do(case_id, "designate_final", place.other_city, decision="approve")
    assert case_row(case_id).difficulty_status == DifficultyStatus.DESIGNATED
    assert "assist" in ready_ids(case_id)


def test_a_graduate_reviewed_on_one_path_is_not_reviewed_again_on_the_next(place, clock):
    case_id = place.open(leaving=BEFORE_THE_BOUNDARY)
    reach_and_classify(place, case_id, "no_intent", no_intent_reason="exam_preparation")
    assert _boundary_after(place, case_id, clock) == {"designate"}
    do(case_id, "reclassify", place.caseworker, status="seeking", startup_intent=False, effective_on="2026-10-04")
    # the services path starts past its own boundary date: its timer fires at once and finds the review raised
    assert [task for task in ready_ids(case_id) if task in REVIEW_TASKS] == ["designate"]
    assert "deliver" in ready_ids(case_id)
    assert len(db.session.scalars(select(EmploymentAssistance)).all()) == 1


def test_a_withdrawn_designation_ends_the_review_without_assistance(place, clock):
    case_id = place.open(leaving=BEFORE_THE_BOUNDARY)
    reach_and_classify(place, case_id)
    advance(clock, DAYS_PAST_THE_BOUNDARY)
    do(case_id, "designate", place.supervisor, decision="approve")
    with pytest.raises(InvalidInput):
        do(case_id, "designate_final", place.city, decision="reject")  # a rejection must say why
    do(case_id, "designate_final", place.city, decision="reject", reason="未满足认定条件")
    do(case_id, "resubmit_designation", place.caseworker, next_step="withdraw")
    assert case_row(case_id).difficulty_status == DifficultyStatus.NONE
    assert not set(ready_ids(case_id)) & REVIEW_TASKS
    advance(clock, 1)
    total = report_total(place)
    assert (total.difficulty_candidates, total.designated, total.assisted) == (1, 0, 0)
