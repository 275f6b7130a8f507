"""Give BPMN 2.0 files a tidy left-to-right diagram (BPMN DI) computed from their semantic model.

    python scripts/bpmn_layout.py FILE.bpmn [...]          # replace each file's diagram in place
    python scripts/bpmn_layout.py --check FILE.bpmn [...]  # exit 1 if a file is not what the tool would write

Every process is drawn as a pool (a collaboration with one participant per process is added when missing) and
every lane as a horizontal band of it. A node's column is its longest path from the start over sequence flows,
ignoring the flows that close a loop; its row inside the lane follows its first predecessor in that lane, and
nodes sharing a lane and a column stack downwards. Flows are drawn with right angles; loops run along a channel
under the row, and a flow that would cross a shape detours the same way. Sub-processes are drawn collapsed;
their content gets a diagram of its own (bpmn-js shows it on drill-down).
"""

import argparse
import io
import re
import sys
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

from lxml import etree

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
DI_PREFIXES = {"bpmndi": BPMNDI, "dc": DC, "di": DI}
DIAGRAM = f"{{{BPMNDI}}}BPMNDiagram"

KINDS = {
    "activity": {"task", "userTask", "serviceTask", "scriptTask", "businessRuleTask", "manualTask", "sendTask",
                 "receiveTask", "callActivity", "subProcess", "transaction", "adHocSubProcess"},
    "event": {"startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent"},
    "gateway": {"exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway", "complexGateway"},
}
SUBPROCESSES = ("subProcess", "transaction", "adHocSubProcess")  # drawn collapsed, their content on its own plane
SIZES = {"activity": (100, 80), "event": (36, 36), "gateway": (50, 50)}

ORIGIN_X, ORIGIN_Y = 160, 80  # top-left corner of the first pool
STRIP = 30           # width of the pool's and of each lane's vertical label strip
MARGIN = 80          # from a band's left (or right) edge to the first (or last) column centre
COLUMN = 150         # horizontal distance between column centres
ROW = 140            # vertical distance between row centre lines inside a lane
BAND_PAD = 10        # extra space above the first and below the last row of a lane
CHANNEL = 64         # distance from a row's centre line to the channel that loops and detours run along
POOL_GAP = 40        # vertical space between pools
BOUNDARY_SLOTS = (3, 1, 2)  # quarters of the host's width where its 1st, 2nd, 3rd boundary event sit
LABEL_WIDTH = 90
LINE_HEIGHT = 14
CHAR_WIDTH = 6       # rough width of one character of bpmn-js's 11px label font

Point = tuple[int, int]


@dataclass(frozen=True)
class Box:
    """An axis-aligned rectangle in diagram pixels."""

    x: int
    y: int
    w: int
    h: int

    @property
    def cx(self) -> int:
        return self.x + self.w // 2

    @property
    def cy(self) -> int:
        return self.y + self.h // 2

    @property
    def right(self) -> int:
        return self.x + self.w

    @property
    def bottom(self) -> int:
        return self.y + self.h


@dataclass(frozen=True)
class Node:
    """A flow node: its BPMN tag, size class, lane and (for boundary events) the activity it is attached to."""

    id: str
    tag: str
    kind: str
    name: str
    lane: str | None
    host: str | None


@dataclass(frozen=True)
class Flow:
    """A sequence flow."""

    id: str
    source: str
    target: str
    name: str


@dataclass
class Model:
    """What the layout needs to know about one process, in document order."""

    lanes: list[str]
    nodes: dict[str, Node]
    flows: list[Flow]

    @property
    def placed(self) -> list[str]:
        """Nodes that get their own grid cell (everything but boundary events)."""
        return [node_id for node_id, node in self.nodes.items() if node.host is None]

    def anchor(self, node_id: str) -> str:
        """The node that stands for `node_id` in the grid: its host for a boundary event, else itself."""
        return self.nodes[node_id].host or node_id


@dataclass
class Pool:
    """The computed geometry of one participant."""

    participant: str | None
    box: Box
    lanes: dict[str, Box]
    nodes: dict[str, Box]
    edges: dict[str, list[Point]]
    model: Model | None


# --- reading the semantic model ---------------------------------------------------------------------------------

def bpmn(tag: str) -> str:
    """The qualified name of a BPMN model element."""
    return f"{{{BPMN}}}{tag}"


def kind_of(element) -> str | None:
    """'activity', 'event' or 'gateway' for a flow node element, None for anything else."""
    if not isinstance(element.tag, str) or etree.QName(element).namespace != BPMN:
        return None
    tag = etree.QName(element).localname
    return next((kind for kind, tags in KINDS.items() if tag in tags), None)


def read_lanes(process) -> tuple[list[str], dict[str, str]]:
    """The top-level lane ids and which lane each flow node belongs to."""
    lanes, lane_of = [], {}
    for lane in process.iterfind(f"{bpmn('laneSet')}/{bpmn('lane')}"):
        lanes.append(lane.get("id"))
        for ref in lane.iterfind(bpmn("flowNodeRef")):
            lane_of.setdefault((ref.text or "").strip(), lane.get("id"))
    return lanes, lane_of


def read_model(process) -> Model:
    """Collect lanes, flow nodes and sequence flows of a process; unlaned nodes go to the first lane."""
    lanes, lane_of = read_lanes(process)
    elements = {element.get("id"): element for element in process if kind_of(element)}
    nodes = {}
    for node_id, element in elements.items():
        host = element.get("attachedToRef") if etree.QName(element).localname == "boundaryEvent" else None
        host = host if host in elements else None
        lane = lane_of.get(host or node_id, lanes[0] if lanes else None)
        nodes[node_id] = Node(node_id, etree.QName(element).localname, kind_of(element), element.get("name", ""),
                              lane, host)
    flows = [Flow(flow.get("id"), flow.get("sourceRef"), flow.get("targetRef"), flow.get("name", ""))
             for flow in process.iterfind(bpmn("sequenceFlow"))
             if flow.get("sourceRef") in nodes and flow.get("targetRef") in nodes]
    return Model(lanes, nodes, flows)


# --- columns and rows -------------------------------------------------------------------------------------------

def successors(model: Model) -> dict[str, list[tuple[str, str]]]:
    """For each grid node, its outgoing (flow id, target) pairs; a boundary event's flows leave from its host."""
    out = {node_id: [] for node_id in model.placed}
    for flow in model.flows:
        out[model.anchor(flow.source)].append((flow.id, model.anchor(flow.target)))
    return out


def search_roots(model: Model) -> list[str]:
    """Where the depth-first search starts: start events, then nodes without incoming flows, then the rest."""
    targets = {model.anchor(flow.target) for flow in model.flows}
    starts = [n for n in model.placed if model.nodes[n].tag == "startEvent"]
    sources = [n for n in model.placed if n not in targets]
    return list(dict.fromkeys(starts + sources + model.placed))


def back_edges(model: Model) -> set[str]:
    """Ids of the flows that close a loop, found as back edges of a depth-first search."""
    out, state, back = successors(model), {}, set()
    for root in search_roots(model):
        if root in state:
            continue
        state[root] = "active"
        stack = [(root, iter(out[root]))]
        while stack:
            node_id, pending = stack[-1]
            step = next(pending, None)
            if step is None:
                state[node_id] = "done"
                stack.pop()
            elif state.get(step[1]) == "active":
                back.add(step[0])
            elif step[1] not in state:
                state[step[1]] = "active"
                stack.append((step[1], iter(out[step[1]])))
    return back


def assign_columns(model: Model, back: set[str]) -> dict[str, int]:
    """Column of each grid node: the longest path to it over the flows that are not back edges."""
    out = {node_id: [target for flow_id, target in pairs if flow_id not in back]
           for node_id, pairs in successors(model).items()}
    waiting = {node_id: 0 for node_id in model.placed}
    for targets in out.values():
        for target in targets:
            waiting[target] += 1
    columns = {node_id: 0 for node_id in model.placed}
    queue = [node_id for node_id in model.placed if waiting[node_id] == 0]
    for node_id in queue:
        for target in out[node_id]:
            columns[target] = max(columns[target], columns[node_id] + 1)
            waiting[target] -= 1
            if waiting[target] == 0:
                queue.append(target)
    return columns


def preferred_row(model: Model, node_id: str, rows: dict[str, int], back: set[str]) -> tuple[int, int]:
    """The row a node wants (its first same-lane predecessor's, or below the host) and that flow's position."""
    lane = model.nodes[node_id].lane
    for index, flow in enumerate(model.flows):
        source = model.nodes[flow.source]
        if flow.target == node_id and flow.id not in back and source.lane == lane:
            return (rows[source.host] + 1 if source.host else rows[source.id]), index
    return 0, len(model.flows)


def assign_rows(model: Model, columns: dict[str, int], back: set[str]) -> dict[str, int]:
    """Row of each grid node inside its lane; nodes sharing a lane and a column get distinct rows."""
    lane_order = {lane: index for index, lane in enumerate(model.lanes)}
    cells: dict[tuple[int, int], list[str]] = {}
    for node_id in model.placed:
        cells.setdefault((columns[node_id], lane_order.get(model.nodes[node_id].lane, 0)), []).append(node_id)
    rows: dict[str, int] = {}
    for cell in sorted(cells):
        wanted = sorted((*preferred_row(model, node_id, rows, back), position, node_id)
                        for position, node_id in enumerate(cells[cell]))
        free = 0
        for row, _, _, node_id in wanted:
            rows[node_id] = max(row, free)
            free = rows[node_id] + 1
    return rows


# --- geometry ---------------------------------------------------------------------------------------------------

def centred(cx: int, cy: int, kind: str) -> Box:
    """The box of a node of the given kind centred on (cx, cy)."""
    width, height = SIZES[kind]
    return Box(cx - width // 2, cy - height // 2, width, height)


def lane_bands(model: Model, rows: dict[str, int], top: int) -> dict[str | None, Box]:
    """The band of each lane (key None when the process has no lanes), stacked downwards from `top`."""
    bands = {}
    left = ORIGIN_X + STRIP
    for lane in model.lanes or [None]:
        count = 1 + max((rows[n] for n in model.placed if model.nodes[n].lane == lane), default=0)
        height = 2 * BAND_PAD + count * ROW
        bands[lane] = Box(left, top, 0, height)
        top += height
    return bands


def place_nodes(model: Model, columns: dict[str, int], rows: dict[str, int], bands: dict) -> dict[str, Box]:
    """Boxes of all flow nodes: grid nodes centred in their cell, boundary events on their host's bottom edge."""
    first = ORIGIN_X + STRIP + (STRIP if model.lanes else 0) + MARGIN
    boxes = {}
    for node_id in model.placed:
        band = bands[model.nodes[node_id].lane]
        cy = band.y + BAND_PAD + ROW // 2 + rows[node_id] * ROW
        boxes[node_id] = centred(first + columns[node_id] * COLUMN, cy, model.nodes[node_id].kind)
    attached: dict[str, int] = {}
    for node in model.nodes.values():
        if node.host:
            host, slot = boxes[node.host], attached.get(node.host, 0)
            attached[node.host] = slot + 1
            cx = host.x + host.w * BOUNDARY_SLOTS[slot % len(BOUNDARY_SLOTS)] // 4
            boxes[node.id] = Box(cx - 18, host.bottom - 18, 36, 36)
    return boxes


# --- routing ----------------------------------------------------------------------------------------------------

def elbow(s: Box, t: Box, x: int) -> list[Point]:
    """Right out of s, up or down at x, right into t."""
    return [(s.right, s.cy), (x, s.cy), (x, t.cy), (t.x, t.cy)]


def gateway_exit(s: Box, t: Box) -> list[Point]:
    """Out of a gateway's bottom (or top) corner, then right into t."""
    y = s.bottom if t.cy > s.cy else s.y
    return [(s.cx, y), (s.cx, t.cy), (t.x, t.cy)]


def gateway_entry(s: Box, t: Box) -> list[Point]:
    """Right out of s, then into a gateway's bottom (or top) corner."""
    y = t.bottom if s.cy > t.cy else t.y
    return [(s.right, s.cy), (t.cx, s.cy), (t.cx, y)]


def boundary_routes(b: Box, host: Box, t: Box) -> list[list[Point]]:
    """Down from a boundary event and right into t; or a short way down, right past the host, then on to t."""
    routes = [[(b.cx, b.bottom), (b.cx, t.cy), (t.x, t.cy)]] if t.cy > b.bottom + 30 else []
    middle = host.right + (t.x - host.right) // 2
    for step in (b.bottom + 20, b.bottom + 30):
        for x in (middle, middle - 12, middle + 12):
            routes.append([(b.cx, b.bottom), (b.cx, step), (x, step), (x, t.cy), (t.x, t.cy)])
    return routes


def channel_routes(s: Box, t: Box, levels: tuple[int, int], below_only: bool) -> list[list[Point]]:
    """Detours along a channel under the rows (or over them) into t's bottom (top) or its left side."""
    routes = []
    for extra in (0, 8):
        below = max(levels) + CHANNEL + extra
        above = min(levels) - CHANNEL - extra
        routes.append([(s.cx, s.bottom), (s.cx, below), (t.cx, below), (t.cx, t.bottom)])
        if not below_only:
            routes.append([(s.cx, s.y), (s.cx, above), (t.cx, above), (t.cx, t.y)])
    for extra in (0, 8):
        below, side = max(levels) + CHANNEL + extra, t.x - 20 - extra
        routes.append([(s.cx, s.bottom), (s.cx, below), (side, below), (side, t.cy), (t.x, t.cy)])
    return routes


def forward_routes(s: Box, t: Box, splits: bool, joins: bool) -> list[list[Point]]:
    """Candidate routes to a later column, best first; split and join gateways may use their top/bottom corner."""
    if s.cy == t.cy:
        return [[(s.right, s.cy), (t.x, t.cy)]]
    routes = []
    if splits:
        routes.append(gateway_exit(s, t))
    if joins:
        routes.append(gateway_entry(s, t))
    midpoint = (s.right + t.x) // 2
    for x in dict.fromkeys([midpoint, midpoint - 12, midpoint + 12, *range(s.cx + COLUMN // 2, t.cx, COLUMN)]):
        routes.append(elbow(s, t, x))
    return routes


def crosses(a: Point, b: Point, box: Box, pad: int = 5) -> bool:
    """Whether the axis-aligned segment a-b passes through the box (grown by pad)."""
    return (min(a[0], b[0]) < box.right + pad and max(a[0], b[0]) > box.x - pad
            and min(a[1], b[1]) < box.bottom + pad and max(a[1], b[1]) > box.y - pad)


def overlaps(one: tuple[Point, Point], other: tuple[Point, Point]) -> bool:
    """Whether two axis-aligned segments run on top of each other for some length."""
    (a, b), (c, d) = one, other
    for axis in (0, 1):
        if a[axis] == b[axis] == c[axis] == d[axis]:
            along = 1 - axis
            low = max(min(a[along], b[along]), min(c[along], d[along]))
            high = min(max(a[along], b[along]), max(c[along], d[along]))
            return high > low
    return False


def related(one: tuple[str, str], other: tuple[str, str]) -> bool:
    """Whether two flows leave the same node or enter the same node, so they may share a stretch."""
    return one[0] == other[0] or one[1] == other[1]


def conflicts(points: list[Point], obstacles: list[Box], taken: list, ends: tuple[str, str]) -> tuple[int, int]:
    """How many times a route passes through a shape, and how many stretches it shares with unrelated flows."""
    segments = list(zip(points, points[1:], strict=False))
    hits = sum(crosses(a, b, box) for a, b in segments for box in obstacles)
    shared = sum(overlaps(segment, other) for segment in segments
                 for other_ends, other in taken if not related(ends, other_ends))
    return hits, shared


def intersects(one: tuple[Point, Point], other: tuple[Point, Point]) -> bool:
    """Whether two axis-aligned segments cross each other (touching at an end does not count)."""
    (a, b), (c, d) = one, other
    if a[1] == b[1] and c[0] == d[0]:
        return min(a[0], b[0]) < c[0] < max(a[0], b[0]) and min(c[1], d[1]) < a[1] < max(c[1], d[1])
    if a[0] == b[0] and c[1] == d[1]:
        return intersects(other, one)
    return False


def crossings(points: list[Point], taken: list, ends: tuple[str, str]) -> int:
    """How many times a route crosses the flows routed so far."""
    return sum(intersects(segment, other) for segment in zip(points, points[1:], strict=False)
               for other_ends, other in taken if not related(ends, other_ends))


def choose(preferred: list, detours: list, obstacles: list[Box], taken: list, ends: tuple[str, str]) -> list[Point]:
    """The clear preferred route with the fewest crossings, else the detour with the fewest conflicts."""
    def cost(route: list[Point]) -> tuple[int, int, int]:
        return (*conflicts(route, obstacles, taken, ends), crossings(route, taken, ends))

    clear = [route for route in preferred if conflicts(route, obstacles, taken, ends) == (0, 0)]
    return min(clear, key=cost) if clear else min(detours + preferred, key=cost)


def obstacles(model: Model, boxes: dict[str, Box], flow: Flow) -> list[Box]:
    """The shapes a flow must not pass through: all but its ends, their hosts and what is attached to those."""
    own = {flow.source, flow.target, model.anchor(flow.source), model.anchor(flow.target)}
    return [box for node_id, box in boxes.items() if node_id not in own and model.nodes[node_id].host not in own]


def route_flows(model: Model, boxes: dict[str, Box], back: set[str]) -> dict[str, list[Point]]:
    """Waypoints of every flow, forward flows first, then loops, each avoiding shapes and earlier flows."""
    taken: list = []
    routes = {}
    outgoing = Counter(flow.source for flow in model.flows)
    incoming = Counter(flow.target for flow in model.flows)
    for flow in sorted(model.flows, key=lambda f: f.id in back):
        source, target = model.nodes[flow.source], model.nodes[flow.target]
        s, t = boxes[flow.source], boxes[flow.target]
        levels = (boxes[model.anchor(source.id)].cy, boxes[model.anchor(target.id)].cy)
        detours = channel_routes(s, t, levels, below_only=source.host is not None)
        if flow.id in back:
            preferred = []
        elif source.host:
            preferred = boundary_routes(s, boxes[source.host], t)
        else:
            splits = source.kind == "gateway" and outgoing[source.id] > 1
            joins = target.kind == "gateway" and incoming[target.id] > 1
            preferred = forward_routes(s, t, splits, joins)
        ends = (source.id, target.id)
        points = choose(preferred, detours, obstacles(model, boxes, flow), taken, ends)
        taken.extend((ends, segment) for segment in zip(points, points[1:], strict=False))
        routes[flow.id] = points
    return {flow.id: routes[flow.id] for flow in model.flows}


# --- labels -----------------------------------------------------------------------------------------------------

def text_units(line: str) -> int:
    """Width of one line of a label in CHAR_WIDTH units: a Chinese character is about two Latin ones wide."""
    return sum(2 if "\u2e80" <= char <= "\u9fff" or "\uf900" <= char <= "\uffef" else 1 for char in line)


def text_width(text: str) -> int:
    """Rough width of a label's widest line (a bilingual name has a Chinese and an English line)."""
    return CHAR_WIDTH * max((text_units(line) for line in text.split("\n")), default=0)


def text_height(text: str, width: int) -> int:
    """Rough height of a label, each of its lines wrapped at `width`."""
    per_line = max(1, width // CHAR_WIDTH)
    return LINE_HEIGHT * sum(max(1, -(-text_units(line) // per_line)) for line in text.split("\n"))


def boundary_label(name: str, box: Box, host: Box, steps_right: bool) -> Box:
    """Label box of a boundary event: below it, beside its outgoing flow, away from the host's middle or the turn."""
    width = min(LABEL_WIDTH, text_width(name) + 6)
    x = box.cx + 8 if box.cx >= host.cx and not steps_right else box.cx - 8 - width
    return Box(x, box.bottom + 4, width, text_height(name, width))


def node_label(node: Node, box: Box, used: set[Point]) -> Box:
    """Label box of an event or gateway: under it (gateways: over it), on the side no flow attaches to."""
    height = text_height(node.name, LABEL_WIDTH)
    above = node.kind == "gateway"
    near, far = ((box.cx, box.y), (box.cx, box.bottom)) if above else ((box.cx, box.bottom), (box.cx, box.y))
    if near in used and far not in used:
        above = not above
    y = box.y - 7 - height if above else box.bottom + 7
    return Box(box.cx - LABEL_WIDTH // 2, y, LABEL_WIDTH, height)


def flow_label(name: str, points: list[Point]) -> Box:
    """Label box of a flow: over its last long horizontal stretch, else beside its first segment."""
    width = min(LABEL_WIDTH, text_width(name) + 6)
    height = text_height(name, width)
    stretches = [(a, b) for a, b in zip(points, points[1:], strict=False) if a[1] == b[1] and abs(a[0] - b[0]) >= 40]
    if stretches:
        a, b = stretches[-1]
        below = points[-1][1] > a[1]  # a channel over the rows: keep the label inside the detour
        return Box(min(a[0], b[0]) + 5, a[1] + 5 if below else a[1] - 5 - height, width, height)
    (x0, y0), (_, y1) = points[:2]
    return Box(x0 + 5, y0 + 5 if y1 > y0 else y0 - 5 - height, width, height)


# --- pools ------------------------------------------------------------------------------------------------------

def layout_pool(participant_id: str | None, model: Model | None, top: int) -> Pool:
    """Compute the geometry of one participant's pool with its lanes, nodes and flows."""
    if model is None:
        return Pool(participant_id, Box(ORIGIN_X, top, STRIP + 2 * MARGIN, ROW // 2), {}, {}, {}, None)
    back = back_edges(model)
    columns = assign_columns(model, back)
    rows = assign_rows(model, columns, back)
    bands = lane_bands(model, rows, top)
    nodes = place_nodes(model, columns, rows, bands)
    edges = route_flows(model, nodes, back)
    width = STRIP + (STRIP if model.lanes else 0) + 2 * MARGIN + COLUMN * max(columns.values(), default=0)
    height = sum(band.h for band in bands.values())
    lanes = {lane: band for lane, band in bands.items() if lane is not None}
    return Pool(participant_id, Box(ORIGIN_X, top, width, height), lanes, nodes, edges, model)


def stretch(pool: Pool, width: int) -> Pool:
    """The pool widened to `width`, its lanes with it."""
    lanes = {lane: replace(band, w=pool.box.x + width - band.x) for lane, band in pool.lanes.items()}
    return replace(pool, box=replace(pool.box, w=width), lanes=lanes)


def ensure_collaboration(root, processes: list) -> etree._Element:
    """The file's collaboration, created if missing, with a participant for every process."""
    collaboration = root.find(bpmn("collaboration"))
    if collaboration is None:
        collaboration = etree.SubElement(root, bpmn("collaboration"), id=f"{processes[0].get('id')}_collaboration")
        processes[0].addprevious(collaboration)
    participants = collaboration.findall(bpmn("participant"))
    referenced = {participant.get("processRef") for participant in participants}
    for process in processes:
        if process.get("id") not in referenced:
            participant = etree.SubElement(collaboration, bpmn("participant"), id=f"{process.get('id')}_participant",
                                           name=process.get("name") or process.get("id"), processRef=process.get("id"))
            collaboration.insert(len(participants), participant)
            participants.append(participant)
    return collaboration


def layout_pools(root, collaboration) -> list[Pool]:
    """Pools of all participants, stacked top to bottom in collaboration order and made equally wide."""
    processes = {process.get("id"): process for process in root.iterfind(bpmn("process"))}
    pools, top = [], ORIGIN_Y
    for participant in collaboration.iterfind(bpmn("participant")):
        process = processes.get(participant.get("processRef"))
        pool = layout_pool(participant.get("id"), None if process is None else read_model(process), top)
        pools.append(pool)
        top = pool.box.bottom + POOL_GAP
    width = max(pool.box.w for pool in pools)
    return [stretch(pool, width) for pool in pools]


# --- writing DI -------------------------------------------------------------------------------------------------

def add(parent, namespace: str, tag: str, **attributes) -> etree._Element:
    """Append a child element with the given attributes (values turned into strings)."""
    return etree.SubElement(parent, f"{{{namespace}}}{tag}", {k: str(v) for k, v in attributes.items()})


def add_bounds(parent, box: Box) -> None:
    """Append a dc:Bounds for the box."""
    add(parent, DC, "Bounds", x=box.x, y=box.y, width=box.w, height=box.h)


def add_shape(plane, element_id: str, box: Box, label: Box | None = None, **attributes) -> None:
    """Append a BPMNShape, with a BPMNLabel when a label box is given."""
    shape = add(plane, BPMNDI, "BPMNShape", id=f"{element_id}_di", bpmnElement=element_id, **attributes)
    add_bounds(shape, box)
    if label is not None:
        add_bounds(add(shape, BPMNDI, "BPMNLabel"), label)


def add_edge(plane, flow: Flow, points: list[Point]) -> None:
    """Append a BPMNEdge with its waypoints and, for a named flow, a label."""
    edge = add(plane, BPMNDI, "BPMNEdge", id=f"{flow.id}_di", bpmnElement=flow.id)
    for x, y in points:
        add(edge, DI, "waypoint", x=x, y=y)
    if flow.name:
        add_bounds(add(edge, BPMNDI, "BPMNLabel"), flow_label(flow.name, points))


def label_of(pool: Pool, node: Node) -> Box | None:
    """The external label box of a named event or gateway (activities carry their name inside)."""
    if not node.name or node.kind == "activity":
        return None
    box = pool.nodes[node.id]
    if node.host:
        steps = any(points[0] == (box.cx, box.bottom) and points[1][1] - box.bottom < 40
                    for points in pool.edges.values())
        return boundary_label(node.name, box, pool.nodes[node.host], steps)
    used = {point for points in pool.edges.values() for point in (points[0], points[-1])}
    return node_label(node, box, used)


def write_pool(plane, pool: Pool) -> None:
    """Append the shapes and edges of one pool (or of a sub-process's content) to the plane."""
    if pool.participant:
        add_shape(plane, pool.participant, pool.box, isHorizontal="true")
    for lane, band in pool.lanes.items():
        add_shape(plane, lane, band, isHorizontal="true")
    if pool.model is None:
        return
    for node_id, box in pool.nodes.items():
        node = pool.model.nodes[node_id]
        extra = {"isMarkerVisible": "true"} if node.tag == "exclusiveGateway" else {}
        add_shape(plane, node_id, box, label_of(pool, node), **extra)
    for flow in pool.model.flows:
        add_edge(plane, flow, pool.edges[flow.id])


def keep_spelling(original: str, produced: str) -> str:
    """Keep the file's own spelling of the root start tag (e.g. one namespace per line) and of ` />` endings."""
    start_tag = re.compile(r"<[A-Za-z_][^>]*>")
    old, new = start_tag.search(original), start_tag.search(produced)
    if old and new:
        produced = produced[:new.start()] + old.group() + produced[new.end():]
    if re.search(r'[\w"] />', original):
        produced = re.sub(r'(<[\w:.-]+(?:\s+[\w:.-]+="[^"]*")*)/>', r"\1 />", produced)
    return produced


def new_diagram(root, key: str, element_id: str) -> etree._Element:
    """Append a BPMNDiagram whose plane shows `element_id`, and return the plane."""
    missing = {prefix: uri for prefix, uri in DI_PREFIXES.items() if uri not in root.nsmap.values()}
    diagram = etree.SubElement(root, DIAGRAM, nsmap=missing, id=f"{key}_diagram")
    return add(diagram, BPMNDI, "BPMNPlane", id=f"{key}_plane", bpmnElement=element_id)


def relayout(data: bytes) -> str:
    """The document with its diagrams replaced by a freshly computed one, serialised with 2-space indentation."""
    tree = etree.parse(io.BytesIO(data), etree.XMLParser(strip_cdata=False))
    root = tree.getroot()
    processes = root.findall(bpmn("process"))
    if processes:
        old = root.findall(DIAGRAM)
        collaboration = ensure_collaboration(root, processes)
        plane = new_diagram(root, processes[0].get("id"), collaboration.get("id"))
        for pool in layout_pools(root, collaboration):
            write_pool(plane, pool)
        for element in root.iter(*(bpmn(tag) for tag in SUBPROCESSES)):
            write_pool(new_diagram(root, element.get("id"), element.get("id")),
                       layout_pool(None, read_model(element), ORIGIN_Y))
        if old:  # the new diagrams take the place of the old ones
            for diagram in root.findall(DIAGRAM)[len(old):]:
                old[0].addprevious(diagram)
            for diagram in old:
                root.remove(diagram)
    etree.indent(tree, space="  ")
    produced = '<?xml version="1.0" encoding="UTF-8"?>\n' + etree.tostring(tree, encoding="unicode") + "\n"
    return keep_spelling(data.decode("utf-8"), produced)


def main(argv: list[str] | None = None) -> int:
    """Rewrite (or with --check, verify) the diagram of each file given."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report files whose diagram is out of date")
    parser.add_argument("files", nargs="+", type=Path)
    args = parser.parse_args(argv)
    stale = []
    for path in args.files:
        current = path.read_text(encoding="utf-8")
        wanted = relayout(current.encode("utf-8"))
        if current != wanted:
            stale.append(path)
            if not args.check:
                path.write_text(wanted, encoding="utf-8")
    verb = "is out of date" if args.check else "was laid out again"
    for path in stale:
        print(f"{path}: diagram {verb}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
