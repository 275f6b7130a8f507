"""One clock for the installation: whether time is simulated, and by how much, lives in the database, so web
workers, the sweeper and the CLI -- separate apps here, as they are separate processes in production -- agree."""

from datetime import timedelta

import pytest
from helpers import make_app

from caseflow.domain.clock import Clock
from caseflow.errors import InvalidInput
from caseflow.extensions import db
from caseflow.services import clock as clock_service
from caseflow.services.workflow import committing


def _other_process_now(database_url, base_clock):
    """What a freshly started process of the installation reads as now."""
    other = make_app(database_url, Clock(frozen_at=base_clock.frozen_at))
    with other.app_context():
        return clock_service.now(), clock_service.is_simulated()


def test_a_real_time_installation_cannot_be_advanced(app, migrated, clock):
    with pytest.raises(InvalidInput):
        clock_service.advance_clock(timedelta(days=1))
    assert _other_process_now(migrated, clock) == (clock.frozen_at, False)


def test_the_simulated_offset_is_shared_by_every_process(app, migrated, clock):
    with committing():
        clock_service.start_simulation()
        clock_service.advance_clock(timedelta(days=30))
    assert _other_process_now(migrated, clock) == (clock.frozen_at + timedelta(days=30), True)
    with pytest.raises(InvalidInput):
        clock_service.advance_clock(timedelta(days=-1))


def test_the_cli_advances_and_shows_the_clock_every_process_sees(app, migrated, clock):
    runner = make_app(migrated, Clock(frozen_at=clock.frozen_at)).test_cli_runner()
    refused = runner.invoke(args=["caseflow", "clock", "advance", "2d"])
    assert refused.exit_code != 0 and "real time" in refused.output
    assert runner.invoke(args=["caseflow", "init-db", "--simulated-clock"]).exit_code == 0
    advanced = runner.invoke(args=["caseflow", "clock", "advance", "2d"])
    assert advanced.exit_code == 0, advanced.output
    shown = make_app(migrated, Clock(frozen_at=clock.frozen_at)).test_cli_runner().invoke(
        args=["caseflow", "clock", "show"])
    expected = (clock.frozen_at + timedelta(days=2)).isoformat()
    assert expected in advanced.output and expected in shown.output and "simulated" in shown.output
    db.session.expire_all()
    assert _other_process_now(migrated, clock)[0] == clock.frozen_at + timedelta(days=2)
