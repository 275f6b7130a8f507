"""After README's set-up commands, a Hubei caseworker signs in with the temporary password the import made up,
must choose a new one, and works a case through the pages; the case file shows the Hubei package (training or
internship) and region names instead of codes."""

import re

from hubei_helpers import set_up_hubei
from web_helpers import csrf_token, login

NEW_PASSWORD = "jiangan-cw1-own-pw"
DAY = "2026-07-01"


def _task(client, case_id: int, bpmn_id: str) -> str:
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    return re.search(rf'href="/tasks/([^"]+)" data-task="{bpmn_id}"', page).group(1)


def _complete(client, case_id: int, bpmn_id: str, **data) -> None:
    task_id = _task(client, case_id, bpmn_id)
    response = client.post(f"/tasks/{task_id}", data={**data, "csrf_token": csrf_token(client, f"/tasks/{task_id}")})
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]


def test_a_hubei_caseworker_signs_in_changes_the_password_and_works_a_case(app, client, tmp_path):
    passwords = set_up_hubei(app, tmp_path)["passwords"]
    assert login(client, "jiangan_cw1", passwords["jiangan_cw1"]).status_code == 302
    assert client.get("/inbox").headers["Location"].endswith("/account/password")
    changed = client.post("/account/password", data={"current": passwords["jiangan_cw1"], "new": NEW_PASSWORD,
                                                     "again": NEW_PASSWORD,
                                                     "csrf_token": csrf_token(client, "/account/password")})
    assert changed.status_code == 302
    client.get("/lang/en")
    inbox = client.get("/inbox").get_data(as_text=True)
    case_id = int(re.search(r'href="/cases/(\d+)"', inbox).group(1))
    _complete(client, case_id, "attempt", channel="phone", outcome="reached", contacted_on=DAY)
    _complete(client, case_id, "classify", status="seeking", effective_on=DAY)
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    package = re.search(r'<table class="package">(.*?)</table>', page, re.S).group(1)
    assert "Training or internship" in package and "Internship" not in package.replace("Training or internship", "")
    assert "湖北省 武汉市 江岸区" in page  # household and residence by name, not 420102
    for kind in ("career_guidance", "job_referral", "job_referral", "job_referral", "internship_offer"):
        _complete(client, case_id, "deliver", kind=kind, response="accepted", delivered_on=DAY)
    assert "Package complete." in client.get(f"/cases/{case_id}").get_data(as_text=True)
