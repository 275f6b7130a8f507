"""Fixtures for the supervision tests: the reference regions and the demo users (two counties and their city)."""

import pytest
from sqlalchemy import select

from caseflow.extensions import db
from caseflow.models import User
from caseflow.services import accounts, regions


@pytest.fixture
def uploads(app, tmp_path):
    """Where previewed ledgers wait for their commit, in a temporary directory; the reference regions loaded."""
    app.config["CASEFLOW_UPLOAD_DIR"] = str(tmp_path / "uploads")
    regions.load_reference_regions()
    return tmp_path / "uploads"


@pytest.fixture
def staff(app):
    """username → User of the demo users; the actor of a user is accounts.actor_for(user)."""
    regions.load_reference_regions()
    accounts.seed_demo_users()
    return {user.username: user for user in db.session.scalars(select(User))}
