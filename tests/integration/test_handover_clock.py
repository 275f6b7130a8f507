"""The handover stamps every time it writes from the app clock (caseflow/services/clock.py), read once per use
case: never the system clock, SpiffWorkflow's task time stamps included."""

import json
import zlib
from datetime import UTC, date, datetime, timedelta

import pytest
from handover_helpers import ledger
from sqlalchemy import select

from caseflow.domain.actor import SYSTEM
from caseflow.domain.clock import Clock
from caseflow.domain.enums import EventAction
from caseflow.extensions import db
from caseflow.models import Case, EventLog, HumanTask, ProcessInstance
from caseflow.services import handover


def preview(path):
    return handover.preview_ledger(path, cohort=2026, actor=SYSTEM)


def stamps() -> dict[str, set[datetime]]:
    """Every time written by the commit of a ledger, by table."""
    return {"case": {*db.session.scalars(select(Case.handover_at)), *db.session.scalars(select(Case.updated_at))},
            "instance": set(db.session.scalars(select(ProcessInstance.created_at))),
            "task": set(db.session.scalars(select(HumanTask.created_at))),
            "event": set(db.session.scalars(select(EventLog.at).where(EventLog.action.in_(
                [EventAction.CASE_OPENED, EventAction.LEDGER_IMPORTED]))))}


def test_stored_workflow_state_is_stamped_by_the_app_clock_not_the_system_clock(uploads, clock):
    handover.commit_ledger(preview(ledger(uploads.parent / "l.csv", 3)).id, actor=SYSTEM)
    changes = {task["last_state_change"]
               for state in db.session.scalars(select(ProcessInstance.state))
               for workflow in [json.loads(zlib.decompress(state))]
               for tree in [workflow, *workflow["subprocesses"].values()] for task in tree["tasks"].values()}
    assert changes == {clock.now().timestamp()}


class TickingClock(Clock):
    """A clock that moves one second each time it is read: a second read in one use case shows."""

    def now(self) -> datetime:
        self.offset += timedelta(seconds=1)
        return super().now()


class TestOneTimePerCommit:
    @pytest.fixture
    def clock(self):
        return TickingClock(frozen_at=datetime(2026, 7, 1, 1, tzinfo=UTC))

    def test_every_time_a_commit_writes_is_the_commit_time(self, uploads, monkeypatch):
        monkeypatch.setattr(handover, "COMMIT_CHUNK", 2)
        batch = handover.commit_ledger(preview(ledger(uploads.parent / "l.csv", 5)).id, actor=SYSTEM)
        assert batch.committed_at > batch.uploaded_at
        assert stamps() == {"case": {batch.committed_at}, "instance": {batch.committed_at},
                                      "task": {batch.committed_at}, "event": {batch.committed_at}}
        assert {c.first_contact_due.date() for c in db.session.scalars(select(Case))} == {date(2026, 7, 31)}
