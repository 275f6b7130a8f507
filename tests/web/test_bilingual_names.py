"""Bilingual BPMN names as users read them: the inbox, the task page, the case file, the case diagram and the API
show the Chinese line under Chinese and the English line under English; a row stored before the names were
bilingual (English only) still reads in Chinese through the catalogue."""

import re

import pytest
from helpers import graduate, valid_id
from sqlalchemy import select, update
from web_helpers import csrf_token, login

from caseflow.domain.actor import SYSTEM
from caseflow.extensions import db
from caseflow.models import Case, HumanTask
from caseflow.services import cases
from caseflow.services.workflow import committing

ZH, EN = "记录联系", "Record a contact attempt"  # contact_round.bpmn's user task `contact`
REACHED = {"channel": "phone", "outcome": "reached", "contacted_on": "2026-07-01"}


@pytest.fixture
def case(app, demo_users):
    """A case in 南关区 with its first task, and the caseworker it went to."""
    with app.app_context():
        cases.open_cases([graduate(valid_id("22010220030101123"), hukou="220102", name="张三")], cohort=2026,
                         actor=SYSTEM)
        db.session.commit()
        case_id = db.session.scalars(select(Case.id)).one()
        task = db.session.scalars(select(HumanTask).where(HumanTask.case_id == case_id)).one()
        assert task.name == f"{ZH}\n{EN}"  # the inbox row keeps the whole bilingual name
        return {"id": case_id, "task": task.id, "owner": task.assignee}


def _inbox_link(html: str, task_id: str) -> str:
    return re.search(rf'href="/tasks/{task_id}"[^>]*>([^<]*)</a>', html).group(1)


def test_inbox_and_task_page_read_in_the_users_language(client, case):
    login(client, case["owner"])
    client.get("/lang/zh")
    inbox = client.get("/inbox").get_data(as_text=True)
    assert _inbox_link(inbox, case["task"]) == ZH
    assert f">{ZH}</option>" in inbox  # the task-type filter
    page = client.get(f"/tasks/{case['task']}").get_data(as_text=True)
    assert f"<title>{ZH}" in page and re.search(rf"<h1>{ZH}", page) and EN not in page

    client.get("/lang/en")
    inbox = client.get("/inbox").get_data(as_text=True)
    assert _inbox_link(inbox, case["task"]) == EN and ZH not in inbox
    page = client.get(f"/tasks/{case['task']}").get_data(as_text=True)
    assert re.search(rf"<h1>{EN}", page) and ZH not in page


def test_the_case_file_and_the_completion_notice_read_in_the_users_language(client, case):
    login(client, case["owner"])
    client.get("/lang/zh")
    url = f"/tasks/{case['task']}"
    done = client.post(url, data={"csrf_token": csrf_token(client, url), **REACHED}, follow_redirects=True)
    assert f"已完成：{ZH}" in done.get_data(as_text=True)
    assert f"已完成：{ZH}" in client.get(f"/cases/{case['id']}").get_data(as_text=True)  # the timeline
    client.get("/lang/en")
    timeline = client.get(f"/cases/{case['id']}").get_data(as_text=True)
    assert f"Completed: {EN}" in timeline and ZH not in timeline


def test_the_case_diagram_names_its_elements_in_the_users_language(client, case):
    login(client, case["owner"])
    client.get("/lang/zh")
    chinese = client.get(f"/cases/{case['id']}/diagram.json").get_json()
    assert f'name="{ZH}"' in chinese["xml"] and EN not in chinese["xml"]
    assert 'name="就业服务专员"' in chinese["xml"]  # lanes too
    assert chinese["path_names"][0] == "毕业生就业帮扶全流程"
    client.get("/lang/en")
    english = client.get(f"/cases/{case['id']}/diagram.json").get_json()
    assert f'name="{EN}"' in english["xml"] and ZH not in english["xml"]
    assert english["path_names"][0] == "A graduate's journey to employment"


def test_a_row_stored_with_an_english_name_still_reads_in_chinese(app, client, case):
    """Inbox rows of instances on versions deployed before the names were bilingual hold the English name."""
    with app.app_context(), committing():
        db.session.execute(update(HumanTask).where(HumanTask.id == case["task"]).values(name=EN))
    login(client, case["owner"])
    client.get("/lang/zh")
    assert _inbox_link(client.get("/inbox").get_data(as_text=True), case["task"]) == ZH
    client.get("/lang/en")
    assert _inbox_link(client.get("/inbox").get_data(as_text=True), case["task"]) == EN


def test_the_api_gives_the_english_name_and_the_chinese_one(app, client, case):
    result = app.test_cli_runner().invoke(args=["caseflow", "tokens", "add", "nanguan-app", "--role", "caseworker",
                                                "--region", "220102"])
    secret = re.search(r"^(cf_\S+)$", result.output, re.M).group(1)
    headers = {"Authorization": f"Bearer {secret}"}
    with app.app_context(), committing():
        db.session.execute(update(HumanTask).where(HumanTask.id == case["task"]).values(assignee=None))
    row = client.get("/api/v1/tasks?scope=team", headers=headers).get_json()["items"][0]
    assert (row["name"], row["name_zh"]) == (EN, ZH)
    task = client.get(f"/api/v1/tasks/{case['task']}", headers=headers).get_json()
    assert (task["name"], task["name_zh"]) == (EN, ZH)
    opened = client.get(f"/api/v1/cases/{case['id']}", headers=headers).get_json()["open_tasks"][0]
    assert (opened["name"], opened["name_zh"]) == (EN, ZH)
