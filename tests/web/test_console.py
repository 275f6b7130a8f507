"""The demo console and the JSON API through the Flask test client."""

import re

from helpers import only_ready_task

from caseflow.domain.actor import SYSTEM
from caseflow.services import instances

FORM = {"channel": "phone", "outcome": "reached", "contacted_on": "2026-07-01"}
ENGLISH = {"Accept-Language": "en"}


def start_case(app) -> tuple[int, str]:
    with app.app_context():
        instance_id = instances.start_instance("demo_followup", actor=SYSTEM)
        return instance_id, only_ready_task(instance_id).id


def csrf_token(client, path="/") -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_console_lists_ready_tasks_and_instances(app, client):
    instance_id, task_id = start_case(app)
    page = client.get("/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f"#{instance_id}" in html and f"/tasks/{task_id}" in html


def test_starting_a_case_needs_a_csrf_token(client):
    assert client.post("/instances", data={"process_id": "demo_followup"}).status_code == 400
    response = client.post("/instances", data={"process_id": "demo_followup", "csrf_token": csrf_token(client)})
    assert response.status_code == 302


def test_task_form_validates_then_completes_then_reports_the_conflict(app, client):
    _, task_id = start_case(app)
    client.get("/lang/en")
    token = csrf_token(client, f"/tasks/{task_id}")
    missing = client.post(f"/tasks/{task_id}", data={"csrf_token": token, "channel": "phone"})
    assert missing.status_code == 400
    assert "This field is required." in missing.get_data(as_text=True)
    done = client.post(f"/tasks/{task_id}", data={"csrf_token": token, **FORM}, follow_redirects=True)
    assert done.status_code == 200 and "Completed: Record first contact" in done.get_data(as_text=True)
    again = client.post(f"/tasks/{task_id}", data={"csrf_token": token, **FORM}, follow_redirects=True)
    assert again.status_code == 200
    assert "this task was already completed by demo-admin" in again.get_data(as_text=True)


def test_unknown_task_is_a_404_page(client):
    assert client.get("/tasks/00000000-0000-0000-0000-000000000000").status_code == 404


def test_api_completion_is_idempotent_and_conflicts_clearly(app, client):
    _, task_id = start_case(app)
    url = f"/api/tasks/{task_id}/complete"
    first = client.post(url, json={"data": FORM}, headers={"Idempotency-Key": "abc"})
    assert first.status_code == 200 and first.json["replayed"] is False
    replay = client.post(url, json={"data": FORM}, headers={"Idempotency-Key": "abc"})
    assert replay.status_code == 200 and replay.json["replayed"] is True
    conflict = client.post(url, json={"data": FORM}, headers=ENGLISH)
    assert conflict.status_code == 409
    assert conflict.json["error"] == "Conflict" and "already completed" in conflict.json["message"]


def test_api_rejects_a_body_that_is_not_an_object(app, client):
    _, task_id = start_case(app)
    response = client.post(f"/api/tasks/{task_id}/complete", json=[1, 2])
    assert response.status_code == 400


def test_pages_speak_chinese_by_default_and_english_on_request(client):
    assert "流程控制台" in client.get("/").get_data(as_text=True)
    client.get("/lang/en")
    assert "Workflow console" in client.get("/").get_data(as_text=True)
    client.get("/lang/zh_CN")
    assert "流程控制台" in client.get("/").get_data(as_text=True)


def test_browser_language_is_used_until_the_user_picks_one(client):
    assert "Workflow console" in client.get("/", headers=ENGLISH).get_data(as_text=True)
    assert "流程控制台" in client.get("/", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).get_data(as_text=True)
