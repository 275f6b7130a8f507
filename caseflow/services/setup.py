"""Bring a database up to date: schema migrations, then the workflows directory deployed."""

from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app
from flask_migrate import upgrade

from caseflow.domain.actor import SYSTEM
from caseflow.extensions import db
from caseflow.services import clock
from caseflow.services.deployment import deploy_directory
from caseflow.services.workflow import committing


def prepare_database(*, deploy: bool = True, simulated_clock: bool = False) -> list:
    """Apply pending migrations, optionally put the installation on simulated time, and deploy changed
    processes; safe to run on every start."""
    upgrade()
    if simulated_clock:
        with committing():
            clock.start_simulation()
    return deploy_directory(actor=SYSTEM) if deploy else []


def is_migrated() -> bool:
    """Whether the database schema is at the latest migration (background work waits until it is)."""
    if current_app.extensions.get("caseflow.migrated"):
        return True
    config = current_app.extensions["migrate"].migrate.get_config()
    head = ScriptDirectory.from_config(config).get_current_head()
    with db.engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    current_app.extensions["caseflow.migrated"] = current == head
    return current == head
