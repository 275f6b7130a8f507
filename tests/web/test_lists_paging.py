"""Every list answers past its first page, links every page, and survives out-of-range page numbers:
the inbox, the team queue, the case list, the supervision lists, the approvals and the audit log."""

from datetime import timedelta

import pytest
from sqlalchemy import select
from supervision_helpers import actor, do, open_in
from web_helpers import login, walk

from caseflow.domain.enums import HumanTaskState
from caseflow.extensions import db
from caseflow.models import HumanTask, User
from caseflow.services import inbox


@pytest.fixture
def crowded(app, demo_users):
    """130 cases in 南关区 split between its two caseworkers; nanguan_cw2 puts 60 of theirs in the team queue."""
    with app.app_context():
        case_ids = open_in("220102", 130)
        held = db.session.scalars(select(HumanTask.id).where(HumanTask.assignee == "nanguan_cw2",
                                                             HumanTask.state == HumanTaskState.READY)
                                  .order_by(HumanTask.id)).all()
        for task_id in held[:60]:
            inbox.release_task(task_id, actor=actor("nanguan_cw2"))
        users = {user.username: user.id for user in db.session.scalars(select(User))}
    return {"cases": case_ids, "users": users}


def _holder(case_id: int) -> str:
    """Who holds the case's open task; a task in the team queue is claimed by nanguan_cw1 first."""
    task = db.session.scalars(select(HumanTask).where(HumanTask.case_id == case_id,
                                                      HumanTask.state == HumanTaskState.READY)).one()
    if task.assignee is None:
        inbox.claim_task(task.id, actor=actor("nanguan_cw1"))
        return "nanguan_cw1"
    return task.assignee


def test_the_inbox_and_the_team_queue_page_through_every_task(app, client, crowded):
    login(client, "nanguan_cw1")
    mine, pages = walk(client, "/inbox")
    assert (len(mine), pages) == (65, 2)
    queue, pages = walk(client, "/inbox?scope=team")
    assert (len(queue), pages) == (60, 2)
    assert not set(mine) & set(queue)


def test_the_case_list_pages_through_every_case(app, client, crowded):
    login(client, "nanguan_cw1")
    seen, pages = walk(client, "/cases")
    assert (len(seen), pages) == (130, 3)
    assert {f"/cases/{case_id}" for case_id in crowded["cases"]} == set(seen)


def test_supervision_lists_page_through_every_case_and_task(app, client, clock, crowded):
    cw1 = crowded["users"]["nanguan_cw1"]
    login(client, "nanguan_sup")
    caseload, pages = walk(client, f"/supervision/cases?caseworker={cw1}")
    assert (len(caseload), pages) == (65, 2)
    tasks, pages = walk(client, f"/supervision/caseworkers/{cw1}")
    assert (len(tasks), pages) == (65, 2)
    clock.advance(timedelta(days=45))  # nobody was contacted: every case is on the first-contact list
    stalled, pages = walk(client, "/supervision/cases?rule=first_contact_overdue")
    assert (len(stalled), pages) == (130, 3)
    events, pages = walk(client, "/supervision/audit?action=task_released")
    assert (len(events), pages) == (60, 2)


def test_approvals_page_through_every_waiting_approval(app, client, crowded):
    with app.app_context():
        for case_id in crowded["cases"][:51]:
            for channel in ("phone", "sms", "phone"):
                do(case_id, "attempt", _holder(case_id), channel=channel, outcome="no_answer",
                   contacted_on="2026-07-01")
    login(client, "nanguan_sup")
    seen, pages = walk(client, "/supervision/approvals")
    assert (len(seen), pages) == (51, 2)
    one_kind, _pages = walk(client, "/supervision/approvals?kind=approve_unreachable")
    assert sorted(one_kind) == sorted(seen)


def test_the_task_page_shows_the_tasks_real_due_state(app, client, clock, crowded):
    with app.app_context():
        task = db.session.scalars(select(HumanTask).where(HumanTask.assignee == "nanguan_cw1")).first()
        due = task.due_at
    login(client, "nanguan_cw1")
    client.get("/lang/en")
    assert "badge-on_track" in client.get(f"/tasks/{task.id}").get_data(as_text=True)
    clock.frozen_at = due - timedelta(hours=2)
    clock.offset = timedelta(0)
    assert "badge-due_soon" in client.get(f"/tasks/{task.id}").get_data(as_text=True)
    clock.frozen_at = due + timedelta(minutes=1)
    assert "badge-overdue" in client.get(f"/tasks/{task.id}").get_data(as_text=True)


def test_the_transferred_out_list_pages_through_every_case(app, client, clock):
    from datetime import UTC, datetime

    from caseflow.models import Case, CaseStint, Transfer
    from caseflow.services import accounts, regions

    with app.app_context():
        regions.load_reference_regions()
        accounts.seed_demo_users()
        case_ids = open_in("220102", 55)
        at = datetime(2026, 7, 2, tzinfo=UTC)
        for case_id in case_ids:  # accepted transfers to Wuhan, written as acceptance leaves them
            transfer = Transfer(case_id=case_id, from_county="220102", to_county="420102", status="accepted",
                                requested_at=at, requested_by="x", decided_at=at, decided_by="y")
            db.session.add(transfer)
            db.session.flush()
            stint = db.session.scalars(select(CaseStint).where(CaseStint.case_id == case_id)).one()
            stint.ended_at, stint.transfer_id = at, transfer.id
            db.session.add(CaseStint(case_id=case_id, region_code="420102", county_code="420102", profile="hubei",
                                     started_at=at))
            db.session.get(Case, case_id).region_code = "420102"
        db.session.commit()
    login(client, "nanguan_sup")
    seen, pages = walk(client, "/supervision/transferred-out")
    assert (len(seen), pages) == (55, 2) and set(seen) == {f"transferred-{case_id}" for case_id in case_ids}
    login(client, "kuancheng_sup")
    assert 'id="transferred-' not in client.get("/supervision/transferred-out").get_data(as_text=True)
