"""The supervisor console's lists: stalled and at-risk cases, workload and approvals, region-scoped."""

from datetime import date, timedelta

import pytest
from supervision_helpers import REACHED, actor, do, open_in, owner

from caseflow.domain.enums import StalledRule
from caseflow.errors import NotAllowed
from caseflow.services import supervision, timers
from caseflow.services.supervision import CaseFilter

PLAN = {"goals": "稳定就业", "measures": "推荐岗位", "mentor": "李老师", "planned_on": "2026-07-01"}


def listed(username: str, rule: StalledRule) -> set[int]:
    return set(supervision.list_cases(actor(username), CaseFilter(rule=rule)).case_ids)


def seeker(county: str = "220102", **extra) -> int:
    case_id = open_in(county, **extra)[0]
    name = owner(case_id)
    do(case_id, "attempt", name, **REACHED)
    do(case_id, "classify", name, status="seeking", startup_intent=False, effective_on="2026-07-01")
    return case_id


def test_stalled_lists_follow_their_rules_over_time(app, staff, clock):
    untouched = open_in("220102")[0]
    seeking = seeker()
    hardship = seeker(hardship=("minimum_subsidy",))
    planned = seeker(hardship=("minimum_subsidy",))
    do(planned, "plan", owner(planned), **PLAN)
    do(planned, "approve_plan", "nanguan_sup", decision="approve")
    do(planned, "offer_subsidy", owner(planned), response="declined")
    boundary = open_in("220102", leaving=date(2024, 8, 15))[0]  # two years after leaving: 2026-08-15
    assert listed("nanguan_sup", StalledRule.HARDSHIP_WITHOUT_PLAN) == {hardship}
    assert listed("nanguan_sup", StalledRule.NEARING_TWO_YEARS) == {boundary}
    for rule in (StalledRule.FIRST_CONTACT_OVERDUE, StalledRule.OVERDUE_TASKS, StalledRule.NO_ACTIVITY,
                 StalledRule.PACKAGE_OVERDUE, StalledRule.FOLLOW_UP_MISSED, StalledRule.ESCALATED):
        assert listed("nanguan_sup", rule) == set(), rule

    clock.advance(timedelta(days=31))  # 1 August: first contacts and packages past due, a new month
    timers.sweep()
    assert {untouched, boundary} <= listed("nanguan_sup", StalledRule.FIRST_CONTACT_OVERDUE)
    assert seeking not in listed("nanguan_sup", StalledRule.FIRST_CONTACT_OVERDUE)
    assert untouched in listed("nanguan_sup", StalledRule.OVERDUE_TASKS) & listed("nanguan_sup",
                                                                                 StalledRule.NO_ACTIVITY)
    assert seeking in listed("nanguan_sup", StalledRule.PACKAGE_OVERDUE)
    assert seeking in listed("nanguan_sup", StalledRule.ESCALATED)  # the package deadline's supervisor task
    assert {seeking, hardship, planned} <= listed("nanguan_sup", StalledRule.FOLLOW_UP_MISSED)
    counts = supervision.stalled_counts(actor("nanguan_sup"))
    assert counts[StalledRule.HARDSHIP_WITHOUT_PLAN] == 1 and counts[StalledRule.ESCALATED] == 2  # + planned


def test_a_county_supervisor_sees_only_the_county_and_the_city_supervisor_both(app, staff, clock):
    a, b = open_in("220102")[0], open_in("220103")[0]
    clock.advance(timedelta(days=31))
    assert listed("nanguan_sup", StalledRule.FIRST_CONTACT_OVERDUE) == {a}
    assert listed("kuancheng_sup", StalledRule.FIRST_CONTACT_OVERDUE) == {b}
    assert listed("changchun_sup", StalledRule.FIRST_CONTACT_OVERDUE) == {a, b}
    assert [row.username for row in supervision.workload(actor("kuancheng_sup"))] == ["kuancheng_cw1"]
    assert len(supervision.workload(actor("changchun_sup"))) == 3
    with pytest.raises(NotAllowed):
        supervision.stalled_counts(actor("nanguan_cw1"))


def test_workload_counts_open_cases_tasks_by_deadline_and_cases_closed_this_month(app, staff, clock):
    ids = open_in("220102", 4)
    rows = {row.username: row for row in supervision.workload(actor("nanguan_sup"))}
    assert (rows["nanguan_cw1"].open_cases, rows["nanguan_cw2"].open_cases) == (2, 2)
    assert rows["nanguan_cw1"].on_track == 2 and rows["nanguan_cw1"].overdue == 0
    closing = next(case_id for case_id in ids if owner(case_id) == "nanguan_cw1")
    do(closing, "attempt", "nanguan_cw1", **REACHED)
    do(closing, "classify", "nanguan_cw1", status="employed", employer="一汽", placement_kind="contract_job",
       verified_how="labour_contract",
       startup_intent=False, effective_on="2026-07-01")
    do(closing, "verify", "nanguan_cw1", closure_reason="contract_job", verified_how="劳动合同", closed_on="2026-07-01")
    do(closing, "approve_closure", "nanguan_sup", decision="approve")
    clock.advance(timedelta(days=29))  # 30 July: the first-contact tasks (30 days) are due in two working days
    rows = {row.username: row for row in supervision.workload(actor("nanguan_sup"))}
    assert (rows["nanguan_cw1"].open_cases, rows["nanguan_cw1"].closed_this_month) == (1, 1)
    assert (rows["nanguan_cw1"].due_soon, rows["nanguan_cw2"].due_soon) == (1, 2)
    clock.advance(timedelta(days=2))
    rows = {row.username: row for row in supervision.workload(actor("nanguan_sup"))}
    assert (rows["nanguan_cw2"].overdue, rows["nanguan_cw1"].closed_this_month) == (2, 0)  # August now
    drill = supervision.list_cases(actor("nanguan_sup"), CaseFilter(caseworker_id=staff["nanguan_cw2"].id))
    assert drill.total == 2
    tasks = supervision.list_caseworker_tasks(staff["nanguan_cw2"].id, actor("nanguan_sup"), overdue_only=True)
    assert [badge for _, _, badge in tasks.rows] == ["overdue", "overdue"]


def test_approvals_list_the_regions_supervisor_tasks_by_kind(app, staff):
    case_id = open_in("220102")[0]
    for channel in ("phone", "sms", "phone"):
        do(case_id, "attempt", "nanguan_cw1", channel=channel, outcome="no_answer", contacted_on="2026-07-01")
    hardship = seeker(hardship=("minimum_subsidy",))
    do(hardship, "plan", owner(hardship), **PLAN)
    kinds = {bpmn_id: count for bpmn_id, _, count, _ in supervision.approval_counts(actor("nanguan_sup"))}
    assert kinds == {"approve_unreachable": 1, "approve_plan": 1}
    unreachable = supervision.list_approvals(actor("nanguan_sup"), kind="approve_unreachable")
    assert [row.task.case_id for row in unreachable.rows] == [case_id]
    assert supervision.approval_counts(actor("kuancheng_sup")) == []
    assert supervision.list_approvals(actor("changchun_sup")).total == 2
