"""Lint a set of BPMN/DMN files against Caseflow's domain rules, listing every finding by element.

Deploy stops at the first problem; lint runs the same checks (engine.specs.task_problems: forms, lanes → roles,
service operations, timers, sandboxed code, supported constructs, ids the Python relies on) on every element and
adds what only a diagram-wide look shows: elements no start event reaches, dead ends, names with no Chinese (neither a
Chinese line nor a catalogue translation, domain.labels) and bilingual names with an empty line. Errors block
publishing; warnings do not.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from babel.support import Translations
from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.mixins.user_task import UserTask
from SpiffWorkflow.exceptions import SpiffWorkflowException

from caseflow.domain import labels
from caseflow.engine import specs
from caseflow.errors import N_, InvalidSpec

ERROR, WARNING = "error", "warning"
BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
_Q = f"{{{BPMN_NS}}}"
# BPMN flow nodes: what sequence flows connect and a token can reach.
FLOW_NODES = frozenset(_Q + tag for tag in (
    "startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent", "task",
    "userTask", "serviceTask", "scriptTask", "businessRuleTask", "manualTask", "sendTask", "receiveTask",
    "callActivity", "subProcess", "transaction", "adHocSubProcess", "exclusiveGateway", "parallelGateway",
    "inclusiveGateway", "eventBasedGateway", "complexGateway"))
_CONTAINERS = frozenset(_Q + tag for tag in ("process", "subProcess", "transaction", "adHocSubProcess"))
TRANSLATIONS_DIR = Path(__file__).resolve().parents[1] / "translations"


@dataclass(frozen=True)
class Finding:
    """One problem of one element: `message` is an English msgid, filled from `params` when shown."""

    severity: str
    message: str
    element: str | None = None
    file: str | None = None
    params: dict = field(default_factory=dict, hash=False, compare=False)

    def text(self, gettext=None) -> str:
        message = gettext(self.message) if gettext else self.message
        return message % self.params if self.params else message

    def as_dict(self, gettext=None) -> dict:
        return {"severity": self.severity, "element": self.element, "file": self.file, "message": self.text(gettext)}


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]

    @property
    def ok(self) -> bool:
        return not self.errors

    def add(self, severity: str, message: str, *, element: str | None = None, file: str | None = None,
            **params) -> None:
        finding = Finding(severity, message, element, file, params)
        if not any(f == finding and f.params == params for f in self.findings):
            self.findings.append(finding)

    def add_problem(self, exc: InvalidSpec, severity: str = ERROR, file: str | None = None) -> None:
        self.add(severity, exc.message, element=exc.element, file=exc.file or file, **exc.params)


@dataclass(frozen=True)
class Rules:
    """What the Python side offers: known operations, forms, lanes, records; the process whose ids Python relies on
    and those ids (user tasks, awaited messages)."""

    known: specs.Known
    journey: str | None = None
    relied_tasks: frozenset[str] = frozenset()
    relied_messages: frozenset[str] = frozenset()


def app_rules() -> Rules:
    """The rules of the running app, as deploy applies them."""
    from caseflow.services import deployment
    from caseflow.services.cases import JOURNEY
    from caseflow.services.records import load_recorders
    from caseflow.tasks import load_handlers

    tasks, messages = deployment.relied_on()
    known = specs.Known(operations=load_handlers(), forms=deployment.list_forms(), lanes=deployment.LANE_ROLES,
                        records=load_recorders())
    return Rules(known, JOURNEY, frozenset(tasks), frozenset(messages))


@cache
def _zh_catalogue() -> Translations:
    return Translations.load(str(TRANSLATIONS_DIR), ["zh"])


def zh_name(english: str) -> str:
    """The catalogue's Chinese for an English name, '' when it has none."""
    translated = _zh_catalogue().gettext(english)
    return "" if translated == english else translated


def has_chinese(name: str) -> bool:
    """The name has a Chinese line, or the catalogue translates its English."""
    label = labels.split(name)
    return bool(label.zh) or bool(label.en) and _zh_catalogue().gettext(label.en) != label.en


# ---- diagram-wide checks on the XML --------------------------------------------------------------------------

def _parse(name: str, content: str) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    return etree.fromstring(content.encode(), parser=parser)


def _flow_graph(container) -> tuple[dict, dict[str, list[str]], dict[str, list[str]]]:
    """The container's own flow nodes by id, and outgoing/incoming sequence flows between them by node id."""
    nodes = {child.get("id"): child for child in container if child.tag in FLOW_NODES and child.get("id")}
    outgoing: dict[str, list[str]] = {node: [] for node in nodes}
    incoming: dict[str, list[str]] = {node: [] for node in nodes}
    for flow in container.iterchildren(_Q + "sequenceFlow"):
        source, target = flow.get("sourceRef"), flow.get("targetRef")
        if source in outgoing and target in incoming:
            outgoing[source].append(target)
            incoming[target].append(source)
    return nodes, outgoing, incoming


def _reached(nodes: dict, outgoing: dict[str, list[str]], starts: list[str]) -> set[str]:
    """Ids a token can reach from `starts`: along sequence flows and onto the boundary events of reached nodes."""
    attached: dict[str, list[str]] = {}
    for node_id, node in nodes.items():
        if node.tag == _Q + "boundaryEvent":
            attached.setdefault(node.get("attachedToRef"), []).append(node_id)
    reached, pending = set(), list(starts)
    while pending:
        current = pending.pop()
        if current not in reached:
            reached.add(current)
            pending.extend(outgoing[current])
            pending.extend(attached.get(current, ()))
    return reached


def _check_container(container, report: Report, file: str) -> None:
    nodes, outgoing, _ = _flow_graph(container)
    event_subprocess = {i for i, n in nodes.items() if n.tag == _Q + "subProcess" and n.get("triggeredByEvent")
                        in ("true", "1")}
    starts = [i for i, n in nodes.items() if n.tag == _Q + "startEvent"]
    if not starts and nodes:
        report.add(ERROR, N_("the process has no start event"), element=container.get("id"), file=file)
    reached = _reached(nodes, outgoing, [*starts, *event_subprocess])
    for node_id, node in nodes.items():
        if node_id in event_subprocess:
            pass
        elif starts and node_id not in reached:
            report.add(ERROR, N_("no start event reaches this element"), element=node_id, file=file)
        elif not outgoing[node_id] and node.tag != _Q + "endEvent":
            report.add(ERROR, N_("dead end: the element has no outgoing sequence flow and is no end event"),
                       element=node_id, file=file)
        if node.tag in _CONTAINERS:
            _check_container(node, report, file)


def _check_names(root, report: Report, file: str) -> None:
    for element in root.iter():
        if (not isinstance(element.tag, str) or not element.tag.startswith(_Q) or element.tag == _Q + "message"
                or not element.get("id")):
            continue
        name = element.get("name")
        if name and name.strip() and not has_chinese(name):
            report.add(WARNING, N_("the name %(name)s has no Chinese: write a Chinese line above the English one"),
                       element=element.get("id"), file=file, name=" ".join(name.split()))
        if name and name.strip() and labels.empty_lines(name):
            shown = " / ".join(line.strip() for line in name.replace("\r\n", "\n").split("\n"))
            report.add(WARNING, N_("the name %(name)s has an empty line: a bilingual name is a Chinese line, then "
                                   "an English line"), element=element.get("id"), file=file, name=shown)
        if element.tag == _Q + "userTask" and not (name or "").strip():
            report.add(WARNING, N_("the user task has no name"), element=element.get("id"), file=file)


def process_ids(files: dict[str, str]) -> list[str]:
    """Every process declared in the BPMN files, in file order."""
    ids = []
    for name in sorted(files):
        if not name.endswith(".bpmn"):
            continue
        try:
            root = _parse(name, files[name])
        except etree.XMLSyntaxError:
            continue
        ids += [p.get("id") for p in root.iter(_Q + "process") if p.get("id")]
    return ids


# ---- the lint -------------------------------------------------------------------------------------------------

def _named_in(root, reason: str) -> str | None:
    """The id of the element whose name a message quotes (SpiffWorkflow names some elements only by name)."""
    reason = " ".join(reason.split())
    named = [(len(n), e.get("id")) for e in root.iter() if isinstance(e.tag, str) and e.get("id")
             and (n := " ".join((e.get("name") or "").split())) and f"name {n}" in reason]
    return max(named)[1] if named else None


def _element_of(root, exc: InvalidSpec) -> str | None:
    """Name a refused file's element by id where SpiffWorkflow gave only a line or a name."""
    element = exc.element
    if element and element.startswith("line "):
        line = int(element.removeprefix("line "))
        ids = [e.get("id") for e in root.iter() if isinstance(e.tag, str) and e.sourceline == line and e.get("id")]
        return ids[0] if ids else element
    return element or _named_in(root, str(exc.__cause__ or exc.params.get("reason", "")))


def _add_files(files: dict[str, str], report: Report):
    """A parser holding every file that reads, the XML of each file that is well-formed, and the names of the
    files the parser took; each refused file is a finding naming its element."""
    parser = specs.new_parser(validate=True)
    roots, added = {}, set()
    for name in sorted(files):
        try:
            specs.check_xml(name, files[name])
            roots[name] = _parse(name, files[name])
            specs.add_file(parser, name, files[name])
            added.add(name)
        except InvalidSpec as exc:
            if name in roots:
                exc.element = _element_of(roots[name], exc)
            report.add_problem(exc, file=name)
        except (SpiffWorkflowException, etree.LxmlError, ValueError, KeyError, AttributeError, TypeError) as exc:
            report.add(ERROR, N_("the file cannot be read: %(reason)s"), file=name,
                       element=getattr(exc, "id", None) or None, reason=str(exc).split("\n")[0])
    return parser, roots, added


def _check_relied_on(process_id: str, user_tasks: set[str], messages: frozenset[str], rules: Rules,
                     report: Report) -> None:
    if process_id != rules.journey:
        return
    for task in sorted(rules.relied_tasks - user_tasks):
        report.add(ERROR, N_("the journey has no user task %(task)s, which Caseflow relies on"), element=task,
                   task=task)
    for message in sorted(rules.relied_messages - messages):
        report.add(ERROR, N_("the journey waits nowhere for message %(message)s, which Caseflow sends"),
                   element=process_id, message=message)


def _lint_process(parser, process_id: str, rules: Rules, report: Report) -> None:
    try:
        spec, subprocess_specs = specs.specs_from(parser, process_id)
    except ValidationException as exc:
        report.add_problem(specs.invalid_spec(exc))
        return
    except (SpiffWorkflowException, KeyError, ValueError, AttributeError, TypeError) as exc:
        report.add(ERROR, N_("the process cannot be parsed: %(reason)s"), element=getattr(exc, "id", None)
                   or process_id, reason=str(exc).split("\n")[0])
        return
    flows = specs.condition_flows(parser, [process_id, *subprocess_specs])
    user_tasks = set()
    for process_spec in [spec, *subprocess_specs.values()]:
        for problem in specs.process_problems(process_spec):
            report.add_problem(problem)
        for task_spec in process_spec.task_specs.values():
            for problem in specs.task_problems(task_spec, flows=flows, known=rules.known):
                report.add_problem(problem)
            if isinstance(task_spec, UserTask):
                user_tasks.add(task_spec.bpmn_id)
    _check_relied_on(process_id, user_tasks, specs.awaited_messages((spec, subprocess_specs)), rules, report)


def lint(files: dict[str, str], rules: Rules, process_ids_: Iterable[str] | None = None) -> Report:
    """Every finding for the files: XML, each process's elements, reachability, Chinese names."""
    report = Report()
    if not files:
        report.add(ERROR, N_("no BPMN files given"))
        return report
    parser, roots, added = _add_files(files, report)
    for name, root in roots.items():
        if name.endswith(".bpmn"):
            for process in root.iter(_Q + "process"):
                _check_container(process, report, name)
        _check_names(root, report, name)
    wanted = list(process_ids_) if process_ids_ is not None else process_ids({n: files[n] for n in added})
    for process_id in wanted:
        if parser.get_process_parser(process_id) is None:
            report.add(ERROR, N_("no process with id %(process)s"), element=process_id, process=process_id)
            continue
        _lint_process(parser, process_id, rules, report)
    return report


def lint_app_files(files: dict[str, str], process_ids_: Iterable[str] | None = None) -> Report:
    """Lint with the running app's rules (forms, operations, lanes, records, relied-on ids)."""
    return lint(files, app_rules(), process_ids_)


def lint_paths(paths: Iterable[Path]) -> Report:
    """Lint files from disk, each read as UTF-8 (a file that is not is a finding)."""
    files, report = {}, Report()
    for path in paths:
        try:
            files[Path(path).name] = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            report.add(ERROR, N_("the file cannot be read: %(reason)s"), file=str(path), reason=str(exc))
    result = lint_app_files(files) if files else Report()
    result.findings[:0] = report.findings
    return result

