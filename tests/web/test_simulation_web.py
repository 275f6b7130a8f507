"""Cohort simulation over HTTP: the designer's edit page links the form, bad parameters answer 400 naming the field,
a run is queued at once and its page shows the progress, then (after the background job) the current version and
the draft side by side; the list of runs pages; other roles are refused."""

from datetime import UTC, datetime, timedelta

from web_helpers import csrf_token, login, walk

from caseflow.domain.actor import Actor
from caseflow.domain.enums import Role
from caseflow.extensions import db
from caseflow.models import SimulationRun
from caseflow.services import simulation

DESIGNER = Actor("jilin_designer", frozenset({Role.DESIGNER}), "22")


def test_a_designer_starts_a_run_and_sees_both_versions_side_by_side(app, client, demo_users):
    login(client, "jilin_designer")
    edit = client.get("/designer/graduate_journey").get_data(as_text=True)
    assert "/designer/graduate_journey/simulate" in edit
    token = csrf_token(client, "/designer/graduate_journey/simulate")
    for bad, field in (({"graduates": "abc"}, "graduates"), ({"months": "99"}, "months"),
                       ({"caseworkers": "0"}, "caseworkers")):
        form = {"graduates": "2", "months": "1", "seed": "3", "caseworkers": "1", **bad, "csrf_token": token}
        refused = client.post("/designer/graduate_journey/simulate", data=form)
        assert refused.status_code == 400 and field in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(SimulationRun).count() == 0  # nothing half-made
    started = client.post("/designer/graduate_journey/simulate", data={
        "graduates": "2", "months": "1", "seed": "3", "caseworkers": "1", "csrf_token": token})
    assert started.status_code == 303
    page_url = started.headers["Location"]
    waiting = client.get(page_url).get_data(as_text=True)
    assert "simulation-progress" in waiting and "simulation-results" not in waiting
    run_id = int(page_url.rstrip("/").rsplit("/", 1)[1])
    assert client.get(f"/designer/simulations/{run_id}/progress.json").get_json()["working"] is True
    with app.app_context():
        assert simulation.run_pending() == 1
    done = client.get(page_url).get_data(as_text=True)
    assert "simulation-results" in done and "simulation-months" in done and 'data-month="2026-07"' in done
    assert client.get(f"/designer/simulations/{run_id}/progress.json").get_json() == {
        "id": run_id, "state": "done", "progress": 100, "working": False}
    assert client.get("/designer/simulations/99999").status_code == 404


def test_the_list_of_runs_pages_and_other_roles_are_refused(app, client, demo_users):
    with app.app_context():
        now = datetime(2026, 7, 1, tzinfo=UTC)
        for n in range(55):
            db.session.add(SimulationRun(process_id="graduate_journey", requested_by="jilin_designer",
                                         requested_at=now, parameters={**simulation.DEFAULTS, "seed": n},
                                         state=simulation.DONE, progress=100))
        db.session.commit()
    login(client, "jilin_designer")
    seen, pages = walk(client, "/designer/simulations")
    assert pages == 2 and len(seen) == 55
    login(client, "nanguan_cw1")
    assert client.get("/designer/simulations").status_code == 403
    assert client.get("/designer/graduate_journey/simulate").status_code == 403


def test_an_interrupted_run_is_shown_so_and_run_again_on_request(app, client, demo_users, clock):
    with app.app_context():
        run = SimulationRun(process_id="graduate_journey", requested_by="jilin_designer", requested_at=clock.now(),
                            parameters=dict(simulation.DEFAULTS), state=simulation.RUNNING, progress=40,
                            heartbeat_at=clock.now() - timedelta(hours=1))
        fresh = SimulationRun(process_id="graduate_journey", requested_by="jilin_designer", requested_at=clock.now(),
                              parameters=dict(simulation.DEFAULTS), state=simulation.RUNNING, progress=10,
                              heartbeat_at=clock.now())
        db.session.add_all([run, fresh])
        db.session.commit()
        stopped, running = run.id, fresh.id
    login(client, "jilin_designer")
    page = client.get(f"/designer/simulations/{stopped}").get_data(as_text=True)
    assert "中断" in page and "simulation-retry" in page and "simulation-progress" not in page
    assert client.get(f"/designer/simulations/{stopped}/progress.json").get_json()["working"] is False
    token = csrf_token(client, f"/designer/simulations/{stopped}")
    refused = client.post(f"/designer/simulations/{running}/retry", data={"csrf_token": token})
    assert refused.status_code == 409  # still running: not run twice at once
    assert client.post(f"/designer/simulations/{stopped}/retry", data={"csrf_token": token}).status_code == 303
    with app.app_context():
        again = db.session.get(SimulationRun, stopped)
        assert (again.state, again.progress, again.heartbeat_at) == (simulation.QUEUED, 0, None)
