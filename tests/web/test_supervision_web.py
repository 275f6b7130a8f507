"""The supervisor console through the Flask client: lists, bulk reassignment, region scope, the indicators page
and its workbook, the audit log."""

import io
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from supervision_helpers import REACHED, do, open_in, owner
from web_helpers import csrf_token, login

from caseflow.domain.enums import EventAction
from caseflow.extensions import db
from caseflow.models import Case, EventLog, Graduate, User
from caseflow.services import report_book


@pytest.fixture
def county_cases(app, demo_users, clock):
    """Four cases in 南关区 and one in 宽城区, a month after handover: every first contact is past due."""
    with app.app_context():
        nanguan, kuancheng = open_in("220102", 4), open_in("220103", 1)
        do(nanguan[0], "attempt", owner(nanguan[0]), **REACHED)
        do(nanguan[0], "classify", owner(nanguan[0]), status="seeking", startup_intent=False,
           effective_on="2026-07-01")
        users = {u.username: u.id for u in db.session.scalars(select(User))}
        names = dict(db.session.execute(select(Case.id, Graduate.name).join(Graduate)).all())
        first_owner = owner(nanguan[0])
    clock.advance(timedelta(days=31))
    return {"a": nanguan, "b": kuancheng, "users": users, "names": names, "owner": first_owner}


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def test_only_supervisors_analysts_and_admins_reach_the_console(client, county_cases):
    login(client, "nanguan_cw1")
    assert client.get("/supervision/").status_code == 403
    assert "/supervision/" not in client.get("/inbox").get_data(as_text=True)
    for username in ("nanguan_sup", "jilin_analyst", "admin"):
        login(client, username)
        assert 'href="/supervision/"' in page(client, "/inbox")
        assert client.get("/supervision/").status_code == 200


def test_the_stalled_list_shows_the_countys_cases_and_a_bulk_reassignment_moves_them(app, client, county_cases):
    login(client, "nanguan_sup")
    client.get("/lang/en")
    console = page(client, "/supervision/")
    assert re.search(r'data-rule="first_contact_overdue">\s*<span class="tile-count">3<', console)
    listed = page(client, "/supervision/cases?rule=first_contact_overdue")
    names = county_cases["names"]
    assert all(names[i] in listed for i in county_cases["a"][1:]) and names[county_cases["b"][0]] not in listed
    cw1 = county_cases["users"]["nanguan_cw1"]
    token = csrf_token(client, "/supervision/cases?rule=first_contact_overdue")
    done = client.post("/supervision/reassign", data={"csrf_token": token, "rule": "first_contact_overdue",
                                                      "scope": "all", "expected": "3", "to": cw1,
                                                      "reason": "集中联系"}, follow_redirects=True)
    assert "Cases reassigned: 2." in done.get_data(as_text=True)  # the third was hers already
    workload = page(client, "/supervision/")
    assert re.search(r'data-caseworker="nanguan_cw1">.*?data-figure="open">4<', workload, re.S)
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(EventLog.action == EventAction.CASE_ASSIGNED)) >= 2


def test_a_stale_list_is_refused_with_a_conflict_and_nothing_moves(app, client, county_cases):
    login(client, "nanguan_sup")
    client.get("/lang/en")
    token = csrf_token(client, "/supervision/cases?rule=first_contact_overdue")
    stale = client.post("/supervision/reassign", data={"csrf_token": token, "rule": "first_contact_overdue",
                                                       "scope": "all", "expected": "5", "reason": "集中联系",
                                                       "to": county_cases["users"]["nanguan_cw2"]},
                        follow_redirects=True)
    assert "changed meanwhile" in stale.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(EventLog.action == EventAction.CASE_ASSIGNED)) == 0


def test_a_county_supervisor_can_neither_see_nor_reassign_the_other_county(app, client, county_cases):
    login(client, "kuancheng_sup")
    names = county_cases["names"]
    listed = page(client, "/supervision/cases?rule=first_contact_overdue")
    assert names[county_cases["b"][0]] in listed and not any(names[i] in listed for i in county_cases["a"])
    nanguan_cw1 = county_cases["users"]["nanguan_cw1"]
    refused = client.get(f"/supervision/caseworkers/{nanguan_cw1}")
    assert refused.status_code == 404 and "王丽" not in refused.get_data(as_text=True)
    token = csrf_token(client, "/supervision/cases")
    a = county_cases["a"][1]
    with app.app_context():
        seen = db.session.get(Case, a).caseworker_id
    moved = client.post("/supervision/reassign", data={"csrf_token": token, "case": f"{a}:{seen}", "scope": "selected",
                                                       "to": county_cases["users"]["kuancheng_cw1"], "reason": "越权"})
    assert moved.status_code == 404 and names[a] not in moved.get_data(as_text=True)
    assert client.get("/supervision/report?region=220102").status_code == 404
    with app.app_context():
        assert db.session.get(Case, a).caseworker_id == seen
        assert db.session.scalar(select(func.count()).where(EventLog.action == EventAction.ACCESS_DENIED)) == 3
    login(client, "changchun_sup")
    both = page(client, "/supervision/cases?rule=first_contact_overdue")
    assert names[county_cases["b"][0]] in both and names[a] in both


def figures_of(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-figure="([^"]+)">([^<]*)<', html))


def test_the_excel_report_holds_the_same_figures_as_the_page(app, client, county_cases):
    login(client, "changchun_sup")
    html = page(client, "/supervision/report?on=2026-08-01")
    shown = figures_of(html)
    assert shown["contact.handed_over.total"] == "5" and shown["contact.reached.total"] == "1"
    assert shown["contact.contact_rate.total"] == "20.0%" and shown["employment.target.total"] == "90.0%"
    response = client.get("/supervision/report.xlsx?on=2026-08-01")
    book = load_workbook(io.BytesIO(response.data))
    assert len(book.sheetnames) == len(report_book.GROUPS)
    compared = 0
    for group, sheet in zip(report_book.GROUPS, book.worksheets, strict=True):
        rows = list(sheet.iter_rows(min_row=3, values_only=True))
        keys = re.findall(rf'data-figure="{group.key}\.{group.columns[0].key}\.([^"]+)"', html)
        assert len(rows) == len(keys)
        for key, row in zip(keys, rows, strict=True):
            for column, cell in zip(group.columns, row[1:], strict=True):
                assert report_book.show(cell, column.kind) == shown[f"{group.key}.{column.key}.{key}"]
                compared += 1
    assert compared > 100
    assert page(client, "/supervision/report/print?on=2026-08-01").count("data-figure=") == len(shown)
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(EventLog.action == EventAction.EXPORTED)) == 1


def test_the_report_drills_down_from_the_city_to_a_county_and_its_caseworkers(client, county_cases):
    login(client, "changchun_sup")
    city = page(client, "/supervision/report?on=2026-08-01")
    assert 'href="/supervision/report?region=220102&amp;on=2026-08-01"' in city
    county = page(client, "/supervision/report?region=220102&on=2026-08-01")
    assert "王丽（南关区就业服务专员）" in county and "刘洋（南关区就业服务专员）" in county


def test_the_audit_log_filters_by_user_action_and_case_within_the_region(client, county_cases):
    login(client, "nanguan_sup")
    client.get("/lang/en")
    a = county_cases["a"][0]
    by_case = page(client, f"/supervision/audit?case={a}")
    assert "task_completed" in by_case and f'href="/cases/{a}"' in by_case
    assert f'href="/cases/{county_cases["b"][0]}"' not in page(client, "/supervision/audit")
    completed = page(client, f"/supervision/audit?action=task_completed&user={county_cases['owner']}")
    assert "2 events" in completed
    assert "No event matches." in page(client, "/supervision/audit?from=2030-01-01")



def test_a_caseworkers_500_cases_move_in_one_request(app, client, demo_users):
    from sqlalchemy import update

    with app.app_context():
        db.session.execute(update(User).where(User.username == "nanguan_cw2").values(active=False))
        open_in("220102", 500)
        db.session.execute(update(User).where(User.username == "nanguan_cw2").values(active=True))
        db.session.commit()
        users = {u.username: u.id for u in db.session.scalars(select(User))}
    login(client, "nanguan_sup")
    client.get("/lang/en")
    listed = page(client, f"/supervision/cases?caseworker={users['nanguan_cw1']}")
    assert "Reassign all 500 cases of this list" in listed
    token = csrf_token(client, f"/supervision/cases?caseworker={users['nanguan_cw1']}")
    done = client.post("/supervision/reassign", data={"csrf_token": token, "caseworker": users["nanguan_cw1"],
                                                      "scope": "all", "expected": "500", "to": users["nanguan_cw2"],
                                                      "reason": "王丽调岗"}, follow_redirects=True)
    assert "Cases reassigned: 500." in done.get_data(as_text=True)
    assert re.search(r'data-caseworker="nanguan_cw2">.*?data-figure="open">500<', page(client, "/supervision/"), re.S)


def test_an_analyst_reads_the_console_and_the_indicators_but_reassigns_nothing(client, county_cases):
    login(client, "jilin_analyst")
    listed = page(client, "/supervision/cases?rule=first_contact_overdue")
    assert county_cases["names"][county_cases["a"][1]] in listed and 'name="case"' not in listed
    assert "data-figure=" in page(client, "/supervision/report?on=2026-08-01")
    token = csrf_token(client, "/supervision/cases")
    refused = client.post("/supervision/reassign", data={"csrf_token": token, "scope": "all", "rule": "no_activity",
                                                         "to": county_cases["users"]["nanguan_cw2"], "reason": "试试"})
    assert refused.status_code == 403
