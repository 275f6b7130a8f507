"""Workflow code is sandboxed: known escape payloads in a script task, a gateway condition, a timer expression
and a DMN table are refused at deploy naming the element, and cannot run at run time even in a spec that never
went through deploy. What designers do write keeps working."""

import uuid
from datetime import UTC, datetime
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from caseflow import engine
from caseflow.domain.clock import Clock
from caseflow.engine import sandbox
from caseflow.engine.sandbox import UnsafeCode
from caseflow.errors import InvalidSpec

FIXTURES = Path(__file__).resolve().parents[2] / "bpmn"

# (payload, the construct the refusal names); each is an expression, so it fits every place.
PAYLOADS = [
    ("().__class__.__base__.__subclasses__()", "__subclasses__"),
    ('[c for c in ().__class__.__base__.__subclasses__() if c.__name__ == "_wrap_close"][0]'
     '.__init__.__globals__["popen"]("id").read()', "__globals__"),
    ('"{0.__class__.__base__}".format(())', "format"),
    ('"{x.__class__}".format_map({"x": ()})', "format_map"),
    ("(x for x in ()).gi_frame.f_globals", "f_globals"),
    ("(x for x in ()).gi_frame", "gi_frame"),
    ("(lambda: 0).__globals__", "__globals__"),
    ("(lambda y: lambda: y)(1)", "y"),
    ("(lambda y: lambda: y)(1).__closure__[0].cell_contents", "cell_contents"),
    ('type("Escape", (), {})', "type"),
    ('__import__("os").popen("id").read()', "__import__"),
    ('getattr((), "__cl" + "ass__")', "getattr"),
    ("[].__class__", "__class__"),
    ("vars()", "vars"),
    ("globals()", "globals"),
    ("str.mro()", "mro"),
]
PAYLOAD_IDS = [f"payload{number}" for number in range(len(PAYLOADS))]

# (payload, construct) that only a script can hold.
SCRIPT_PAYLOADS = [
    ("import os\nleaked = os.popen('id').read()", "import"),
    ("from os import popen", "import"),
    ("def outer():\n    secret = 1\n    def inner():\n        return secret\n    return inner\n"
     "leaked = outer().__closure__", "def"),
    ("class Escape:\n    pass", "class"),
    ("try:\n    1 / 0\nexcept ZeroDivisionError as error:\n    leaked = error.__traceback__.tb_frame", "try"),
    ("match ():\n    case tuple(__class__=cls):\n        leaked = cls", "match"),
    ("global leaked", "global"),
    ("leaked = [frame.f_back for frame in []]", "f_back"),
]


def _read(name: str) -> str:
    return (FIXTURES / name).read_text()


def _script(payload: str) -> dict[str, str]:
    xml = _read("sandbox_script.bpmn").replace('leaked = "nothing"', escape(payload))
    return {"sandbox_script.bpmn": xml}


def _expression_in(place: str, payload: str) -> dict[str, str]:
    text = escape(payload)
    if place == "gateway":
        return {"sandbox_gateway.bpmn": _read("sandbox_gateway.bpmn").replace('route == "payload"', text)}
    if place == "timer":
        return {"sandbox_timer.bpmn": _read("sandbox_timer.bpmn").replace('"P1D"', text)}
    dmn = _read("sandbox_routing.dmn")
    old = {"dmn_input": "<text>status</text>", "dmn_input_entry": '<text>"seeking"</text>',
           "dmn_output_entry": '<text>"advise"</text>'}[place]
    return {"sandbox_decision.bpmn": _read("sandbox_decision.bpmn"),
            "sandbox_routing.dmn": dmn.replace(old, f"<text>{text}</text>")}


# place: (process id, element the refusal names)
PLACES = {
    "script": ("sandbox_script", "leak"),
    "gateway": ("sandbox_gateway", "to_payload"),
    "timer": ("sandbox_timer", "wait"),
    "dmn_input": ("sandbox_decision", "sandbox_routing_in"),
    "dmn_input_entry": ("sandbox_decision", "sandbox_routing_r1_in"),
    "dmn_output_entry": ("sandbox_decision", "sandbox_routing_r1_out"),
}


def files_with(place: str, payload: str) -> dict[str, str]:
    return _script(f"leaked = {payload}") if place == "script" else _expression_in(place, payload)


@pytest.fixture
def clock():
    clock = Clock(frozen_at=datetime(2026, 7, 1, tzinfo=UTC))
    engine.configure(operations={}, now=clock.now)
    return clock


@pytest.mark.parametrize(("payload", "construct"), PAYLOADS, ids=PAYLOAD_IDS)
def test_escape_payload_is_refused_by_the_policy(payload, construct):
    with pytest.raises(UnsafeCode) as err:
        sandbox.check(payload, "eval")
    assert construct in str(err.value)


@pytest.mark.parametrize(("payload", "construct"), SCRIPT_PAYLOADS, ids=[c for _, c in SCRIPT_PAYLOADS])
def test_statement_escape_is_refused_in_a_script(payload, construct):
    with pytest.raises(UnsafeCode) as err:
        sandbox.check(payload, "exec")
    assert construct in str(err.value)


@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize(("payload", "construct"), PAYLOADS, ids=PAYLOAD_IDS)
def test_escape_payload_is_refused_at_deploy_naming_the_element(place, payload, construct):
    process_id, element = PLACES[place]
    with pytest.raises(InvalidSpec) as err:
        engine.build_bundle(files_with(place, payload), process_id, operations=set())
    assert err.value.element == element
    assert construct in str(err.value)


@pytest.mark.parametrize(("payload", "construct"), SCRIPT_PAYLOADS, ids=[c for _, c in SCRIPT_PAYLOADS])
def test_statement_escape_in_a_script_task_is_refused_at_deploy(payload, construct):
    with pytest.raises(InvalidSpec) as err:
        engine.build_bundle(_script(payload), "sandbox_script", operations=set())
    assert err.value.element == "leak" and construct in str(err.value)


def test_the_fixtures_deploy_and_run_without_a_payload(clock):
    for place, (process_id, _) in PLACES.items():
        files = _script('leaked = "nothing"') if place == "script" else _expression_in(place, {
            "gateway": 'route == "payload"', "timer": '"P1D"', "dmn_input": "status",
            "dmn_input_entry": '"seeking"', "dmn_output_entry": '"advise"'}[place])
        bundle = engine.build_bundle(files, process_id, operations=set())
        snapshot = engine.start(bundle.sha256, process_id, None, {"status": "seeking", "route": "payload"})
        assert snapshot.completed or snapshot.next_due is not None


@pytest.mark.parametrize(("payload", "construct"), PAYLOADS, ids=PAYLOAD_IDS)
def test_escape_payload_cannot_run_through_the_script_engine(payload, construct):
    environment = engine.runtime._script_engine.environment
    with pytest.raises(UnsafeCode):
        environment.evaluate(payload, {})
    data = {}
    with pytest.raises(UnsafeCode):
        environment.execute(f"leaked = {payload}", data)
    assert "leaked" not in data


@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize(("payload", "construct"), PAYLOADS, ids=PAYLOAD_IDS)
def test_escape_payload_in_a_spec_that_skipped_deploy_fails_at_run_time(clock, place, payload, construct):
    process_id, _ = PLACES[place]
    unchecked = f"unchecked-{uuid.uuid4()}"  # get_specs parses these files without any deploy check
    with pytest.raises(engine.EngineError) as err:
        engine.start(unchecked, process_id, files_with(place, payload), {"status": "seeking", "route": "x"})
    assert construct in str(err.value)


def test_shell_command_from_a_script_never_runs(clock, tmp_path):
    marker = tmp_path / "escaped"
    payload = ('[c for c in ().__class__.__base__.__subclasses__() if c.__name__ == "_wrap_close"][0]'
               f'.__init__.__globals__["popen"]("touch {marker}").read()')
    with pytest.raises(engine.EngineError):
        engine.start(f"unchecked-{uuid.uuid4()}", "sandbox_script", _script(f"leaked = {payload}"), {})
    assert not marker.exists()


def test_task_data_cannot_replace_the_builtins():
    environment = engine.runtime._script_engine.environment
    assert environment.evaluate("len(items)", {"items": [1, 2], "__builtins__": {"len": print}}) == 2


@pytest.mark.parametrize(("source", "data", "expected"), [
    ("contact['reached'] and not placed", {"contact": {"reached": True}, "placed": False}, True),
    ('f"P{days}D"', {"days": 30}, "P30D"),
    ("visit['at']", {"visit": {"at": "2026-08-01T00:00:00+00:00"}}, "2026-08-01T00:00:00+00:00"),
    ("(datetime(2026, 7, 1) + timedelta(days=30)).isoformat()", {}, "2026-07-31T00:00:00"),
    ("sorted(rows, key=lambda row: row['n'])[0]['n']", {"rows": [{"n": 2}, {"n": 1}]}, 1),
    ("sum(p['amount'] for p in payments if p.get('paid'))", {"payments": [{"amount": 5, "paid": True}]}, 5),
    ("{k: v for k, v in scores.items() if v > 1}", {"scores": {"a": 1, "b": 2}}, {"b": 2}),
    ("'%s-%02d' % (name.upper(), n)", {"name": "x", "n": 3}, "X-03"),
    ("status in ('seeking', 'no_intent') and len(status) > 3", {"status": "seeking"}, True),
])
def test_workflow_code_designers_write_still_runs(source, data, expected):
    assert engine.runtime._script_engine.environment.evaluate(source, data) == expected


def test_scripts_assign_task_data_and_leave_no_helpers_behind():
    data = {"items": [3, 1, 2]}
    script = "total = 0\nfor item in items:\n    if item > 1:\n        total += item\nfirst = sorted(items)[0]"
    engine.runtime._script_engine.environment.execute(script, data)
    assert data == {"items": [3, 1, 2], "item": 2, "total": 5, "first": 1}


def test_checked_code_is_compiled_once_per_source():
    source = "route == 'close'"
    assert sandbox.compile_checked(source, "eval") is sandbox.compile_checked(source, "eval")
