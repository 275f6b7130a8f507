"""Pages offer only what the user's roles may do: signed in as each role, every page reached by following links
answers, every form on it is an action the role → permission table (domain.permissions.GRANTS, through
web.visibility.ENDPOINT_PERMISSIONS) grants, and submitting it never answers 403."""

import re
from collections import Counter
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlsplit

import pytest
from helpers import deploy_flaky, waiting_on_flaky_timer
from supervision_helpers import REACHED, do, open_in, owner
from web_helpers import login
from werkzeug.exceptions import HTTPException

from caseflow.domain.actor import lane_role
from caseflow.domain.permissions import GRANTS, Permission
from caseflow.services import timers
from caseflow.web.visibility import ANYONE, ENDPOINT_PERMISSIONS, LANE

START_PAGES = ("/inbox", "/inbox?scope=team", "/cases", "/postings", "/supervision/", "/supervision/approvals",
               "/console", "/incidents", "/admin/users", "/admin/provinces", "/admin/lanes", "/campaigns/")
# Forms whose effect would end the crawl (signing out, a new password for oneself); they are checked against
# the table only.
NOT_SUBMITTED = {"auth.logout", "auth.change_password", "admin.reset_password", "admin.set_active"}
SKIPPED_LINKS = ("/static/", "/vendor/", "/lang/", "/logout")
PER_ENDPOINT = 3  # distinct pages of one kind visited per role


class Page(HTMLParser):
    """The links and forms of a page: each form's action, method and the values it would send as it stands."""

    def __init__(self):
        super().__init__()
        self.links, self.forms, self._form, self._select = [], [], None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = {"action": a.get("action") or "", "method": (a.get("method") or "get").lower(),
                          "fields": [], "buttons": []}
            self.forms.append(self._form)
        elif self._form is not None:
            self._field(tag, a)

    def _field(self, tag, a):
        fields = self._form["fields"]
        if tag == "input" and a.get("type") not in ("submit", "file", "checkbox") and a.get("name"):
            fields.append((a["name"], a.get("value") or ("测试原因" if "required" in a else "")))
        elif tag == "input" and a.get("type") == "checkbox" and a.get("name") and "checked" in a:
            fields.append((a["name"], a.get("value") or "on"))
        elif tag == "textarea" and a.get("name"):
            fields.append((a["name"], "测试"))
        elif tag == "select" and a.get("name"):
            self._select = [a["name"], None]
        elif tag == "option" and self._select is not None and (self._select[1] is None or "selected" in a):
            self._select[1] = a.get("value", "")
        elif tag == "button" and (a.get("formaction") or a.get("name")):
            self._form["buttons"].append((a.get("formaction"), a.get("name"), a.get("value")))

    def handle_endtag(self, tag):
        if tag == "select" and self._select is not None:
            self._form["fields"].append((self._select[0], self._select[1] or ""))
            self._select = None
        elif tag == "form":
            self._form = None


def _endpoint(app, path: str, method: str):
    try:
        return app.url_map.bind("localhost").match(urlsplit(path).path, method=method)
    except HTTPException:
        return None, None


def _granted(username_roles, permission) -> bool:
    return any(permission in GRANTS[role] for role in username_roles)


def _lane_ok(app, roles, view_args) -> bool:
    """The form acts on a task whose lane one of the roles works (administrators work every lane)."""
    from caseflow.extensions import db
    from caseflow.models import HumanTask

    with app.app_context():
        task = db.session.get(HumanTask, view_args.get("task_id"))
        return task is not None and (any(r.value == "admin" for r in roles) or lane_role(task.lane) in roles)


def _check_form(app, client, roles, form, problems, url):
    targets = [form["action"] or url] + [formaction for formaction, _, _ in form["buttons"] if formaction]
    for target in targets:
        endpoint, view_args = _endpoint(app, target, "POST")
        assert endpoint in ENDPOINT_PERMISSIONS, f"{target}: a form posts to {endpoint}, missing from the table"
        needed = ENDPOINT_PERMISSIONS[endpoint]
        allowed = (needed == ANYONE or (needed == LANE and _lane_ok(app, roles, view_args))
                   or (isinstance(needed, Permission) and _granted(roles, needed)))
        if not allowed:
            problems.append(f"offered {endpoint} ({target}) without {needed}")
        if endpoint in NOT_SUBMITTED:
            continue
        data = dict(form["fields"])
        data.update({name: value for _, name, value in form["buttons"][:1] if name})
        status = client.post(target, data=data).status_code
        if status == 403:
            problems.append(f"{endpoint} ({target}) offered but answered 403")


def _kind(app, url: str):
    endpoint, _args = _endpoint(app, url, "GET")
    return endpoint, tuple(sorted(key for key, _ in parse_qsl(urlsplit(url).query) if key != "page"))


def crawl(app, client, roles) -> tuple[list[str], int]:
    """Follow same-site links from the start pages; return what was wrong and how many pages were seen."""
    problems, queue, seen, kinds = [], [p for p in START_PAGES], set(), Counter()
    while queue:
        url = queue.pop(0).replace("&amp;", "&")
        if url in seen or not url.startswith("/") or url.startswith(SKIPPED_LINKS):
            continue
        seen.add(url)
        kind = _kind(app, url)
        if kind[0] is None or kinds[kind] >= PER_ENDPOINT:
            continue
        kinds[kind] += 1
        response = client.get(url)
        linked = url not in START_PAGES
        if response.status_code == 403 and linked:
            problems.append(f"a page links to {url}, which answers 403")
        assert response.status_code < 500, url
        if response.status_code != 200 or not response.mimetype == "text/html":
            continue
        page = Page()
        page.feed(response.get_data(as_text=True))
        for form in page.forms:
            if form["method"] == "post":
                _check_form(app, client, roles, form, problems, url)
        queue += page.links
    return problems, len(seen)


@pytest.fixture
def busy_region(app, clock, demo_users, monkeypatch):
    """Cases of 南关区 at several stages (team-queue approvals, caseworker tasks, a pushed job, a transfer), and a
    halted case with an incident."""
    with app.app_context():
        cases = open_in("220102", 6)
        for case_id in cases[:2]:
            worker = owner(case_id)
            for channel in ("phone", "sms", "phone"):
                do(case_id, "attempt", worker, channel=channel, outcome="no_answer", contacted_on="2026-07-01")
        worker = owner(cases[2])
        do(cases[2], "attempt", worker, **REACHED)
        do(cases[2], "classify", worker, status="seeking", startup_intent=False, effective_on="2026-07-01")
        deploy_flaky(monkeypatch)
        waiting_on_flaky_timer("220102")
        clock.advance(timedelta(days=2))
        timers.sweep()
    return cases


ROLE_USERS = ["nanguan_cw1", "nanguan_mentor", "jilin_analyst", "jilin_designer", "nanguan_sup", "jiangan_sup",
              "admin"]


@pytest.mark.parametrize("username", ROLE_USERS)
def test_no_page_offers_an_action_the_role_may_not_take(app, client, busy_region, username):
    from caseflow.extensions import db
    from caseflow.models import User

    with app.app_context():
        roles = db.session.query(User).filter_by(username=username).one().roles
    assert login(client, username).status_code == 302
    problems, pages = crawl(app, client, roles)
    assert pages > 15, pages
    assert problems == [], "\n".join(problems)


def test_every_post_endpoint_is_in_the_table(app):
    posting = {rule.endpoint for rule in app.url_map.iter_rules() if "POST" in rule.methods}
    assert posting == set(ENDPOINT_PERMISSIONS)


def test_the_templates_hid_what_each_role_was_refused_before(app, client, busy_region):
    """Analysts saw claim buttons on approvals, designers saw the reveal and note forms of a case: gone."""
    login(client, "jilin_analyst")
    approvals = client.get("/supervision/approvals").get_data(as_text=True)
    assert "/approvals" in approvals and not re.search(r'action="/tasks/[^"]+/claim"', approvals)
    login(client, "jilin_designer")
    case = client.get(f"/cases/{busy_region[2]}").get_data(as_text=True)
    assert "/reveal" not in case and "/actions/note" not in case and "/transfer" not in case
    login(client, "nanguan_mentor")
    case = client.get(f"/cases/{busy_region[2]}").get_data(as_text=True)
    assert "/actions/note" in case and "/reveal" not in case
