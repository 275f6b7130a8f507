"""Cohort simulation (services.simulation): a hand-computed small cohort run through the real journey in a scratch
database, checked indicator by indicator; a draft with another follow-up timer gives other figures for the same
people; a designer's run is queued, run by the background job and stored, and nothing else reaches this
installation's database."""

from pathlib import Path

import pytest
from helpers import graduate, valid_id
from sqlalchemy import func, select

from caseflow.domain.actor import Actor
from caseflow.domain.enums import Role
from caseflow.errors import InvalidInput, NotAllowed, NotFound
from caseflow.extensions import db
from caseflow.models import Case, Graduate, HumanTask, ProcessInstance, SimulationRun
from caseflow.services import designer, simulation
from caseflow.services.simulation import Behaviour, Cohort

WORKFLOWS = Path(__file__).resolve().parents[2] / "workflows" / "bpmn"
DESIGNER = Actor("jilin_designer", frozenset({Role.DESIGNER}), "22")
OTHER_DESIGNER = Actor("hubei_designer", frozenset({Role.DESIGNER}), "42")
# A follow-up timer of one day instead of the month's end: a visit not made the day it falls due is missed.
MONTH_OVER = '<bpmn:timeDate>visit["until"]</bpmn:timeDate>'
ONE_DAY = '<bpmn:timeDuration>"P1D"</bpmn:timeDuration>'

# Four graduates of 南关区 (one caseworker there), handed over on 1 July 2026 (day 0), run for July-September:
#   A: reached on day 1 (2 July), classified seeking on 3 July, the six 1311 services on 4, 7, 10, 13, 16, 19 July,
#      every monthly visit made (4 July, the day after classification; then 3 August, 3 September), never placed.
#   B: as A, but the visit of 3 September (day 64 >= 40) finds B employed: the placement closes the case
#      (verify on 4 September, the supervisor's approval on 5 September).
#   C: reached and classified like A, takes only guidance (4 July) and a referral (7 July): the package stays
#      incomplete; the August visit is missed, the September one made.
#   D: reached on day 3 (4 July), classified employed on 5 July, the closure verified on 6 July.
PROFILES = {
    "A": Behaviour(contact_day=1),
    "B": Behaviour(contact_day=1, placed_after_days=40),
    "C": Behaviour(contact_day=1, services=("career_guidance", "job_referral"), missed_visits=frozenset({2})),
    "D": Behaviour(contact_day=3, status="employed"),
}


def _cohort() -> Cohort:
    people = [graduate(valid_id(f"22010220030101{n:03d}"), name=f"学生{n}") for n in range(1, 5)]
    return Cohort("22", people, list(PROFILES.values()), caseworkers=1)


def _files() -> dict[str, str]:
    return simulation.journey_files()[1]


def test_a_hand_computed_cohort_gives_the_figures_computed_by_hand(app):
    figures = simulation.run_one(_cohort(), _files(), 3)
    months = {m["month"]: m for m in figures.months}
    assert list(months) == ["2026-07", "2026-08", "2026-09"]
    # caseworker tasks completed each month (one caseworker, so also tasks per caseworker):
    #   July: A 9 (attempt, classify, 6 services, visit) + B 9 + C 5 (attempt, classify, 2 services, visit)
    #         + D 3 (attempt, classify, verify) = 26
    #   August: A 1 visit + B 1 visit + C 0 (missed) = 2
    #   September: A 1 visit + B 2 (the visit, verify) + C 1 visit = 4
    assert [months[m]["tasks"] for m in months] == [26, 2, 4]
    assert [months[m]["caseworkers"] for m in months] == [1, 1, 1]
    assert [months[m]["tasks_per_caseworker"] for m in months] == [26.0, 2.0, 4.0]
    # visits: July A, B, C made; August A, B made and C missed; September A, B, C made
    assert [(months[m]["visits_made"], months[m]["visits_missed"]) for m in months] == [(3, 0), (2, 1), (3, 0)]
    # seeking at each month's end: A, B, C until B is placed in September; package complete among them: A and B,
    # then A alone; ever seeking A, B, C; helped into employment: B, in September
    assert [months[m]["seeking"] for m in months] == [3, 3, 2]
    assert [months[m]["package_complete"] for m in months] == [2, 2, 1]
    assert [months[m]["ever_seeking"] for m in months] == [3, 3, 3]
    assert [months[m]["helped"] for m in months] == [0, 0, 1]
    assert [months[m]["handed_over"] for m in months] == [4, 4, 4]
    summary = figures.summary
    # tasks 26 + 2 + 4 = 32 over 3 months and 1 caseworker: 10.67 a month
    assert summary["tasks"] == 32 and summary["tasks_per_caseworker_month"] == 10.6667
    # the package: A complete of A and C seeking at the end: 1 / 2
    assert (summary["package_complete"], summary["seeking"], summary["package_rate"]) == (1, 2, 0.5)
    # follow-up: 3 + 2 + 3 = 8 visits made of 8 + 1 missed = 9 due: 0.8889
    assert (summary["visits_made"], summary["visits_due"], summary["follow_up_rate"]) == (8, 9, 0.8889)
    # help into employment: B of A, B, C: 1 / 3
    assert (summary["helped"], summary["ever_seeking"], summary["help_rate"]) == (1, 3, 0.3333)
    # the two-year boundary (30 June 2028) lies after the run: nobody reached it; A and C, open and not placed
    # at its end, would reach it unless placed first; B and D are closed
    assert summary["boundary_reached"] == 0
    assert summary["open_unplaced_at_end"] == 2 and summary["open_cases"] == 2
    assert figures.refused == {}


def test_a_draft_with_another_follow_up_timer_gives_other_figures_for_the_same_people(app):
    current = _files()
    visit = (WORKFLOWS / "monthly_visit.bpmn").read_text()
    assert MONTH_OVER in visit
    draft = simulation.draft_journey(current, "monthly_visit",
                                     {"monthly_visit.bpmn": visit.replace(MONTH_OVER, ONE_DAY)})
    results = simulation.compare(_cohort(), current, draft, 2)
    before, after = results["current"]["summary"], results["draft"]["summary"]
    assert before["ever_seeking"] == after["ever_seeking"] == 3  # the same people, classified the same
    # the current version: July A, B, C made; August A, B made, C missed: 5 of 6
    assert (before["visits_made"], before["visits_due"]) == (5, 6)
    # the draft: the July visits of A, B and C (made the day after they fall due) were missed the day before;
    # in August A and B are visited the day their visit falls due, C's is missed: 2 made of 2 + 4 = 6 due
    assert (after["visits_made"], after["visits_due"]) == (2, 6)
    assert (before["follow_up_rate"], after["follow_up_rate"]) == (0.8333, 0.3333)
    # and the caseworker does 3 visits fewer: July 26 - 3 = 23, August 2
    assert (before["tasks"], after["tasks"]) == (28, 25)


def test_a_process_outside_the_journey_cannot_be_simulated(app):
    with pytest.raises(InvalidInput):
        simulation.draft_journey(_files(), "campaign", {})


def test_a_designers_run_is_queued_run_in_the_background_and_stored_alone(app):
    visit = (WORKFLOWS / "monthly_visit.bpmn").read_text()
    designer.save_draft("monthly_visit", "monthly_visit.bpmn", visit.replace(MONTH_OVER, ONE_DAY), actor=DESIGNER)
    with pytest.raises(InvalidInput):
        simulation.request_run("monthly_visit", {"graduates": 0}, actor=DESIGNER)
    with pytest.raises(InvalidInput):
        simulation.request_run("monthly_visit", {"months": "many"}, actor=DESIGNER)
    with pytest.raises(InvalidInput):
        simulation.request_run("campaign", {}, actor=DESIGNER)  # not part of the journey
    with pytest.raises(NotAllowed):
        simulation.request_run("monthly_visit", {}, actor=Actor("cw", frozenset({Role.CASEWORKER}), "220102"))
    assert db.session.scalar(select(func.count()).select_from(SimulationRun)) == 0
    run = simulation.request_run("monthly_visit", {"graduates": 4, "months": 1, "seed": 5, "caseworkers": 1,
                                                   "profiles": [p.as_dict() for p in PROFILES.values()]},
                                 actor=DESIGNER)
    assert run.state == simulation.QUEUED and run.draft_files
    with pytest.raises(NotFound):
        simulation.get_run(run.id, actor=OTHER_DESIGNER)  # another designer's runs do not exist for them
    assert simulation.run_pending() == 1
    db.session.expire_all()
    done = simulation.get_run(run.id, actor=DESIGNER)
    assert done.state == simulation.DONE and done.progress == 100 and done.error is None
    assert done.results["current"]["summary"]["visits_due"] >= 1
    assert done.results["current"]["summary"] != done.results["draft"]["summary"]
    # nothing of the scratch databases reached this one
    for model in (Case, Graduate, HumanTask, ProcessInstance):
        assert db.session.scalar(select(func.count()).select_from(model)) == 0
    assert db.session.scalar(select(func.count()).select_from(SimulationRun)) == 1
