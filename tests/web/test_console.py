"""The workflow console and the JSON API, signed in."""

from helpers import only_ready_task
from web_helpers import login

from caseflow.domain.actor import SYSTEM
from caseflow.services import instances

FORM = {"channel": "phone", "outcome": "reached", "contacted_on": "2026-07-01"}
ENGLISH = {"Accept-Language": "en"}


def start_demo(app) -> tuple[int, str]:
    with app.app_context():
        instance_id = instances.start_instance("demo_followup", actor=SYSTEM, region_code="220102")
        return instance_id, only_ready_task(instance_id).id


def test_pages_need_sign_in(client, demo_users):
    response = client.get("/inbox")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.post("/api/tasks/x/complete", json={}).status_code == 401


def test_console_is_for_administrators_and_designers(app, client, demo_users):
    instance_id, task_id = start_demo(app)
    login(client, "nanguan_cw1")
    assert client.get("/console").status_code == 403
    login(client, "admin")
    html = client.get("/console").get_data(as_text=True)
    assert f"<td>{instance_id}</td>" in html and "demo_followup" in html
    login(client, "jilin_designer")
    assert client.get("/console").status_code == 200


def test_api_completion_is_idempotent_and_conflicts_clearly(app, client, demo_users):
    _, task_id = start_demo(app)
    login(client, "nanguan_cw1")
    url = f"/api/tasks/{task_id}/complete"
    first = client.post(url, json={"data": FORM}, headers={"Idempotency-Key": "abc"})
    assert first.status_code == 200 and first.json["replayed"] is False
    replay = client.post(url, json={"data": FORM}, headers={"Idempotency-Key": "abc"})
    assert replay.status_code == 200 and replay.json["replayed"] is True
    conflict = client.post(url, json={"data": FORM}, headers=ENGLISH)
    assert conflict.status_code == 409
    assert conflict.json["error"] == "Conflict" and "already completed" in conflict.json["message"]


def test_api_rejects_a_body_that_is_not_an_object(app, client, demo_users):
    _, task_id = start_demo(app)
    login(client, "nanguan_cw1")
    assert client.post(f"/api/tasks/{task_id}/complete", json=[1, 2]).status_code == 400


def test_api_needs_json_so_a_cross_site_form_cannot_post(app, client, demo_users):
    _, task_id = start_demo(app)
    login(client, "nanguan_cw1")
    response = client.post(f"/api/tasks/{task_id}/complete", data={"data": "x"})
    assert response.status_code == 415


def test_pages_speak_chinese_by_default_and_english_on_request(client, demo_users):
    assert "登录" in client.get("/login").get_data(as_text=True)
    client.get("/lang/en")
    assert "Sign in" in client.get("/login").get_data(as_text=True)
    client.get("/lang/zh_CN")
    assert "登录" in client.get("/login").get_data(as_text=True)


def test_browser_language_is_used_until_the_user_picks_one(client, demo_users):
    assert "Sign in" in client.get("/login", headers=ENGLISH).get_data(as_text=True)
    assert "登录" in client.get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).get_data(as_text=True)
