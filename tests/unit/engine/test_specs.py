"""Deploy-time validation of BPMN bundles: every refusal names what is wrong and where."""

from pathlib import Path

import pytest

from caseflow import engine
from caseflow.errors import InvalidSpec

ROOT = Path(__file__).resolve().parents[3]
DEMO = (ROOT / "workflows" / "bpmn" / "demo_followup.bpmn").read_text()
OPS = {"add_working_days"}
LANES = {"caseworker", "system"}
FORMS = {"first_contact", "follow_up"}


def build(xml: str, **kwargs):
    options = {"operations": OPS, "forms": FORMS, "lanes": LANES} | kwargs
    return engine.build_bundle({"demo_followup.bpmn": xml}, "demo_followup", **options)


def test_valid_bundle_lists_user_tasks_with_lane_and_form():
    bundle = build(DEMO)
    assert [(t.bpmn_id, t.lane, t.form) for t in bundle.user_tasks] == [
        ("first_contact", "就业服务专员\nCaseworker", "first_contact"),
        ("follow_up", "就业服务专员\nCaseworker", "follow_up")]
    assert len(bundle.sha256) == 64


def test_hash_depends_on_content_only():
    assert build(DEMO).sha256 == build(DEMO).sha256
    assert build(DEMO).sha256 != build(DEMO.replace("Record first contact", "Record contact")).sha256


def test_unknown_service_operation_is_refused_naming_the_task():
    with pytest.raises(InvalidSpec) as err:
        build(DEMO, operations={"something_else"})
    assert err.value.element == "plan_follow_up"
    assert "add_working_days" in str(err.value)


def test_unquoted_timer_expression_is_refused_naming_the_event():
    with pytest.raises(InvalidSpec) as err:
        build(DEMO.replace('"P30D"', "P30D"))
    assert err.value.element == "wait_one_month"
    assert "quoted" in str(err.value)


def test_not_xml_is_refused():
    with pytest.raises(InvalidSpec, match="not well-formed"):
        build("this is not a diagram")


def test_entity_expansion_is_refused_before_parsing():
    bomb = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
            '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">&lol2;</bpmn:definitions>')
    with pytest.raises(InvalidSpec, match="forbidden XML construct"):
        build(bomb)


def test_external_entity_is_refused():
    xxe = ('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
           '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">&x;</bpmn:definitions>')
    with pytest.raises(InvalidSpec, match="forbidden XML construct"):
        build(xxe)


def test_oversized_file_is_refused():
    with pytest.raises(InvalidSpec, match="larger than"):
        build(DEMO.replace("</bpmn:definitions>", "<!--" + "x" * (3 * 1024 * 1024) + "--></bpmn:definitions>"))


def test_process_without_start_event_is_refused():
    no_start = DEMO.replace('<bpmn:startEvent id="start" name="毕业生移交&#10;Graduate handed over">\n'
                            '      <bpmn:outgoing>flow_start</bpmn:outgoing>\n    </bpmn:startEvent>', "")
    no_start = no_start.replace('<bpmn:sequenceFlow id="flow_start" sourceRef="start" targetRef="first_contact" />',
                                "").replace("<bpmn:flowNodeRef>start</bpmn:flowNodeRef>", "")
    no_start = no_start.replace("<bpmn:incoming>flow_start</bpmn:incoming>", "")
    with pytest.raises(InvalidSpec) as err:
        build(no_start)
    assert "start event" in str(err.value)


def test_unknown_form_is_refused_naming_the_task():
    with pytest.raises(InvalidSpec) as err:
        build(DEMO, forms={"first_contact"})
    assert err.value.element == "follow_up"


def test_lane_that_is_no_role_is_refused():
    with pytest.raises(InvalidSpec) as err:
        build(DEMO.replace('name="就业服务专员&#10;Caseworker"', 'name="某人&#10;Somebody"'))
    assert err.value.element == "first_contact"


def test_unknown_process_id_is_refused():
    with pytest.raises(InvalidSpec, match="no process"):
        engine.build_bundle({"demo_followup.bpmn": DEMO}, "missing", operations=OPS)


@pytest.mark.parametrize(("original", "replacement", "construct"), [
    ('<bpmn:timeDuration>"P30D"</bpmn:timeDuration>', '<bpmn:timeCycle>"R/P1M"</bpmn:timeCycle>',
     "CycleTimerEventDefinition"),
    ('<bpmn:timerEventDefinition id="wait_one_month_timer">\n        <bpmn:timeDuration>"P30D"</bpmn:timeDuration>\n'
     '      </bpmn:timerEventDefinition>', '<bpmn:signalEventDefinition id="wait_signal"/>', "SignalEventDefinition"),
])
def test_a_construct_not_proven_to_restore_is_refused_naming_the_element(original, replacement, construct):
    assert original in DEMO
    with pytest.raises(InvalidSpec) as err:
        build(DEMO.replace(original, replacement))
    assert err.value.element == "wait_one_month"
    assert construct in str(err.value)


def test_an_inclusive_gateway_is_refused():
    xml = DEMO.replace('<bpmn:intermediateCatchEvent id="wait_one_month" name="30天后&#10;30 days later">',
                       '<bpmn:inclusiveGateway id="wait_one_month" name="30 days later">')
    xml = xml.replace('</bpmn:intermediateCatchEvent>', '</bpmn:inclusiveGateway>')
    xml = xml.replace('<bpmn:timerEventDefinition id="wait_one_month_timer">\n        <bpmn:timeDuration>"P30D"'
                      '</bpmn:timeDuration>\n      </bpmn:timerEventDefinition>', '')
    with pytest.raises(InvalidSpec, match="InclusiveGateway") as err:
        build(xml)
    assert err.value.element == "wait_one_month"


TIMER = (ROOT / "tests" / "bpmn" / "sandbox_timer.bpmn").read_text()


def build_timer(kind: str, expression: str):
    xml = TIMER.replace('<bpmn:timeDuration>"P1D"</bpmn:timeDuration>',
                        f"<bpmn:{kind}>{expression}</bpmn:{kind}>")
    return engine.build_bundle({"sandbox_timer.bpmn": xml}, "sandbox_timer", operations=set())


@pytest.mark.parametrize(("kind", "literal", "reason"), [
    ("timeDuration", '"PXYZ"', "ISO 8601 duration"),
    ("timeDuration", '"-P1D"', "ISO 8601 duration"),
    ("timeDuration", '"P1D2"', "ISO 8601 duration"),
    ("timeDuration", "30", "must give text"),
    ("timeDate", '"P30D"', "ISO 8601 date"),
    ("timeDate", '"2026-13-01T00:00:00+08:00"', "ISO 8601 date"),
    ("timeDate", '"2026-09-01T09:00:00"', "UTC offset"),
    ("timeCycle", '"R3/PXYZ"', "ISO 8601 cycle"),
    ("timeCycle", '"R/PT0S"', "positive interval"),
    ("timeCycle", '"every month"', "ISO 8601 cycle"),
])
def test_malformed_timer_literal_is_refused_at_deploy_naming_the_event(kind, literal, reason):
    with pytest.raises(InvalidSpec) as err:
        build_timer(kind, literal)
    assert err.value.element == "wait"
    assert reason in str(err.value) and literal in str(err.value)


@pytest.mark.parametrize(("kind", "expression"), [
    ("timeDuration", '"P1D"'), ("timeDuration", '"PT1H30M"'), ("timeDuration", '"P1Y2M"'),
    ("timeDuration", 'f"P{days}D"'), ("timeDuration", "post_placement_check"),
    ("timeDate", '"2026-09-01T09:00:00+08:00"'), ("timeDate", '"2026-09-01T01:00:00Z"'),
    ("timeDate", 'visit["at"]'),
])
def test_well_formed_timer_expression_deploys(kind, expression):
    assert build_timer(kind, expression).process_id == "sandbox_timer"


@pytest.mark.parametrize("expression", ['"R3/P1M"', '"R/2026-09-01T00:00:00+08:00/P1D"'])
def test_a_well_formed_cycle_is_still_refused_as_a_construct(expression):
    with pytest.raises(InvalidSpec, match="CycleTimerEventDefinition") as err:  # they drift and grow the tree
        build_timer("timeCycle", expression)
    assert err.value.element == "wait"
