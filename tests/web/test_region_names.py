"""Pages show region names where they showed bare area codes (household and residence, approvals, the caseworker
page, the audit log), read once per process rather than once per row."""

import re

import pytest
from sqlalchemy import event
from supervision_helpers import do, open_in, owner
from web_helpers import login

from caseflow.extensions import db
from caseflow.services import region_names


def _unreachable(n: int) -> list[int]:
    """n cases of 南关区 whose three failed contacts wait for the supervisor's approval."""
    ids = open_in("220102", n)
    for case_id in ids:
        for attempt in ({"channel": c, "outcome": "no_answer", "contacted_on": "2026-07-01"}
                        for c in ("phone", "sms", "phone")):
            do(case_id, "attempt", owner(case_id), **attempt)
    return ids


@pytest.fixture
def counted(app):
    seen = []

    def count(_conn, _cursor, statement, *_args):
        seen.append(statement)
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", count)
    yield seen
    with app.app_context():
        event.remove(db.engine, "before_cursor_execute", count)


def test_the_case_file_names_household_and_residence(app, client, demo_users):
    with app.app_context():
        case_id = open_in("220102", 1, residence="220102001")[0]
    login(client, "nanguan_cw1")
    client.get("/lang/en")
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    facts = re.search(r"<dt>Household / residence</dt><dd>(.*?)</dd>", page).group(1)
    assert facts == "吉林省 长春市 南关区 / 长春市 南关区 南岭街道"


def test_approvals_and_the_caseworker_page_name_regions_without_a_query_per_row(app, client, demo_users, counted):
    with app.app_context():
        _unreachable(2)
        caseworker_id = db.session.execute(db.text("SELECT id FROM app_user WHERE username = 'nanguan_cw1'")
                                           ).scalar()
    login(client, "nanguan_sup")
    first = client.get("/supervision/approvals").get_data(as_text=True)
    assert re.search(r"<td>南关区</td>", first) and "<td>220102</td>" not in first
    counted.clear()
    client.get("/supervision/approvals")
    few = len(counted)
    with app.app_context():
        _unreachable(6)
    counted.clear()
    many_page = client.get("/supervision/approvals").get_data(as_text=True)
    assert many_page.count("<td>南关区</td>") == 8
    assert len(counted) == few  # eight rows cost what two did
    assert "吉林省 长春市 南关区" in client.get(f"/supervision/caseworkers/{caseworker_id}").get_data(as_text=True)


def test_a_region_loaded_by_another_process_is_named_on_the_next_page(app, demo_users):
    with app.app_context():
        assert region_names.region_name("220102") == "南关区"
        db.session.execute(db.text("INSERT INTO region (code, name, level, parent_code) "
                                   "VALUES ('220199', '新设区', 'county', '2201')"))
        db.session.commit()
        assert region_names.region_name("220199") == "新设区"  # a miss reads the table again
        assert region_names.region_name("999999") == "999999"  # an unknown code stays a code
