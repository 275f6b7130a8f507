"""scripts/bpmn_layout.py gives a semantic-only BPMN file a complete, tidy and schema-valid diagram."""

import sys
from itertools import combinations
from pathlib import Path

import pytest
from lxml import etree
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import bpmn_layout  # noqa: E402

NS = {"bpmn": bpmn_layout.BPMN, "bpmndi": bpmn_layout.BPMNDI, "dc": bpmn_layout.DC, "di": bpmn_layout.DI}

# Two lanes; "no" at the gateway loops back to the check; a timer on the check escalates; a call activity.
REVIEW = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
                  id="defs" targetNamespace="http://x">
  <bpmn:process id="review" name="Review an application" isExecutable="true">
    <bpmn:laneSet id="lanes">
      <bpmn:lane id="lane_clerk" name="Clerk">
        <bpmn:flowNodeRef>start</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>check</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>complete</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>remind</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>escalated</bpmn:flowNodeRef>
      </bpmn:lane>
      <bpmn:lane id="lane_system" name="System">
        <bpmn:flowNodeRef>store</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>notify</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>done</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start" name="Application received" />
    <bpmn:userTask id="check" name="Check the application" />
    <bpmn:boundaryEvent id="too_slow" name="2 days" attachedToRef="check">
      <bpmn:timerEventDefinition id="too_slow_timer">
        <bpmn:timeDuration>"P2D"</bpmn:timeDuration>
      </bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:exclusiveGateway id="complete" name="Complete?" default="flow_incomplete" />
    <bpmn:scriptTask id="remind" name="Remind the clerk"><bpmn:script>reminded = True</bpmn:script></bpmn:scriptTask>
    <bpmn:endEvent id="escalated" name="Escalated" />
    <bpmn:serviceTask id="store" name="Store the decision">
      <bpmn:extensionElements>
        <spiffworkflow:serviceTaskOperator id="store_decision" resultVariable="stored">
          <spiffworkflow:parameters />
        </spiffworkflow:serviceTaskOperator>
      </bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:callActivity id="notify" name="Notify the applicant" calledElement="notify_applicant" />
    <bpmn:endEvent id="done" name="Decision stored" />
    <bpmn:sequenceFlow id="flow_start" sourceRef="start" targetRef="check" />
    <bpmn:sequenceFlow id="flow_checked" sourceRef="check" targetRef="complete" />
    <bpmn:sequenceFlow id="flow_complete" name="yes" sourceRef="complete" targetRef="store">
      <bpmn:conditionExpression>complete</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="flow_incomplete" name="no" sourceRef="complete" targetRef="check" />
    <bpmn:sequenceFlow id="flow_too_slow" sourceRef="too_slow" targetRef="remind" />
    <bpmn:sequenceFlow id="flow_reminded" sourceRef="remind" targetRef="escalated" />
    <bpmn:sequenceFlow id="flow_stored" sourceRef="store" targetRef="notify" />
    <bpmn:sequenceFlow id="flow_notified" sourceRef="notify" targetRef="done" />
  </bpmn:process>
</bpmn:definitions>
"""

NO_LANES = b"""<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="http://x">
  <process id="plain" isExecutable="true">
    <startEvent id="s" />
    <task id="t" name="Do it" />
    <endEvent id="e" />
    <sequenceFlow id="f1" sourceRef="s" targetRef="t" />
    <sequenceFlow id="f2" sourceRef="t" targetRef="e" />
  </process>
</definitions>
"""

LANE_OF = {"start": "lane_clerk", "check": "lane_clerk", "complete": "lane_clerk", "remind": "lane_clerk",
           "escalated": "lane_clerk", "too_slow": "lane_clerk", "store": "lane_system", "notify": "lane_system",
           "done": "lane_system"}
HOST_OF = {"too_slow": "check"}


@pytest.fixture(scope="module")
def laid_out() -> str:
    return bpmn_layout.relayout(REVIEW)


@pytest.fixture(scope="module")
def root(laid_out):
    return etree.fromstring(laid_out.encode())


def shapes(root) -> dict[str, bpmn_layout.Box]:
    """The bounds of every BPMNShape, by the element it shows."""
    return {shape.get("bpmnElement"): bpmn_layout.Box(*(int(shape.find("dc:Bounds", NS).get(k))
                                                       for k in ("x", "y", "width", "height")))
            for shape in root.iterfind(".//bpmndi:BPMNShape", NS)}


def waypoints(root) -> dict[str, list[tuple[int, int]]]:
    """The waypoints of every BPMNEdge, by the flow it shows."""
    return {edge.get("bpmnElement"): [(int(p.get("x")), int(p.get("y"))) for p in edge.iterfind("di:waypoint", NS)]
            for edge in root.iterfind(".//bpmndi:BPMNEdge", NS)}


def inside(inner: bpmn_layout.Box, outer: bpmn_layout.Box) -> bool:
    return outer.x <= inner.x and inner.right <= outer.right and outer.y <= inner.y and inner.bottom <= outer.bottom


def overlap(a: bpmn_layout.Box, b: bpmn_layout.Box) -> bool:
    return a.x < b.right and b.x < a.right and a.y < b.bottom and b.y < a.bottom


def on_border(point: tuple[int, int], box: bpmn_layout.Box) -> bool:
    x, y = point
    on_side = x in (box.x, box.right) and box.y <= y <= box.bottom
    return on_side or (y in (box.y, box.bottom) and box.x <= x <= box.right)


def test_every_flow_node_and_sequence_flow_has_exactly_one_di_element(root):
    process = root.find("bpmn:process", NS)
    elements = [e.get("id") for e in process if bpmn_layout.kind_of(e)]
    flows = [f.get("id") for f in process.iterfind("bpmn:sequenceFlow", NS)]
    assert len(elements) == 9 and len(flows) == 8
    shown = [di.get("bpmnElement") for di in root.iterfind(".//bpmndi:BPMNPlane/*", NS)]
    for element_id in elements + flows + ["lane_clerk", "lane_system", "review_participant"]:
        assert shown.count(element_id) == 1, element_id
    assert len(root.findall("bpmndi:BPMNDiagram", NS)) == 1


def test_a_collaboration_with_one_participant_is_added_and_is_what_the_plane_shows(root):
    participant = root.find("bpmn:collaboration/bpmn:participant", NS)
    assert participant.attrib == {"id": "review_participant", "name": "Review an application", "processRef": "review"}
    assert root.find("bpmn:collaboration", NS).get("id") == "review_collaboration"
    assert root.find(".//bpmndi:BPMNPlane", NS).get("bpmnElement") == "review_collaboration"


def test_lanes_stack_inside_the_pool_and_every_node_lies_inside_its_lane(root):
    boxes = shapes(root)
    pool, clerk, system = boxes["review_participant"], boxes["lane_clerk"], boxes["lane_system"]
    assert inside(clerk, pool) and inside(system, pool)
    assert clerk.bottom == system.y and clerk.x == pool.x + 30 and clerk.right == pool.right
    for node_id, lane in LANE_OF.items():
        assert inside(boxes[node_id], boxes[lane]), node_id


def test_no_two_shapes_overlap_except_a_boundary_event_on_its_host(root):
    boxes = shapes(root)
    nodes = {node_id: boxes[node_id] for node_id in LANE_OF}
    for (a, box_a), (b, box_b) in combinations(sorted(nodes.items()), 2):
        if HOST_OF.get(a) == b or HOST_OF.get(b) == a:
            continue
        assert not overlap(box_a, box_b), (a, b)


def test_nodes_have_standard_sizes_and_a_chain_shares_one_centre_line(root):
    boxes = shapes(root)
    assert (boxes["check"].w, boxes["check"].h) == (100, 80) == (boxes["notify"].w, boxes["notify"].h)
    assert (boxes["start"].w, boxes["complete"].w, boxes["done"].w) == (36, 50, 36)
    assert boxes["start"].cy == boxes["check"].cy == boxes["complete"].cy
    assert boxes["store"].cy == boxes["notify"].cy == boxes["done"].cy
    assert boxes["start"].cx < boxes["check"].cx < boxes["complete"].cx < boxes["store"].cx < boxes["notify"].cx
    assert boxes["notify"].cx - boxes["store"].cx == 150


def test_edges_are_orthogonal_and_run_from_border_to_border(root):
    boxes, edges = shapes(root), waypoints(root)
    model = bpmn_layout.read_model(root.find("bpmn:process", NS))
    for flow in model.flows:
        points = edges[flow.id]
        assert len(points) >= 2
        assert all(a[0] == b[0] or a[1] == b[1] for a, b in zip(points, points[1:], strict=False)), flow.id
        assert on_border(points[0], boxes[flow.source]) and on_border(points[-1], boxes[flow.target]), flow.id
    assert edges["flow_start"] == [(boxes["start"].right, boxes["start"].cy), (boxes["check"].x, boxes["check"].cy)]


def test_the_loop_is_a_back_edge_routed_around_the_row(root):
    model = bpmn_layout.read_model(root.find("bpmn:process", NS))
    assert bpmn_layout.back_edges(model) == {"flow_incomplete"}
    boxes, points = shapes(root), waypoints(root)["flow_incomplete"]
    gateway, check = boxes["complete"], boxes["check"]
    assert len(points) >= 4
    assert points[0] in ((gateway.cx, gateway.bottom), (gateway.cx, gateway.y))
    assert points[-1] in ((check.cx, check.bottom), (check.cx, check.y))
    channel = points[1][1]
    assert channel > check.bottom or channel < check.y  # runs under or over the row, not through it
    assert points[2][0] < points[1][0]  # leftwards, back to the earlier column


def test_the_boundary_timer_sits_on_its_tasks_bottom_edge_and_its_flow_goes_down_then_right(root):
    boxes, edges = shapes(root), waypoints(root)
    timer, check, remind = boxes["too_slow"], boxes["check"], boxes["remind"]
    assert (timer.w, timer.h) == (36, 36) and timer.y == check.bottom - 18
    assert check.x + check.w * 2 // 3 <= timer.cx < check.right
    points = edges["flow_too_slow"]
    assert points[0] == (timer.cx, timer.bottom) and points[1][0] == timer.cx and points[1][1] > timer.bottom
    assert points[-1] == (remind.x, remind.cy) and points[-2][1] == remind.cy


def test_named_events_gateways_and_flows_get_labels(root):
    labelled = {di.get("bpmnElement"): di.find("bpmndi:BPMNLabel/dc:Bounds", NS)
                for di in root.iterfind(".//bpmndi:BPMNPlane/*", NS)}
    boxes = shapes(root)
    for element_id in ("start", "complete", "escalated", "done", "too_slow", "flow_complete", "flow_incomplete"):
        assert labelled[element_id] is not None, element_id
    for element_id in ("flow_start", "check", "notify"):
        assert labelled[element_id] is None, element_id
    assert int(labelled["start"].get("y")) > boxes["start"].bottom  # event labels go under the event
    exclusive = root.find(".//bpmndi:BPMNShape[@bpmnElement='complete']", NS)
    assert exclusive.get("isMarkerVisible") == "true"


def test_the_result_is_schema_valid_and_parses_with_spiffworkflow(laid_out):
    parser = SpiffBpmnParser(validator=VALIDATOR)
    parser.add_bpmn_str(laid_out.encode(), filename="x.bpmn")
    spec = parser.get_spec("review")
    assert {"check", "complete", "too_slow", "notify"} <= set(spec.task_specs)


def test_output_is_deterministic_and_stable_under_a_second_run(laid_out):
    assert bpmn_layout.relayout(REVIEW) == laid_out
    assert bpmn_layout.relayout(laid_out.encode()) == laid_out


def test_an_old_diagram_is_replaced_and_the_rest_of_the_file_is_kept(laid_out):
    stale = laid_out.replace('width="100"', 'width="120"')
    assert bpmn_layout.relayout(stale.encode()) == laid_out
    assert '<bpmn:timeDuration>"P2D"</bpmn:timeDuration>' in laid_out
    assert "<bpmn:script>reminded = True</bpmn:script>" in laid_out
    assert '<spiffworkflow:parameters />' in laid_out
    assert laid_out.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions xmlns:bpmn=')
    assert '\n                  xmlns:spiffworkflow=' in laid_out  # the root start tag is kept as written
    assert '<bpmn:startEvent id="start" name="Application received" />' in laid_out  # the file's own " />" style


def test_a_process_without_lanes_becomes_a_pool_without_lanes():
    root = etree.fromstring(bpmn_layout.relayout(NO_LANES).encode())
    boxes = shapes(root)
    assert set(boxes) == {"plain_participant", "s", "t", "e"}
    assert all(inside(boxes[node], boxes["plain_participant"]) for node in "ste")
    assert boxes["s"].cy == boxes["t"].cy == boxes["e"].cy
    assert root.find("bpmn:collaboration/bpmn:participant", NS).get("name") == "plain"


def test_the_command_rewrites_files_and_check_reports_stale_ones(tmp_path, capsys):
    path = tmp_path / "review.bpmn"
    path.write_bytes(REVIEW)
    assert bpmn_layout.main(["--check", str(path)]) == 1
    assert path.read_bytes() == REVIEW
    assert bpmn_layout.main([str(path)]) == 0
    assert bpmn_layout.main(["--check", str(path)]) == 0
    assert "out of date" in capsys.readouterr().out


def test_a_bilingual_label_is_as_tall_as_its_two_wrapped_lines_and_as_wide_as_its_widest():
    """Chinese characters count about two Latin ones wide; each line of a bilingual name wraps on its own."""
    assert bpmn_layout.text_height("Visited", 90) == 14
    assert bpmn_layout.text_height("已回访\nVisited", 90) == 28
    assert bpmn_layout.text_height("当月未回访\nMonth over without a visit", 90) == 14 + 28  # 26 letters: 2 rows
    assert bpmn_layout.text_height("就业困难人员认定初审程序\nReview", 90) == 28 + 14  # 12 characters: 2 rows
    assert bpmn_layout.text_width("已回访\nVisited") == 6 * 7
    assert bpmn_layout.text_width("就业困难人员\nReview") == 6 * 12
