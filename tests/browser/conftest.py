"""Browser tests: the test app served on a free local port, Debian's chromium driven by Playwright.

They skip when /usr/bin/chromium is absent on a developer machine; CI installs it and sets
CASEFLOW_REQUIRE_BROWSER=1, which turns a missing browser into a failure."""

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CASEFLOW_REQUIRE_BROWSER"):
            pytest.fail(f"{CHROMIUM} is missing but CASEFLOW_REQUIRE_BROWSER is set")
        pytest.skip(f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


# Every page reports what the Content-Security-Policy blocked; a browser test fails on any such report.
REPORT_CSP_VIOLATIONS = """
document.addEventListener('securitypolicyviolation', (e) => window.cspViolation(
  [e.effectiveDirective, e.blockedURI, e.sourceFile + ':' + e.lineNumber, e.documentURI].join(' ')));
"""


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    violations = []
    context.expose_function("cspViolation", lambda report: violations.append(report))
    context.add_init_script(REPORT_CSP_VIOLATIONS)
    page = context.new_page()
    page.base = live_server
    page.csp_violations = violations
    yield page
    context.close()
    assert violations == [], "the Content-Security-Policy blocked something these pages use"
