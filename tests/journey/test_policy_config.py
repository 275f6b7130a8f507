"""Policy as data: the two-year boundary and the unreachable rule are configuration (caseflow/config.py)."""

import pytest
from journey_helpers import advance, case_row, do, ready_ids
from support_helpers import BEFORE_THE_BOUNDARY, DAYS_PAST_THE_BOUNDARY, PLACE_IDS, PLACES, reach_and_classify

from caseflow.domain.enums import DifficultyStatus


@pytest.fixture(params=PLACES, ids=PLACE_IDS)
def place(request, province):
    return request.param


def test_the_boundary_years_are_configuration(place, clock, app):
    app.config["CASEFLOW_DIFFICULTY_YEARS"] = 3
    case_id = place.open(leaving=BEFORE_THE_BOUNDARY)  # three years after leaving: 2027-09-30
    reach_and_classify(place, case_id)
    advance(clock, DAYS_PAST_THE_BOUNDARY)
    assert "designate" not in ready_ids(case_id)
    assert case_row(case_id).difficulty_status == DifficultyStatus.NONE
    do(case_id, "deliver", place.caseworker, kind="internship_offer", response="accepted", delivered_on="2026-10-04")
    advance(clock, 365)
    assert "designate" in ready_ids(case_id)


def test_the_unreachable_rule_is_configuration(place, clock, app):
    app.config["CASEFLOW_UNREACHABLE_ATTEMPTS"] = 4
    case_id = place.open()
    for channel in ("phone", "sms", "phone"):
        do(case_id, "attempt", place.caseworker, channel=channel, outcome="no_answer", contacted_on="2026-07-01")
    assert ready_ids(case_id) == ["attempt"]  # 3 failures are not yet 4
    do(case_id, "attempt", place.caseworker, channel="home_visit", outcome="no_answer", contacted_on="2026-07-01")
    assert ready_ids(case_id) == ["approve_unreachable"]
