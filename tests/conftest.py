"""Fixtures: a migrated database (SQLite by default, PostgreSQL when CASEFLOW_TEST_DATABASE_URL says so),
an app per test on a frozen, advanceable clock, and the workflows directory deployed."""

import os
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from caseflow import create_app
from caseflow.domain.clock import Clock
from caseflow.extensions import db

sys.path.insert(0, str(Path(__file__).resolve().parent))
from helpers import make_app  # noqa: E402

START = datetime(2026, 7, 1, 1, 0, tzinfo=UTC)  # 09:00 in Beijing, a Wednesday


def _reset_postgres(url: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("CASEFLOW_TEST_DATABASE_URL")
    if url:
        _reset_postgres(url)
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'caseflow.db'}"


@pytest.fixture(scope="session")
def migrated(database_url) -> str:
    """The schema migrated and the workflows directory deployed, once for the whole session."""
    from flask_migrate import upgrade

    from caseflow.domain.actor import SYSTEM
    from caseflow.services.deployment import deploy_directory

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "test"})
    with app.app_context():
        upgrade()
        deploy_directory(actor=SYSTEM)
        _BASELINE["versions"] = db.session.scalar(text("SELECT max(id) FROM process_version"))
        db.session.remove()
        db.engine.dispose()
    return database_url


_BASELINE: dict[str, int] = {}
_KEPT = {"process_version"}  # deployed once per session; versions a test deploys are removed after it


def _reset_tables() -> None:
    """Empty every table but the session's deployed versions, as if the test had its own fresh installation."""
    tables = [t.name for t in reversed(db.metadata.sorted_tables) if t.name not in _KEPT]
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    else:
        for name in tables:
            db.session.execute(text(f"DELETE FROM {name}"))
    db.session.execute(text("DELETE FROM process_version WHERE id > :baseline"), {"baseline": _BASELINE["versions"]})
    db.session.commit()


@pytest.fixture
def clock() -> Clock:
    return Clock(frozen_at=START)


@pytest.fixture
def app(migrated, clock):
    app = make_app(migrated, clock)
    app.test_context = app.app_context()
    app.test_context.push()
    _reset_tables()
    yield app
    db.session.remove()
    db.engine.dispose()
    app.test_context.pop()


@pytest.fixture
def client(app):
    """A test client whose requests each get their own app context (and so their own `g`), as in production.

    Web tests reach services through `with app.app_context():`."""
    db.session.remove()
    app.test_context.pop()
    yield app.test_client()
    app.test_context.push()


@pytest.fixture(autouse=True, scope="session")
def _restores_checked():
    """Every engine step of the suite restores cold, checked against the live workflow (caseflow.engine.verify)."""
    from caseflow.engine import verify

    verify.enable()
    yield
    verify.disable()
