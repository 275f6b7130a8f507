"""Parse, validate and cache BPMN/DMN process bundles."""

import ast
import hashlib
import re
from collections.abc import Callable, Container, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

import defusedxml.ElementTree as safe_xml
from defusedxml import DefusedXmlException
from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimeDateEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.bpmn.specs.mixins.user_task import UserTask
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.spiff.parser.task_spec import SpiffTaskParser
from SpiffWorkflow.spiff.specs.defaults import ServiceTask

from caseflow.domain import labels
from caseflow.engine.constructs import check_supported
from caseflow.engine.expressions import Code, process_code, task_code
from caseflow.engine.sandbox import UnsafeCode, compile_checked
from caseflow.errors import N_, InvalidSpec

MAX_FILE_BYTES = 2 * 1024 * 1024
FORMS_DIR = "forms/"  # a version's forms are stored among its files as forms/<key>.json
# The user-task properties Caseflow reads (services/workflow.py); any other name would silently mean nothing.
TASK_PROPERTIES = frozenset({"formKey", "record", "dueInWorkingDays", "dueInDays", "regionVariable"})
_BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
# An ISO 8601 duration/cycle/date written without quotes: Python would read `R/P1M` as a division.
_UNQUOTED_ISO = re.compile(r"^\s*(R\d*/|P\d|PT\d|\d{4}-\d{2}-\d{2}T)", re.IGNORECASE)


@dataclass(frozen=True)
class TaskSpecInfo:
    """What the app needs to know about one user task of a deployed process."""

    bpmn_id: str
    name: str
    lane: str | None
    form: str | None
    properties: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Bundle:
    """A parsed, validated process version: the files it uses, their hash and the specs."""

    process_id: str
    sha256: str
    files: dict[str, str]
    spec: object
    subprocess_specs: dict
    user_tasks: tuple[TaskSpecInfo, ...]
    messages: frozenset[str] = frozenset()  # names of the messages the process waits for somewhere


# sha → (spec, subprocess specs, files): every process parses a deployed version once.
_cache: dict[str, tuple[object, dict, dict[str, str]]] = {}


def content_hash(files: dict[str, str]) -> str:
    """Hash a bundle's files by name and content, independent of order."""
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + files[name].encode() + b"\0")
    return digest.hexdigest()


def check_xml(name: str, content: str) -> None:
    """Refuse oversized, malformed or entity-laden XML before lxml ever sees it."""
    if len(content.encode()) > MAX_FILE_BYTES:
        raise InvalidSpec(N_("file is larger than %(limit)s KiB"), file=name, limit=MAX_FILE_BYTES // 1024)
    try:
        safe_xml.fromstring(content.encode(), forbid_dtd=True)
    except DefusedXmlException as exc:
        raise InvalidSpec(N_("forbidden XML construct: %(kind)s"), file=name, kind=type(exc).__name__) from exc
    except safe_xml.ParseError as exc:
        raise InvalidSpec(N_("not well-formed XML: %(reason)s"), file=name, reason=str(exc)) from exc


def _make_parser(files: dict[str, str], *, validate: bool) -> SpiffBpmnParser:
    parser = new_parser(validate=validate)
    for name in sorted(files):
        add_file(parser, name, files[name])
    return parser


def new_parser(*, validate: bool) -> SpiffBpmnParser:
    return SpiffBpmnParser(validator=VALIDATOR if validate else None)


def add_file(parser: SpiffBpmnParser, name: str, content: str) -> None:
    """Add one BPMN or DMN file to a parser, refusing it with the element and reason when it is invalid."""
    if name.startswith(FORMS_DIR):
        return  # a version's forms: not the engine's business
    secure = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(content.encode(), parser=secure)
        if name.endswith(".dmn"):
            parser.add_dmn_xml(root, filename=name)
        else:
            parser.add_bpmn_xml(root, filename=name)
    except ValidationException as exc:
        raise invalid_spec(exc, name) from exc
    except etree.XMLSyntaxError as exc:
        raise InvalidSpec(N_("not well-formed XML: %(reason)s"), file=name, reason=str(exc)) from exc


def invalid_spec(exc: ValidationException, fallback_file: str | None = None) -> InvalidSpec:
    line = getattr(exc, "line_number", None)
    element = getattr(exc, "id", None) or getattr(exc, "name", None) or (f"line {line}" if line else None)
    return InvalidSpec(N_("the diagram is invalid: %(reason)s"), element=element, reason=str(exc).split("\n")[0],
                       file=getattr(exc, "file_name", None) or fallback_file)


def _used_files(parser: SpiffBpmnParser, process_id: str, subprocess_specs: dict) -> set[str]:
    # Embedded subprocesses appear among the subprocess specs but have no parser (and no file) of their own.
    process_parsers = [p for p in map(parser.get_process_parser, [process_id, *subprocess_specs]) if p is not None]
    used = {p.filename for p in process_parsers}
    for process_parser in process_parsers:
        node = process_parser.node
        for rule in node.iter(f"{{{_BPMN_NS}}}businessRuleTask"):
            decision = SpiffTaskParser._parse_extensions(rule).get("calledDecisionId")
            if decision in parser.dmn_parsers:
                used.add(parser.dmn_parsers[decision].filename)
    return used


def _all_task_specs(spec, subprocess_specs: dict) -> Iterable:
    for process_spec in [spec, *subprocess_specs.values()]:
        yield from process_spec.task_specs.values()


def _duration(value: str) -> None:
    TimerEventDefinition.get_timedelta_from_start(TimerEventDefinition.parse_iso_duration(value))


def _date(value: str) -> None:
    if not isinstance(TimerEventDefinition.parse_time_or_duration(value), datetime):
        raise ValueError("not a date")
    # A date without an offset would be read in the server's local time zone, fixed when Spiff is imported.
    if datetime.fromisoformat(value).tzinfo is None:
        raise ValueError("no UTC offset")


def _cycle(value: str) -> None:
    _, _, interval = TimerEventDefinition.parse_iso_recurring_interval(value)
    if interval.total_seconds() <= 0:
        raise ValueError("the interval must be positive")


_TIMER_LITERALS = (
    (DurationTimerEventDefinition, _duration, N_('timer expression %(expression)s is not an ISO 8601 duration, '
                                                 'e.g. "P30D"')),
    (TimeDateEventDefinition, _date, N_('timer expression %(expression)s is not an ISO 8601 date with a UTC '
                                        'offset, e.g. "2026-09-01T09:00:00+08:00"')),
    (CycleTimerEventDefinition, _cycle, N_('timer expression %(expression)s is not an ISO 8601 cycle with a '
                                           'positive interval, e.g. "R3/P1M"')),
)


def _check_timer_literal(definition: TimerEventDefinition, literal: ast.Constant, element: str) -> None:
    """A quoted timer value is known at deploy: refuse it there rather than when an instance reaches it."""
    expression = definition.expression
    if not isinstance(literal.value, str):
        raise InvalidSpec(N_('timer expression %(expression)s must give text, e.g. "P30D"'), element=element,
                          expression=expression)
    for kind, parse, message in _TIMER_LITERALS:
        if isinstance(definition, kind):
            try:
                parse(literal.value)
            except Exception as exc:  # Spiff's parsers raise bare Exception, ValueError, AttributeError, …
                raise InvalidSpec(message, element=element, expression=expression) from exc


def _check_timer(task_spec) -> None:
    definition = getattr(task_spec, "event_definition", None)
    if not isinstance(definition, TimerEventDefinition):
        return
    expression = definition.expression or ""
    element = task_spec.bpmn_id or task_spec.name
    if _UNQUOTED_ISO.match(expression):
        raise InvalidSpec(N_('timer expression %(expression)s must be a quoted string, e.g. "P30D"'),
                          expression=expression,
                          element=element)
    try:
        tree = ast.parse(expression, mode="eval")
    except SyntaxError as exc:
        raise InvalidSpec(N_("timer expression %(expression)s is not a valid expression"), element=element,
                          expression=expression) from exc
    if isinstance(tree.body, ast.Constant):
        _check_timer_literal(definition, tree.body, element)


def _check_code(codes: Iterable[Code]) -> None:
    """Refuse workflow code the sandbox would refuse at run time, naming its element and the construct."""
    for code in codes:
        try:
            compile_checked(code.source, code.mode)
        except UnsafeCode as exc:
            raise InvalidSpec(exc.message, element=code.element, **exc.params) from exc


def condition_flows(parser: SpiffBpmnParser, process_ids: Iterable[str]) -> dict[tuple[str, str], str]:
    """Sequence flows by (source, target), to name a refused condition by its flow."""
    flows = {}
    for process_parser in filter(None, map(parser.get_process_parser, process_ids)):
        for flow in process_parser.node.iter(f"{{{_BPMN_NS}}}sequenceFlow"):
            flows[(flow.get("sourceRef"), flow.get("targetRef"))] = flow.get("id")
    return flows


@dataclass(frozen=True)
class Known:
    """What the Python side offers for the diagrams to name; None skips that check."""

    operations: Container[str]
    forms: Container[str] | None = None
    lanes: Container[str] | None = None
    records: Container[str] | None = None


def _check_property_values(info: TaskSpecInfo, element: str) -> None:
    for name, value in info.properties.items():
        if name not in TASK_PROPERTIES:
            raise InvalidSpec(N_("user task property %(property)s is not one Caseflow reads"), element=element,
                              property=name)
        if name.startswith("dueIn") and not str(value).strip().isdigit():
            raise InvalidSpec(N_("user task property %(property)s must be a whole number of days"), element=element,
                              property=name)
        if name == "regionVariable" and not str(value).isidentifier():
            raise InvalidSpec(N_("user task property %(property)s must name a variable"), element=element,
                              property=name)


def _check_form(info: TaskSpecInfo, element: str, known: Known) -> None:
    if known.forms is not None and info.form not in known.forms:
        raise InvalidSpec(N_("user task names no known form (formKey=%(form)s)"), element=element,
                          form=str(info.form))


def _check_record(info: TaskSpecInfo, element: str, known: Known) -> None:
    record = info.properties.get("record")
    if known.records is not None and record is not None and record not in known.records:
        raise InvalidSpec(N_("user task names no known record kind (record=%(record)s)"), element=element,
                          record=str(record))


def _check_lane(info: TaskSpecInfo, element: str, known: Known) -> None:
    if known.lanes is not None and labels.split(info.lane).key.lower() not in known.lanes:
        raise InvalidSpec(N_("user task lane %(lane)s is not a known role"), element=element, lane=str(info.lane))


def _check_operation(task_spec, element: str, known: Known) -> None:
    if isinstance(task_spec, ServiceTask) and task_spec.operation_name not in known.operations:
        raise InvalidSpec(N_("unknown service operation %(operation)s"), element=element,
                          operation=task_spec.operation_name)


def _task_checks(task_spec, flows: dict, known: Known) -> list[Callable[[], None]]:
    """Every check of one task spec, each raising InvalidSpec for its own problem, in the order deploy runs them."""
    element = getattr(task_spec, "bpmn_id", None) or task_spec.name
    checks = [lambda: _check_operation(task_spec, element, known)]
    if isinstance(task_spec, CatchingEvent):
        checks.append(lambda: _check_timer(task_spec))
    checks += [lambda: _check_code(task_code(task_spec, flows)), lambda: check_supported(task_spec)]
    if isinstance(task_spec, UserTask):
        info = describe_user_task(task_spec)
        checks += [lambda: _check_property_values(info, element), lambda: _check_form(info, element, known),
                   lambda: _check_record(info, element, known), lambda: _check_lane(info, element, known)]
    return checks


def task_problems(task_spec, *, flows: dict, known: Known) -> list[InvalidSpec]:
    """Everything deploy would refuse about one task spec (deploy stops at the first; lint lists them all)."""
    problems = []
    for check in _task_checks(task_spec, flows, known):
        try:
            check()
        except InvalidSpec as exc:
            problems.append(exc)
    return problems


def process_problems(process_spec) -> list[InvalidSpec]:
    """What deploy would refuse about a process's own code (an ad hoc subprocess's completion condition)."""
    try:
        _check_code(process_code(process_spec))
    except InvalidSpec as exc:
        return [exc]
    return []


def _check_semantics(bundle_specs, *, flows: dict, known: Known) -> list[TaskSpecInfo]:
    user_tasks = []
    spec, subprocess_specs = bundle_specs
    for process_spec in [spec, *subprocess_specs.values()]:
        _check_code(process_code(process_spec))
    for task_spec in _all_task_specs(*bundle_specs):
        for check in _task_checks(task_spec, flows, known):
            check()
        if isinstance(task_spec, UserTask):
            user_tasks.append(describe_user_task(task_spec))
    return user_tasks


def awaited_messages(bundle_specs) -> frozenset[str]:
    """Names of the messages some catch event or receive task of the bundle waits for."""
    names = set()
    for task_spec in _all_task_specs(*bundle_specs):
        definition = getattr(task_spec, "event_definition", None)
        if isinstance(task_spec, CatchingEvent) and isinstance(definition, MessageEventDefinition):
            names.add(definition.name)
    return frozenset(names)


def _form_files(forms, user_tasks: list[TaskSpecInfo]) -> dict[str, str]:
    """The forms the bundle's user tasks use, as version files, when `forms` gives their texts."""
    if not isinstance(forms, Mapping):
        return {}
    return {f"{FORMS_DIR}{key}.json": forms[key] for key in sorted({t.form for t in user_tasks if t.form})
            if isinstance(forms.get(key), str)}


def describe_user_task(task_spec) -> TaskSpecInfo:
    """Summarise a user task spec: its id, label, lane, form key and extension properties."""
    properties = dict(task_spec.extensions.get("properties", {}))
    return TaskSpecInfo(bpmn_id=task_spec.bpmn_id, name=task_spec.bpmn_name or task_spec.bpmn_id,
                        lane=task_spec.lane, form=properties.get("formKey"), properties=properties)


def build_bundle(files: dict[str, str], process_id: str, *, operations: Container[str],
                 forms: Container[str] | Mapping[str, str] | None = None, lanes: Container[str] | None = None,
                 records: Container[str] | None = None) -> Bundle:
    """Validate and parse the files, keep those `process_id` uses, and return the hashed bundle.

    `forms` are the form keys user tasks may name; given as {key: JSON text}, the forms the bundle uses become
    part of the version: hashed with it (a changed form is a new version) and stored with it."""
    if not files:
        raise InvalidSpec(N_("no BPMN files given"))
    for name, content in files.items():
        check_xml(name, content)
    parser = _make_parser(files, validate=True)
    if parser.get_process_parser(process_id) is None:
        raise InvalidSpec(N_("no process with id %(process)s"), element=process_id, process=process_id)
    try:
        spec, subprocess_specs = specs_from(parser, process_id)
    except ValidationException as exc:
        raise invalid_spec(exc) from exc
    except SpiffWorkflowException as exc:
        raise InvalidSpec(N_("the process cannot be parsed: %(reason)s"), element=process_id, reason=str(exc)) from exc
    if not spec.start.outputs:
        raise InvalidSpec(N_("the process has no start event"), element=process_id)
    flows = condition_flows(parser, [process_id, *subprocess_specs])
    known = Known(operations=operations, forms=forms, lanes=lanes, records=records)
    user_tasks = _check_semantics((spec, subprocess_specs), flows=flows, known=known)
    used = {name: files[name] for name in _used_files(parser, process_id, subprocess_specs)}
    used.update(_form_files(forms, user_tasks))
    sha = content_hash(used)
    _cache.setdefault(sha, (spec, subprocess_specs, used))
    return Bundle(process_id, sha, used, spec, subprocess_specs, tuple(user_tasks),
                  awaited_messages((spec, subprocess_specs)))


def _wire_loops(spec, subprocess_specs: dict) -> None:
    """Connect every loop to the completion of its iteration's task spec, as SpiffWorkflow only does lazily.

    SpiffWorkflow 3.2 tells a loop (standard or multi-instance) that an iteration finished through the
    iteration spec's `completed_event`, and connects that signal in `create_child` -- on the spec object, the
    first time this process creates an iteration. A spec parsed by another process (or after a restart) never
    saw that call for the iterations already running, so the iteration would finish and the loop never move
    on. Connecting every loop when the spec is parsed makes a restored instance behave as the live one."""
    for process_spec in (spec, *subprocess_specs.values()):
        for task_spec in process_spec.task_specs.values():
            if isinstance(task_spec, LoopTask):
                signal = process_spec.task_specs[task_spec.task_spec].completed_event
                if not signal.is_connected(task_spec.merge_child):
                    signal.connect(task_spec.merge_child)


def specs_from(parser: SpiffBpmnParser, process_id: str) -> tuple[object, dict]:
    """The process spec and its called processes' specs, wired so that restored instances run as live ones."""
    spec, subprocess_specs = parser.get_spec(process_id), parser.get_subprocess_specs(process_id)
    _wire_loops(spec, subprocess_specs)
    return spec, subprocess_specs


def parse_specs(process_id: str, files: dict[str, str]) -> tuple[object, dict]:
    """Freshly parsed specs of a deployed version, exactly as a newly started process would build them."""
    return specs_from(_make_parser(files, validate=False), process_id)


def get_specs(sha: str, process_id: str, files: dict[str, str] | None) -> tuple[object, dict]:
    """Return the parsed specs of a deployed version, parsing its stored files once per process."""
    cached = _cache.get(sha)
    if cached is None:
        if files is None:
            raise KeyError(f"process version {sha[:12]} is not cached and no files were given")
        cached = _cache[sha] = (*parse_specs(process_id, files), files)
    return cached[0], cached[1]


def cached_files(sha: str) -> dict[str, str] | None:
    """The files of a version this process has parsed, if any."""
    cached = _cache.get(sha)
    return cached[2] if cached else None


def is_cached(sha: str) -> bool:
    return sha in _cache


def forget_specs() -> None:
    """Drop every parsed spec, as a restarted process starts without them."""
    _cache.clear()
