"""Security headers on every kind of response: pages, error pages, JSON, static files.

That the pages still work under the policy is checked in a real browser: tests/browser/conftest.py fails a
browser test on any Content-Security-Policy violation."""

from web_helpers import login

from caseflow.web.security import CONTENT_SECURITY_POLICY


def _assert_security_headers(response) -> None:
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_security_headers_on_pages_error_pages_and_json(app, client, demo_users):
    assert "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY and "unsafe" not in CONTENT_SECURITY_POLICY
    _assert_security_headers(client.get("/login"))
    _assert_security_headers(client.post("/api/tasks/x/complete", json={}))  # 401 JSON
    login(client, "nanguan_cw1")
    page, missing_case, no_route = client.get("/inbox"), client.get("/cases/999999"), client.get("/no-such-page")
    assert (page.status_code, missing_case.status_code, no_route.status_code) == (200, 404, 404)
    json_error = client.post("/api/tasks/missing/complete", json={"data": {}})
    assert json_error.status_code == 404 and json_error.is_json
    for response in (page, missing_case, no_route, json_error, client.get("/static/caseflow.css")):
        _assert_security_headers(response)


def test_secure_cookies_also_ask_browsers_to_stay_on_https(app, client, demo_users):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    app.config["SESSION_COOKIE_SECURE"] = True  # CASEFLOW_SECURE_COOKIES=1
    page = client.get("/login", base_url="https://localhost")
    assert page.headers["Strict-Transport-Security"] == "max-age=31536000"
    session_cookie = next(c for c in page.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "Secure" in session_cookie and "HttpOnly" in session_cookie
