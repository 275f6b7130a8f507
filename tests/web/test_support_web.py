"""The case file shows the support beyond the package: the entrepreneurship section with the startup-subsidy
decision (also in the timeline), employment assistance, and the job-seeking subsidy; the mentor works the
startup training from the browser's task form."""

from datetime import date

import pytest
from sqlalchemy import select
from supervision_helpers import REACHED, do, open_in, owner
from web_helpers import csrf_token, login

from caseflow.extensions import db
from caseflow.models import HumanTask


def english(client):
    client.get("/lang/en")


@pytest.fixture
def entrepreneur(app, demo_users):
    """A 南关区 graduate who left school on 30 June 2026 and wants to start a business, trained by the mentor."""
    with app.app_context():
        case_id = open_in("220102", leaving=date(2026, 6, 30))[0]
        worker = owner(case_id)
        do(case_id, "attempt", worker, **REACHED)
        do(case_id, "classify", worker, status="seeking", startup_intent=True, effective_on="2026-07-01")
        training = db.session.scalars(select(HumanTask.id).where(HumanTask.case_id == case_id,
                                                                 HumanTask.bpmn_id == "training")).one()
    return {"case": case_id, "worker": worker, "training": training}


def test_the_mentor_completes_startup_training_through_the_task_form(app, client, entrepreneur):
    login(client, entrepreneur["worker"])
    path = f"/tasks/{entrepreneur['training']}"
    assert client.post(path, data={"csrf_token": csrf_token(client, path), "course": "syb",
                                   "completed_on": "2026-07-10"}).status_code == 403
    login(client, "nanguan_mentor")
    assert client.get("/inbox?scope=team").status_code == 200
    response = client.post(path, data={"csrf_token": csrf_token(client, path), "course": "syb",
                                       "completed_on": "2026-07-10"})
    assert response.status_code == 303


@pytest.mark.parametrize(("registered_on", "shown"), [("2026-08-01", "eligible"), ("2028-07-01", "refused")])
def test_the_case_file_shows_the_entrepreneurship_record_and_the_subsidy_decision(app, client, entrepreneur,
                                                                                   registered_on, shown):
    case_id, worker = entrepreneur["case"], entrepreneur["worker"]
    with app.app_context():
        do(case_id, "training", "nanguan_mentor", course="syb", completed_on="2026-07-10")
        do(case_id, "guidance", "nanguan_mentor", topic="financing", held_on="2026-07-15")
        do(case_id, "registration", worker, business_name="青禾工作室", registered_on=registered_on,
           first_business=True)
        do(case_id, "loan", worker, requested=True, amount=120000, status="approved")
    login(client, worker)
    english(client)
    html = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert 'id="entrepreneurship"' in html and "青禾工作室" in html and "120,000 yuan" in html
    assert f'data-subsidy="{shown}"' in html
    if shown == "eligible":
        assert "eligible: 5,000 yuan" in html and "registered 1 months after leaving school, within two years" in html
        assert "Startup subsidy: eligible, 5000 yuan" in html  # the timeline
    else:
        assert "registered 24 months after leaving school, more than two years" in html
        assert "Startup subsidy refused" in html
    assert 'data-event="subsidy_decided"' in html


def test_the_case_file_shows_the_jobseeking_subsidy(app, client, demo_users):
    with app.app_context():
        case_id = open_in("220102", hardship=("minimum_subsidy",))[0]
        worker = owner(case_id)
        do(case_id, "attempt", worker, **REACHED)
        do(case_id, "classify", worker, status="seeking", startup_intent=False, effective_on="2026-07-01")
        do(case_id, "plan", worker, goals="稳定就业", measures="岗位推荐", mentor="李老师", planned_on="2026-07-01")
        do(case_id, "approve_plan", "nanguan_sup", decision="approve")
        do(case_id, "offer_subsidy", worker, response="accepted", amount=1500, paid_on="2026-07-02")
    login(client, worker)
    english(client)
    html = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert 'id="subsidies"' in html and 'data-grant="accepted"' in html and "1,500 yuan" in html


def test_the_case_file_shows_employment_assistance(app, client, demo_users, clock):
    from datetime import timedelta

    from caseflow.services import timers

    with app.app_context():
        case_id = open_in("220102", leaving=date(2024, 7, 15))[0]  # two years after leaving: 15 July 2026
        worker = owner(case_id)
        do(case_id, "attempt", worker, **REACHED)
        do(case_id, "classify", worker, status="seeking", startup_intent=False, effective_on="2026-07-01")
        clock.advance(timedelta(days=15))
        timers.sweep()
        do(case_id, "designate", "nanguan_sup", decision="approve")
        do(case_id, "designate_final", "changchun_sup", decision="approve")
        do(case_id, "assist", worker, measure="public_welfare_post", started_on="2026-07-17")
    login(client, worker)
    english(client)
    html = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert 'data-difficulty="assisted"' in html and "in employment assistance" in html
    assert 'id="assistance"' in html and "Public-welfare post" in html and "changchun_sup" in html
