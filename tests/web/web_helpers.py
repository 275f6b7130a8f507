"""Signing in through the login form, and reading CSRF tokens from pages."""

import re

from caseflow.services import accounts

PASSWORD = accounts.DEMO_PASSWORD
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
