"""Bring a database up to date: schema migrations, then the workflows directory deployed."""

from flask_migrate import upgrade

from caseflow.domain.actor import SYSTEM
from caseflow.services.deployment import deploy_directory


def prepare_database(*, deploy: bool = True) -> list:
    """Apply pending migrations and deploy changed processes; safe to run on every start."""
    upgrade()
    return deploy_directory(actor=SYSTEM) if deploy else []
