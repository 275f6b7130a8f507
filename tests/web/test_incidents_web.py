"""Incidents in the browser: the workflow console and the supervisor console show them in the region, and an
administrator retries a halted case after the fix."""

from datetime import timedelta

import pytest
from helpers import deploy_flaky, only_ready_task, waiting_on_flaky_timer
from web_helpers import csrf_token, login, walk

from caseflow.extensions import db
from caseflow.models import Incident
from caseflow.services import timers


@pytest.fixture
def halted(app, clock, demo_users, monkeypatch):
    """A flaky case in 南关区 whose timer failed: halted, with an open incident."""
    with app.app_context():
        state = deploy_flaky(monkeypatch)
        instance_id = waiting_on_flaky_timer("220102")
        clock.advance(timedelta(days=2))
        timers.sweep()
        incident_id = db.session.query(Incident.id).scalar()
    return {"state": state, "instance": instance_id, "incident": incident_id}


def test_the_supervisor_sees_the_incident_and_the_administrator_retries_it(app, client, halted):
    login(client, "nanguan_sup")
    client.get("/lang/en")
    console = client.get("/supervision/").get_data(as_text=True)
    assert f'id="incident-{halted["incident"]}"' in console and "notification service is down" in console
    assert "/retry" not in console  # supervisors see, administrators act
    assert client.post(f"/incidents/{halted['incident']}/retry",
                       data={"csrf_token": csrf_token(client, "/incidents")}).status_code == 403
    login(client, "kuancheng_sup")
    assert f'id="incident-{halted["incident"]}"' not in client.get("/incidents").get_data(as_text=True)
    login(client, "admin")
    client.get("/lang/en")
    page = client.get("/console").get_data(as_text=True)
    assert f'id="incident-{halted["incident"]}"' in page and "Retry" in page
    token = csrf_token(client, "/incidents")
    again = client.post(f"/incidents/{halted['incident']}/retry", data={"csrf_token": token}, follow_redirects=True)
    assert "failed again" in again.get_data(as_text=True)
    halted["state"]["broken"] = False
    done = client.post(f"/incidents/{halted['incident']}/retry", data={"csrf_token": token}, follow_redirects=True)
    assert "went through" in done.get_data(as_text=True)
    with app.app_context():
        assert only_ready_task(halted["instance"]).bpmn_id == "follow_up"
    resolved = client.get("/incidents?resolved=1").get_data(as_text=True)
    assert f'id="incident-{halted["incident"]}"' in resolved and "Retried" in resolved


def test_the_incident_list_pages_through_every_incident(app, client, clock, demo_users, monkeypatch):
    with app.app_context():
        deploy_flaky(monkeypatch)
        for _ in range(53):
            waiting_on_flaky_timer("220102")
        clock.advance(timedelta(days=2))
        assert len(timers.sweep().errors) == 53
    login(client, "admin")
    seen, pages = walk(client, "/incidents")
    assert (len(seen), pages) == (53, 2)
    halted, pages = walk(client, "/console?status=error", table="instances")
    assert (len(halted), pages) == (53, 2)
