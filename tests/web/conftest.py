"""Web fixtures: the reference regions with demo users, and signing in through the login form."""

import re

import pytest
from helpers import CONTACT  # noqa: F401 (re-exported for web tests)

from caseflow.services import accounts, regions

PASSWORD = accounts.DEMO_PASSWORD


@pytest.fixture
def demo_users(app):
    with app.app_context():
        regions.load_reference_regions()
        accounts.seed_demo_users()
    return app


def csrf_token(client, path="/login") -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def login(client, username: str, password: str = PASSWORD):
    client.post("/logout", data={"csrf_token": _maybe_token(client)})
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": csrf_token(client)})


def _maybe_token(client) -> str:
    page = client.get("/login").get_data(as_text=True)
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    return found.group(1) if found else ""
