"""Web fixtures: the reference regions with demo users."""

import pytest

from caseflow.services import accounts, regions


@pytest.fixture
def demo_users(app):
    with app.app_context():
        regions.load_reference_regions()
        accounts.seed_demo_users()
    return app
