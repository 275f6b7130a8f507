"""The entrepreneurship training subsidy by course type (seed 004 §(三)): the decision table gives 300 / 1,200 /
1,500 yuan, the grant is recorded with the training, and the indicators (and so the monthly reports) count it."""

from datetime import date, timedelta

import pytest
from helpers import valid_id
from journey_helpers import CW_A, do, graduate, open_case, ready_ids
from sqlalchemy import select

from caseflow.domain.actor import Actor
from caseflow.domain.enums import Role, SubsidyKind
from caseflow.extensions import db
from caseflow.models import SubsidyGrant
from caseflow.services.reports import indicators

MENTOR_A = Actor("mentor_a", frozenset({Role.MENTOR}), "220102")
SV_A = Actor("sv_a", frozenset({Role.SUPERVISOR}), "220102")


def _trained(id_number: str, course: str) -> int:
    case_id = open_case(graduate(id_number))
    do(case_id, "attempt", CW_A, channel="phone", outcome="reached", contacted_on="2026-07-01")
    do(case_id, "classify", CW_A, status="seeking", startup_intent=True, effective_on="2026-07-01")
    do(case_id, "training", MENTOR_A, course=course, completed_on="2026-07-01")
    assert "guidance" in ready_ids(case_id)
    return case_id


@pytest.mark.parametrize(("course", "amount"), [("gyb", 300), ("syb", 1200), ("online", 1500), ("iyb", None)])
def test_the_course_type_decides_the_subsidy(province, clock, course, amount):
    case_id = _trained(valid_id("22010220030101123"), course)
    grants = db.session.scalars(select(SubsidyGrant).where(SubsidyGrant.case_id == case_id,
                                                           SubsidyGrant.kind == SubsidyKind.TRAINING)).all()
    assert [grant.amount for grant in grants] == ([amount] if amount else [])


def test_the_report_counts_training_subsidies(province, clock):
    _trained(valid_id("22010220030101123"), "syb")
    _trained(valid_id("22010220030101131"), "online")
    clock.advance(timedelta(hours=1))
    total = indicators(SV_A, region="220102", on=date(2026, 7, 1)).total
    assert (total.training_subsidies, total.training_subsidy_amount) == (2, 2700)
    before = indicators(SV_A, region="220102", on=date(2026, 6, 30)).total
    assert (before.training_subsidies, before.training_subsidy_amount) == (0, 0)
