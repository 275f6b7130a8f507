"""A separate OS process that completes one task when told to (for multi-process race tests)."""

from datetime import UTC, datetime


def complete_when_released(database_url: str, task_id: str, go, results) -> None:
    from caseflow import create_app
    from caseflow.domain.actor import SYSTEM
    from caseflow.domain.clock import Clock
    from caseflow.errors import Conflict
    from caseflow.services import instances

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "test", "CASEFLOW_SCHEDULER": False,
                      "CASEFLOW_CLOCK": Clock(frozen_at=datetime(2026, 7, 1, 1, tzinfo=UTC))})
    with app.app_context():
        instances.get_task_or_raise(task_id, SYSTEM)  # warm up: connection open, spec parsed
        go.wait(30)
        try:
            instances.complete_task(task_id, actor=SYSTEM, data={"channel": "phone", "outcome": "reached",
                                                                  "contacted_on": "2026-07-01"})
            results.put("ok")
        except Conflict:
            results.put("conflict")
