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


_TBODY = re.compile(r"<tbody>(.*?)</tbody>", re.S)
_FIRST_LINK = re.compile(r'href="([^"]+)"')
_ROW_ID = re.compile(r'\s+id="([^"]+)"')
_PAGE_LINK = re.compile(r'href="([^"]*[?&]page=(\d+)[^"]*)"')


def _rows(html: str, table: str | None = None) -> list[str]:
    """What identifies each table row of the page (or of its table with this id): its id, else its first link."""
    if table is not None:
        html = re.search(rf'<table[^>]*id="{table}".*?</table>', html, re.S).group(0)
    body = "".join(_TBODY.findall(html))
    keys = []
    for chunk in body.split("<tr")[1:]:
        found = _ROW_ID.match(chunk) or _FIRST_LINK.search(chunk)
        if found:
            keys.append(found.group(1))
    return keys


def walk(client, path: str, table: str | None = None) -> tuple[list[str], int]:
    """Follow the pager from the first page to the last; return every row seen and the number of pages."""
    html = client.get(path).get_data(as_text=True)
    numbers = {int(n) for _href, n in _PAGE_LINK.findall(html.replace("&amp;", "&"))}
    pages = max(numbers | {1})
    assert set(range(2, pages + 1)) <= numbers, f"page 1 of {path} does not link every page"
    seen = _rows(html, table)
    for number in range(2, pages + 1):
        response = client.get(f"{path}{'&' if '?' in path else '?'}page={number}")
        assert response.status_code == 200
        rows = _rows(response.get_data(as_text=True), table)
        assert 0 < len(rows) <= 50
        seen += rows
    assert len(seen) == len(set(seen)), f"{path}: a row appears on two pages"
    for wild in ("0", "-3", "99999999999999999999", "abc"):  # out of range: the nearest page, never an error
        response = client.get(f"{path}{'&' if '?' in path else '?'}page={wild}")
        assert response.status_code == 200, (path, wild)
        assert _rows(response.get_data(as_text=True), table)
    return seen, pages
