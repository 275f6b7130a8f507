"""Transfers anywhere in the country and graduates from outside the installation's provinces, driven through the
service layer on the simulated clock (every engine step restored cold, as the suite does)."""

import pytest
from journey_helpers import CW_A, CW_B, CW_H, SV_A, SV_B, SV_H, advance, case_row, do, graduate, open_case, ready
from sqlalchemy import select

from caseflow.domain.actor import SYSTEM, Actor
from caseflow.domain.enums import CaseStatus, RegionLevel, Role, StalledRule, TransferStatus
from caseflow.errors import Conflict, InvalidInput, NotFound, OutOfRegion
from caseflow.extensions import db
from caseflow.models import Case, CaseStint, Region, Transfer
from caseflow.services import case_view, cases, supervision, transfers
from caseflow.tasks.package import package_status_of

SV_CITY = Actor("sv_city", frozenset({Role.SUPERVISOR}), "2201")
SV_WUHAN = Actor("sv_wuhan", frozenset({Role.SUPERVISOR}), "4201")
SV_HUBEI = Actor("sv_hubei", frozenset({Role.SUPERVISOR}), "42")
ADMIN = Actor("admin", frozenset({Role.ADMIN}), "22")
REACHED = {"channel": "phone", "outcome": "reached", "contacted_on": "2026-07-01"}


def task_ids(case_id):
    return sorted(task.bpmn_id for task in ready(case_id))


def task(case_id, bpmn_id):
    return next(t for t in ready(case_id) if t.bpmn_id == bpmn_id)


def transfer_row(case_id) -> Transfer:
    db.session.expire_all()
    return db.session.scalars(select(Transfer).where(Transfer.case_id == case_id).order_by(Transfer.id.desc())).first()


def stints(case_id) -> list[tuple]:
    db.session.expire_all()
    return [(s.region_code, s.profile, s.ended_at is None) for s in db.session.scalars(
        select(CaseStint).where(CaseStint.case_id == case_id).order_by(CaseStint.id))]


def seeking(case_id, actor):
    do(case_id, "attempt", actor, **REACHED)
    do(case_id, "classify", actor, status="seeking", startup_intent=False, effective_on="2026-07-01")


def deliver(case_id, actor, kind):
    do(case_id, "deliver", actor, kind=kind, response="accepted", delivered_on="2026-07-02")


def move(case_id, to_county, requester, approver, acceptor):
    transfers.request_transfer(case_id, to_county=to_county, reason="迁居", actor=requester)
    do(case_id, "transfer_approve", approver, decision="approve")
    do(case_id, "transfer_accept", acceptor, decision="approve")


def test_the_origin_supervisor_approves_before_the_receiving_county_sees_the_request(province, clock):
    case_id = open_case(graduate())
    transfers.request_transfer(case_id, to_county="220103", reason="已迁居宽城区", actor=CW_A)
    approve = task(case_id, "transfer_approve")
    assert (approve.region_code, approve.lane) == ("220102", "supervisor")
    assert "transfer_accept" not in task_ids(case_id)
    with pytest.raises(Conflict):  # one request at a time
        transfers.request_transfer(case_id, to_county="420102", reason=None, actor=CW_A)
    do(case_id, "transfer_approve", SV_A, decision="approve")
    assert transfer_row(case_id).status == TransferStatus.APPROVED and transfer_row(case_id).approved_by == "sv_a"
    assert task(case_id, "transfer_accept").region_code == "220103"
    do(case_id, "transfer_accept", SV_B, decision="approve")
    assert (case_row(case_id).county_code, transfer_row(case_id).status) == ("220103", TransferStatus.ACCEPTED)
    do(case_id, "attempt", CW_B, **REACHED)


def test_a_transfer_the_origin_supervisor_rejects_never_leaves(province, clock):
    case_id = open_case(graduate())
    transfers.request_transfer(case_id, to_county="220103", reason=None, actor=CW_A)
    do(case_id, "transfer_approve", SV_A, decision="reject", reason="尚未核实新住址")
    assert transfer_row(case_id).status == TransferStatus.REJECTED
    assert task_ids(case_id) == ["attempt"] and case_row(case_id).county_code == "220102"
    assert stints(case_id) == [("220102", "jilin_1311", True)]


def test_the_destination_may_be_any_county_of_the_national_list_but_only_a_county(province, clock):
    case_id = open_case(graduate())
    for code in ("2201", "999999", "420102001"):
        with pytest.raises(InvalidInput):
            transfers.request_transfer(case_id, to_county=code, reason=None, actor=CW_A)
    db.session.add(Region(code="11", name="北京市", level=RegionLevel.PROVINCE))
    db.session.add(Region(code="1101", name="市辖区", level=RegionLevel.CITY, parent_code="11"))
    db.session.add(Region(code="110105", name="朝阳区", level=RegionLevel.COUNTY, parent_code="1101"))
    db.session.commit()
    transfers.request_transfer(case_id, to_county="110105", reason="赴京求职", actor=CW_A)
    do(case_id, "transfer_approve", SV_A, decision="approve")
    assert task(case_id, "transfer_accept").region_code == "110105"


@pytest.mark.parametrize("days", [14, 5])
def test_an_unanswered_transfer_goes_up_the_receiving_supervisor_chain_and_is_stalled_at_the_origin(
        province, clock, app, days):
    if days != 14:
        app.config["CASEFLOW_TRANSFER_ESCALATION_DAYS"] = days
    case_id = open_case(graduate())
    transfers.request_transfer(case_id, to_county="420102", reason="回湖北就业", actor=CW_A)
    do(case_id, "transfer_approve", SV_A, decision="approve")
    stalled = supervision.CaseFilter(rule=StalledRule.ESCALATED)
    advance(clock, days - 1)
    assert "transfer_accept" in task_ids(case_id)
    assert supervision.list_cases(SV_A, stalled).total == 0
    advance(clock, 2)
    escalated = task(case_id, "transfer_accept_escalated")
    assert escalated.region_code == "4201" and "transfer_accept" not in task_ids(case_id)
    assert supervision.list_cases(SV_A, stalled).case_ids == [case_id]  # on the origin's stalled list
    assert StalledRule.ESCALATED in supervision.stalled_counts(SV_A) and \
        supervision.stalled_counts(SV_A)[StalledRule.ESCALATED] == 1
    advance(clock, days + 1)
    assert task(case_id, "transfer_accept_escalated").region_code == "42"  # then the province
    with pytest.raises(OutOfRegion):
        do(case_id, "transfer_accept_escalated", SV_WUHAN, decision="approve")
    do(case_id, "transfer_accept_escalated", SV_HUBEI, decision="approve")
    row = case_row(case_id)
    assert (row.county_code, row.profile, row.caseworker_id is not None) == ("420102", "hubei", True)
    assert task(case_id, "attempt").assignee == "cw_h"


def test_a_case_transferred_into_hubei_takes_the_hubei_profile_for_what_is_still_owed(province, clock):
    case_id = open_case(graduate())
    seeking(case_id, CW_A)
    deliver(case_id, CW_A, "career_guidance")
    for _ in range(3):
        deliver(case_id, CW_A, "job_referral")
    deliver(case_id, CW_A, "training_offer")
    assert package_status_of(case_row(case_id)).owed() == {"internship": 1}  # Jilin 1311 still wants one
    move(case_id, "420102", CW_A, SV_A, SV_H)
    row = case_row(case_id)
    assert (row.profile, row.package_requirement["required_training_or_internship"]) == ("hubei", 1)
    assert package_status_of(row).complete  # the training already counts toward Hubei's "training or internship"
    assert stints(case_id) == [("220102", "jilin_1311", False), ("420102", "hubei", True)]
    deliver(case_id, CW_H, "policy_briefing")  # the next account of the package sees it complete
    assert "deliver" not in task_ids(case_id)
    assert case_row(case_id).package_requirement["required_internship"] == 0


def test_a_case_transferred_into_jilin_takes_the_jilin_profile_for_what_is_still_owed(province, clock):
    case_id = open_case(graduate("420102200301011236", hukou="420102"))
    seeking(case_id, CW_H)
    deliver(case_id, CW_H, "career_guidance")
    move(case_id, "220103", CW_H, SV_H, SV_B)
    row = case_row(case_id)
    assert (row.profile, row.package_requirement["required_internship"]) == ("jilin_1311", 1)
    assert package_status_of(row).owed() == {"referral": 3, "training": 1, "internship": 1}
    deliver(case_id, CW_B, "training_offer")
    assert package_status_of(case_row(case_id)).owed() == {"referral": 3, "internship": 1}
    assert task(case_id, "deliver").assignee == "cw_b"


def test_a_case_transferred_before_classification_is_served_to_the_receiving_profile(province, clock):
    case_id = open_case(graduate())
    move(case_id, "420102", CW_A, SV_A, SV_H)
    assert case_row(case_id).package_requirement is None  # the package has not started
    seeking(case_id, CW_H)
    deliver(case_id, CW_H, "career_guidance")
    assert case_row(case_id).package_requirement["required_training_or_internship"] == 1
    assert package_status_of(case_row(case_id)).owed() == {"referral": 3, "training_or_internship": 1}


def test_a_graduate_from_outside_the_installation_waits_in_the_importing_province_pool(province, clock):
    cases.open_cases([graduate("110105200301011230", hukou="110105")], cohort=2026, actor=SYSTEM, province="42")
    cases.open_cases([graduate("710000200301011235", hukou="710000", residence=None)], cohort=2026, actor=SYSTEM)
    db.session.commit()
    beijing, taiwan = db.session.scalars(select(Case).order_by(Case.id)).all()
    assert (beijing.region_code, beijing.county_code, beijing.outside_area_code) == ("42", None, "110105")
    assert (taiwan.region_code, taiwan.outside_area_code) == ("22", "710000")  # the sole... lowest served province
    hubei_admin = Actor("hubei_admin", frozenset({Role.ADMIN}), "42")
    view = case_view.case_file(beijing.id, actor=hubei_admin)  # visible, never a 404 for everyone
    assert view.case.outside_area_code == "110105"
    assert case_view.case_file(taiwan.id, actor=ADMIN).case.id == taiwan.id
    with pytest.raises((NotFound, OutOfRegion)):
        case_view.case_file(beijing.id, actor=ADMIN)  # Jilin's administrator does not see Hubei's pool
    assert task(beijing.id, "attempt").region_code == "42"


def test_a_pool_case_is_routed_by_a_transfer_approved_in_the_province(province, clock):
    cases.open_cases([graduate("110105200301011230", hukou="110105")], cohort=2026, actor=SYSTEM, province="22")
    db.session.commit()
    case_id = db.session.scalar(select(Case.id))
    province_sv = Actor("sv_jilin", frozenset({Role.SUPERVISOR}), "22")
    transfers.request_transfer(case_id, to_county="220103", reason="实际居住宽城区", actor=province_sv)
    do(case_id, "transfer_approve", province_sv, decision="approve")
    do(case_id, "transfer_accept", SV_B, decision="approve")
    row = case_row(case_id)
    assert (row.region_code, row.outside_area_code, row.status) == ("220103", None, CaseStatus.PENDING_CONTACT)
    assert stints(case_id) == [("22", "jilin_1311", False), ("220103", "jilin_1311", True)]
