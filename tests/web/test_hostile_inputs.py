"""Hostile and careless input on every route: out-of-range integers, NUL and control characters, extreme dates,
huge values and headers are refused with a 4xx that changes nothing; no request answers 5xx, and no NUL ever
reaches the database (PostgreSQL cannot store one)."""

import json
import os
import re
import zlib
from urllib.parse import quote

import pytest
from helpers import CONTACT, graduate, valid_id
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from sqlalchemy import event, func, select
from web_helpers import csrf_token, login
from werkzeug.datastructures import ImmutableMultiDict

from caseflow.domain.actor import SYSTEM
from caseflow.domain.enums import HumanTaskState
from caseflow.extensions import db
from caseflow.models import Case, HumanTask, User
from caseflow.services import casefile, cases, deployment

BIG = "2147483648"  # one past PostgreSQL's integer
EXAMPLES_PER_ROUTE = int(os.environ.get("HOSTILE_EXAMPLES", "8"))
# Parameter names sent to every route besides those it was seen to read; a view reads others (the task forms'
# fields through the service) and those are learned by a first, plain request to each route.
GENERIC_NAMES = ("q", "page", "case", "to", "from", "on", "next", "back", "reason", "idempotency_key", "csrf_token")
INTS = ("2147483648", "2147483647", "-2147483649", "0", "-1", "9" * 25, "1e9", "١٢", "0x10", " 7 ", "+3")
DATES = ("0001-01-01", "9999-12-31", "1899-12-31", "2201-01-01", "2026-02-30", "2026-13-01", "20260701")
HUGE = ("m" * 101, "m" * 201, "m" * 501, "x" * 1_001, "y" * 20_001, "9" * 5_000)  # past columns and limits


class RecordingParameters(ImmutableMultiDict):
    """Query and form parameters that note every name a view asks for."""

    read: set[str] = set()

    def get(self, key, default=None, type=None):  # noqa: A002 (werkzeug's signature)
        self.read.add(key)
        return super().get(key, default, type)

    def getlist(self, key, type=None):  # noqa: A002
        self.read.add(key)
        return super().getlist(key, type)

    def __getitem__(self, key):
        self.read.add(key)
        return super().__getitem__(key)


@pytest.fixture
def world(app, demo_users):
    """A case in 南关区 with its open task, and the real ids, codes and choices the routes take."""
    with app.app_context():
        cases.open_cases([graduate(valid_id("22010220030101123"), hukou="220102", name="张三")], cohort=2026,
                         actor=SYSTEM)
        db.session.commit()
        forms = deployment.list_forms().values()
        world = {"case_id": str(db.session.scalar(select(Case.id))), "task_id": db.session.scalar(select(HumanTask.id)),
                 "user_id": str(db.session.scalar(select(User.id).where(User.username == "nanguan_cw1"))),
                 "fields": sorted({field.name for form in forms for field in form.fields})}
        choices = {value for form in forms for field in form.fields for value, _label in field.choices}
    world["plausible"] = sorted(choices) + [world["case_id"], world["user_id"], world["task_id"], "1", "2",
                                            "2026-07-01", "2026-06-30", "220102", "220103", "team", "all", "due",
                                            "nanguan_cw1", "because the caseworker is away", "/supervision/"]
    return world


def _real_path_values(world) -> dict[str, tuple[str, ...]]:
    return {"case_id": (world["case_id"],), "user_id": (world["user_id"],), "task_id": (world["task_id"],),
            "action": tuple(casefile.ACTIONS), "code": ("en", "zh_CN"), "filename": ("caseflow.css",),
            "name": ("contact_details_received", "bpmn-navigated-viewer.production.min.js")}


def hostile_text() -> st.SearchStrategy[str]:
    control = st.text(st.characters(max_codepoint=0x9F, categories=["Cc"]), min_size=1, max_size=3)
    return st.one_of(st.sampled_from(INTS), st.sampled_from(DATES), st.sampled_from(HUGE), st.text(max_size=30),
                     st.tuples(st.text(max_size=8), control, st.text(max_size=8)).map("".join))


def hostile_json(world) -> st.SearchStrategy:
    scalars = st.one_of(st.none(), st.booleans(), st.integers(min_value=-(10**30), max_value=10**30),
                        st.floats(allow_nan=True, allow_infinity=True), st.sampled_from(world["plausible"]),
                        hostile_text())
    return st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                        | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=8)


def routes(app) -> list[tuple]:
    """Every (rule, method) of the app that answers GET or POST."""
    return sorted(((rule, method) for rule in app.url_map.iter_rules()
                   for method in sorted(rule.methods & {"GET", "POST"})), key=lambda r: (r[0].rule, r[1]))


def _path(rule, values: dict[str, str]) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: quote(values[m.group(1)], safe=""), rule.rule)


def _json_body(draw, world) -> dict:
    fields = st.dictionaries(st.sampled_from(world["fields"]), hostile_json(world), max_size=4)
    body = draw(st.one_of(hostile_json(world), st.fixed_dictionaries(
        {"data": fields}, optional={"correlation_key": hostile_json(world), "payload": hostile_json(world)})))
    raw = draw(st.sampled_from([json.dumps(body)] * 4 + ["[" * 50_000, '{"data": NaN}']))
    return {"data": raw, "content_type": "application/json"}


@st.composite
def hostile_request(draw, rule, method: str, world, names: tuple[str, ...]) -> dict:
    """A request to `rule`: most values plausible, some hostile, in the path, query, form or JSON body and the
    Idempotency-Key header; a form carries the session's CSRF token most of the time."""
    value = st.one_of(st.sampled_from(world["plausible"]), st.sampled_from(world["plausible"]), hostile_text())
    real = _real_path_values(world)
    params = st.dictionaries(st.sampled_from(names), value, max_size=4)
    request = {"path": _path(rule, {arg: draw(st.one_of(st.sampled_from(real.get(arg, ("x",))), hostile_text()))
                                    for arg in rule.arguments}),
               "method": method, "query_string": draw(params), "headers": {}}
    if draw(st.booleans()):
        request["headers"]["Idempotency-Key"] = draw(st.one_of(
            st.just("k" * 101), st.just("k" * 5_000), hostile_text().filter(lambda v: not re.search("[\r\n]", v))))
    if method == "POST" and (rule.rule.startswith("/api/") or draw(st.sampled_from((False,) * 4 + (True,)))):
        request.update(_json_body(draw, world))
    elif method == "POST":
        form = draw(params)
        with_token = draw(st.sampled_from((True,) * 5 + (False,)))
        request["data"] = {**form, "csrf_token": world["token"]} if with_token else form
    return request


def _holds_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        value = list(value.values())
    return isinstance(value, list | tuple) and any(_holds_nul(item) for item in value)


@pytest.fixture
def nul_watch(app):
    """Every statement sent to the database with a parameter that holds a NUL."""
    seen = []

    def watch(_conn, _cursor, statement, parameters, _context, _many):
        if _holds_nul(parameters):
            seen.append(statement[:80])

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", watch)
    yield seen
    event.remove(engine, "before_cursor_execute", watch)


def _driver(client, rule, method: str, world, names: tuple[str, ...], *, nul_watch: list, answers: list):
    """A property test of one route: hostile requests never answer 5xx nor bring a NUL to the database; its
    examples are drawn from a seed of the route's own, so every run drives the same requests."""

    @seed(zlib.crc32(f"{method} {rule.rule}".encode()))
    @settings(max_examples=EXAMPLES_PER_ROUTE, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(request=hostile_request(rule, method, world, names))
    def drive(request):
        response = client.open(**request)
        if rule.endpoint == "auth.logout":
            login(client, "admin")
        answers.append(response.status_code)
        assert response.status_code < 500, (request, response.status_code)
        assert nul_watch == [], request

    return drive


def _names_read(client, rule, method: str, world) -> tuple[str, ...]:
    """The parameter names a route reads when sent a plain request (learned, so new parameters are covered)."""
    RecordingParameters.read = set()
    path = _path(rule, {arg: _real_path_values(world).get(arg, ("x",))[0] for arg in rule.arguments})
    client.open(path, method=method, data={"csrf_token": world["token"]} if method == "POST" else None)
    if rule.endpoint == "auth.logout":
        login(client, "admin")
    return tuple(sorted(RecordingParameters.read | set(GENERIC_NAMES)))


def test_no_route_answers_5xx_to_hostile_input(app, client, world, nul_watch):
    app.request_class = type("RecordingRequest", (app.request_class,), {"parameter_storage_class": RecordingParameters})
    login(client, "admin")
    world["token"] = csrf_token(client, f"/tasks/{world['task_id']}")
    driven, answers = set(), []
    for rule, method in routes(app):
        names = _names_read(client, rule, method, world)
        _driver(client, rule, method, world, names, nul_watch=nul_watch, answers=answers)()
        driven.add(rule.endpoint)
    assert {"cases.show", "api.complete_task", "supervision.audit_log", "auth.login", "static"} <= driven
    assert sum(status < 400 for status in answers) > len(answers) // 6  # many requests got past the refusals


# The inputs of the report, each with the answer it gets: an id that cannot exist is 404, anything else 400.
REPORTED_GETS = [
    ("/tasks/%00", 400), ("/tasks/a%00b", 400), (f"/cases/{BIG}", 404), (f"/cases/{BIG}/diagram.json", 404),
    ("/cases/" + "9" * 30, 404), (f"/supervision/caseworkers/{BIG}", 404), ("/inbox?q=a%00b", 400),
    ("/cases?q=a%00b", 400), ("/cases/export.xlsx?q=%00", 400), ("/inbox?task=%00", 400),
    (f"/supervision/audit?case={BIG}", 400), ("/supervision/audit?from=0001-01-01", 400),
    ("/supervision/audit?to=9999-12-31", 400), ("/supervision/audit?user=%00", 400),
    ("/supervision/report?on=0001-01-01", 400), ("/supervision/report.xlsx?on=0001-01-01", 400),
    (f"/supervision/cases?caseworker={BIG}", 400), ("/supervision/approvals?kind=%00", 400),
    ("/lang/%00", 400), ("/inbox?q=" + "x" * 1_001, 400),
]


@pytest.mark.parametrize(("path", "status"), REPORTED_GETS)
def test_reported_hostile_gets_are_refused_with_a_4xx(client, world, path, status):
    login(client, "admin")
    assert client.get(path).status_code == status


def test_huge_page_numbers_show_the_last_page(client, world):
    login(client, "admin")
    for path in ("/inbox", "/cases", "/supervision/audit", "/supervision/cases", "/supervision/approvals"):
        assert client.get(f"{path}?page={10**20}").status_code == 200, path


def test_a_refusal_says_why_in_the_users_language(client, world):
    login(client, "admin")
    client.get("/lang/en")
    assert "must be a date between the years 1900 and 2200" in \
        client.get("/supervision/audit?from=0001-01-01").get_data(as_text=True)
    client.get("/lang/zh_CN")
    page = client.get("/inbox?q=%00").get_data(as_text=True)
    assert "控制字符" in page
    answer = client.post("/api/tasks/x%00/complete", json={"data": {}}, headers={"Accept": "application/json"})
    assert answer.status_code == 400 and "控制字符" in answer.get_json()["message"]
    assert "页面不存在" in client.get(f"/cases/{BIG}").get_data(as_text=True)


def test_nul_in_the_login_name_is_refused_before_any_sign_in_attempt(client, world):
    token = csrf_token(client)
    answer = client.post("/login", data={"username": "ad\x00min", "password": "x", "csrf_token": token})
    assert answer.status_code == 400


def _row_counts() -> dict[str, int]:
    return {table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables}


def _refused_posts(world) -> list[tuple[str, dict]]:
    case_id, task_id = world["case_id"], world["task_id"]
    return [
        ("/login", {"username": "a\x00b", "password": "x"}),
        (f"/cases/{BIG}/reveal", {"reason": "because I must"}),
        (f"/cases/{case_id}/reveal", {"reason": "because\x00"}),
        (f"/cases/{case_id}/transfer", {"to_county": "220103", "reason": "x\x00"}),
        (f"/cases/{case_id}/actions/note", {"text": "\x00"}),
        ("/supervision/reassign", {"case": f"{case_id}:{BIG}", "to": str(world["user_id"]), "reason": "cover"}),
        (f"/supervision/tasks/{task_id}/reassign", {"to": BIG, "reason": "cover"}),
        (f"/supervision/caseworkers/{world['user_id']}/absence",
         {"away_from": "0001-01-01", "away_until": "9999-12-31"}),
        (f"/tasks/{task_id}/draft", {"channel": "ph\x00one"}),
        (f"/tasks/{task_id}", {**CONTACT, "idempotency_key": "k" * 101}),
        (f"/tasks/{task_id}", {**CONTACT, "contacted_on": "0001-01-01"}),
        (f"/tasks/{task_id}", {**CONTACT, "channel": "phone\x00"}),
    ]


def test_refused_requests_change_nothing(app, client, world):
    login(client, "admin")
    token = csrf_token(client, f"/tasks/{world['task_id']}")
    with app.app_context():
        before = _row_counts()
    answers = [client.post(path, data={"csrf_token": token, **form}).status_code
               for path, form in _refused_posts(world)]
    answers += [client.get(path).status_code for path, _ in REPORTED_GETS]
    answers += [client.post(f"/api/tasks/{world['task_id']}/complete", json={"data": CONTACT},
                            headers={"Idempotency-Key": "k" * 101}).status_code,
                client.post("/api/messages/contact_details_received",
                            json={"correlation_key": "x\x00", "payload": {}}).status_code]
    assert all(400 <= status < 500 for status in answers), answers
    with app.app_context():
        assert _row_counts() == before
        assert db.session.get(HumanTask, world["task_id"]).state == HumanTaskState.READY
        assert db.session.get(HumanTask, world["task_id"]).draft is None


def test_an_idempotency_key_over_100_characters_is_refused_by_the_api(app, client, world):
    login(client, "admin")
    answer = client.post(f"/api/tasks/{world['task_id']}/complete", json={"data": CONTACT},
                         headers={"Idempotency-Key": "k" * 101})
    assert answer.status_code == 400 and "100" in answer.get_json()["message"]
    done = client.post(f"/api/tasks/{world['task_id']}/complete", json={"data": CONTACT},
                       headers={"Idempotency-Key": "k" * 100})
    assert done.status_code == 200 and done.get_json()["replayed"] is False


def test_an_idempotency_key_replayed_with_other_data_or_by_another_user_is_refused(app, client, world):
    login(client, "admin")
    client.get("/lang/en")
    url, key = f"/api/tasks/{world['task_id']}/complete", {"Idempotency-Key": "retry-1"}
    first = client.post(url, json={"data": CONTACT}, headers=key).get_json()
    again = client.post(url, json={"data": CONTACT}, headers=key)
    assert again.status_code == 200 and again.get_json() == {**first, "replayed": True}
    other = client.post(url, json={"data": {**CONTACT, "outcome": "no_answer"}}, headers=key)
    assert other.status_code == 422 and "different data" in other.get_json()["message"]
    login(client, "nanguan_sup")
    client.get("/lang/en")
    stolen = client.post(url, json={"data": CONTACT}, headers=key)
    assert stolen.status_code == 422 and "another user" in stolen.get_json()["message"]


def test_a_body_over_the_request_limit_is_refused_as_too_large(app, client, world):
    login(client, "admin")
    client.get("/lang/en")
    token = csrf_token(client, f"/tasks/{world['task_id']}")
    answer = client.post(f"/tasks/{world['task_id']}/draft", data={"csrf_token": token, "notes": "x" * (3 << 20)})
    assert answer.status_code == 413 and "too large" in answer.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(HumanTask, world["task_id"]).draft is None
