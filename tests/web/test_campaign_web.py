"""The campaign page: supervisors and analysts see the campaigns of their province, supervisors of the province open
one, each region's milestones and reports are shown, and every list is paged."""

from datetime import timedelta

from web_helpers import csrf_token, login, walk

from caseflow.domain.actor import SYSTEM
from caseflow.extensions import db
from caseflow.models import Campaign, ProcessInstance
from caseflow.services import campaign, campaign_board, timers


def _open(client, province="42", cohort="2026"):
    return client.post("/campaigns/open", data={"province": province, "cohort": cohort,
                                                "csrf_token": csrf_token(client, "/campaigns/")})


def test_an_administrator_opens_a_campaign_and_sees_its_regions(app, client, demo_users):
    login(client, "admin")
    page = client.get("/campaigns/").get_data(as_text=True)
    assert 'action="/campaigns/open"' in page
    response = _open(client, "22")
    assert response.status_code == 303 and "/campaigns/" in response.location
    shown = client.get(response.location).get_data(as_text=True)
    assert 'id="region-220102"' in shown and 'id="region-2201"' in shown and "2026-07-10" in shown
    again = _open(client, "22")
    assert again.status_code == 303
    assert "flash-warning" in client.get("/campaigns/").get_data(as_text=True)
    assert _open(client, "22", "").status_code == 303  # no cohort: refused with a message, nothing opened
    assert "flash-warning" in client.get("/campaigns/").get_data(as_text=True)
    assert _open(client, "22", "1850").status_code == 400
    with app.app_context():
        assert db.session.query(Campaign).count() == 1


def test_a_county_supervisor_sees_their_county_but_no_open_button_and_cannot_open(app, client, demo_users):
    with app.app_context():
        campaign.open_campaign("42", 2026, actor=SYSTEM)
    login(client, "jiangan_sup")
    page = client.get("/campaigns/").get_data(as_text=True)
    assert "/campaigns/open" not in page  # only the province's staff are offered it; the service refuses the others
    assert _open(client, "42", "2027").status_code == 303
    with app.app_context():
        assert db.session.query(Campaign).count() == 1
    campaign_id = client.get("/campaigns/").get_data(as_text=True).split('id="campaign-')[1].split('"')[0]
    shown = client.get(f"/campaigns/{campaign_id}").get_data(as_text=True)
    assert 'id="region-420102"' in shown and 'id="region-420106"' not in shown and 'id="region-4201"' not in shown


def test_caseworkers_do_not_see_the_campaign(app, client, demo_users):
    login(client, "jiangan_cw1")
    assert "/campaigns/" not in client.get("/inbox").get_data(as_text=True)
    assert client.get("/campaigns/").status_code == 403
    assert _open(client).status_code in (400, 403)


def test_the_lists_are_paged(app, client, demo_users, monkeypatch, clock):
    monkeypatch.setattr(campaign_board, "PAGE_SIZE", 2)
    with app.app_context():
        for cohort in (2024, 2025):  # earlier cohorts' rows; their processes are not needed here
            db.session.add(Campaign(province="42", cohort=cohort, opened_at=clock.now(), opened_by="admin",
                                    calendar=campaign.stored_calendar(campaign.calendar_for("42", cohort))))
        db.session.commit()
        campaign.open_campaign("42", 2026, actor=SYSTEM)
        regions = db.session.query(ProcessInstance).filter(ProcessInstance.correlation_key == "campaign:42:2026",
                                                           ProcessInstance.region_code.startswith("4201")).count()
        newest = db.session.query(Campaign).filter_by(cohort=2026).one().id
    login(client, "jilin_analyst")
    assert 'id="campaign-' not in client.get("/campaigns/").get_data(as_text=True)  # none of Hubei's for Jilin
    login(client, "wuhan_sup")
    rows, pages = walk(client, "/campaigns/")
    assert (len(rows), pages) == (3, 2)
    monkeypatch.setattr(campaign_board, "PAGE_SIZE", 5)  # Wuhan's counties on three pages: each page is linked
    rows, pages = walk(client, f"/campaigns/{newest}")
    assert len(rows) == regions and pages == -(-regions // 5) > 1  # Wuhan and its counties, not the province


def test_the_year_end_review_list_is_shown_to_the_county(app, client, demo_users, clock):
    with app.app_context():
        opened = campaign.open_campaign("42", 2025, actor=SYSTEM)
        clock.advance(timedelta(days=1))
        timers.sweep()
        campaign_id = opened.id
    login(client, "jiangan_sup")
    page = client.get(f"/campaigns/{campaign_id}/year-end?county=420102")
    assert page.status_code == 200
    assert client.get(f"/campaigns/{campaign_id}/year-end?county=420106").status_code == 403


def test_a_submitted_report_is_shown_as_frozen_with_its_history(app, client, demo_users, clock):
    from datetime import UTC, datetime

    from sqlalchemy import select

    from caseflow.domain.actor import Actor
    from caseflow.domain.enums import Role
    from caseflow.models import HumanTask, ReportSubmission
    from caseflow.services import instances

    with app.app_context():
        campaign.open_campaign("42", 2026, actor=SYSTEM)
        clock.advance(datetime(2026, 8, 22, 2, tzinfo=UTC) - clock.now())
        timers.sweep()
        task = db.session.scalars(select(HumanTask).where(HumanTask.region_code == "420102",
                                                          HumanTask.bpmn_id == "submit_report")).one()
        instances.complete_task(task.id, actor=Actor("jiangan_sup", frozenset({Role.SUPERVISOR}), "420102"),
                                data={"comment": "八月月报"})
        submission_id = db.session.scalar(select(ReportSubmission.id))
    login(client, "wuhan_sup")
    page = client.get(f"/campaigns/submissions/{submission_id}").get_data(as_text=True)
    assert "八月月报" in page and f'id="submission-{submission_id}"' in page and "创业培训补贴（元）" in page
    login(client, "wuchang_sup")
    assert client.get(f"/campaigns/submissions/{submission_id}").status_code == 404
