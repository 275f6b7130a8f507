"""Run workflow instances: start, complete, wake timers, deliver messages. State in, snapshot out."""

import json
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.task import TaskState

from caseflow.engine import clockpatch
from caseflow.engine.sandbox import SandboxEnvironment
from caseflow.engine.serializer import dumps, loads
from caseflow.engine.specs import TaskSpecInfo, describe_user_task, get_specs
from caseflow.errors import N_, CaseflowError, Conflict, NotFound

Operation = Callable[[dict, "ServiceContext"], object]


class EngineError(CaseflowError):
    """A workflow step failed (script error, service handler failure); nothing was applied. `element` names the
    BPMN element that failed, when known."""

    http_status = 500

    def __init__(self, message: str, /, *, element: str | None = None, **params):
        self.element = element
        super().__init__(message, **params)


def _failed_element(exc: Exception) -> str | None:
    """The BPMN id of the task a SpiffWorkflow error is about."""
    task = getattr(exc, "task", None)
    spec = getattr(exc, "task_spec", None) or getattr(task, "task_spec", None)
    return getattr(spec, "bpmn_id", None)


@dataclass(frozen=True)
class ServiceContext:
    """What a service-task handler may know besides its parameters."""

    task_name: str
    data: Mapping
    now: datetime


@dataclass(frozen=True)
class ReadyTask:
    task_id: str
    info: TaskSpecInfo
    process_id: str
    region: str | None = None  # from the task data variable named by the `regionVariable` property


@dataclass(frozen=True)
class Message:
    name: str
    payload: dict


@dataclass(frozen=True)
class Snapshot:
    """The result of one engine step: everything the app persists about an instance."""

    state: bytes
    ready_before: frozenset[str]
    completed: bool
    next_due: datetime | None
    ready_tasks: tuple[ReadyTask, ...]
    messages: tuple[Message, ...]
    data: dict
    awaiting: frozenset[str] = frozenset()  # names of the messages the instance waits for


class _Environment(SandboxEnvironment):
    """Runs only sandbox-checked code (see sandbox.py) and calls service handlers by operation name."""

    def __init__(self, operations: Mapping[str, Operation]):
        super().__init__()
        self.operations = operations

    def call_service(self, context, operation_name=None, operation_params=None, task_name=""):
        params = {name: spec["value"] for name, spec in (operation_params or {}).items()}
        handler = self.operations[operation_name]
        result = handler(params, ServiceContext(task_name=task_name, data=dict(context), now=clockpatch.now()))
        return json.dumps(result, default=str)


class _ScriptEngine(PythonScriptEngine):
    def call_service(self, task, **kwargs):
        try:
            return self.environment.call_service(task.data, task_name=task.task_spec.bpmn_id, **kwargs)
        except CaseflowError:
            raise
        except Exception as exc:
            raise EngineError(N_("service task %(task)s failed: %(reason)s"), task=task.task_spec.bpmn_id,
                              reason=str(exc), element=task.task_spec.bpmn_id) from exc


_script_engine = _ScriptEngine(_Environment({}))


def script_engine() -> PythonScriptEngine:
    """The one script engine of this process (it carries the service operations)."""
    return _script_engine


def configure(*, operations: Mapping[str, Operation], now: Callable[[], datetime]) -> None:
    """Install the service operations and the clock every instance in this process uses."""
    _script_engine.environment.operations = operations
    clockpatch.install(now)


def restore(sha: str, process_id: str, files: dict | None, state: bytes) -> BpmnWorkflow:
    """The stored instance, or a fresh one to start when there is no state yet."""
    spec, subprocess_specs = get_specs(sha, process_id, files)
    return restore_with(spec, subprocess_specs, state)


def restore_with(spec, subprocess_specs: dict, state: bytes) -> BpmnWorkflow:
    """Rebuild an instance from its stored state on the given specs (an empty state: a new instance)."""
    if not state:
        return BpmnWorkflow(spec, subprocess_specs, script_engine=_script_engine)
    try:
        workflow = loads(state, spec, subprocess_specs)
    except (ValueError, KeyError, TypeError, AttributeError, zlib.error) as exc:
        raise EngineError(N_("instance state cannot be loaded: %(reason)s"), reason=str(exc)) from exc
    workflow.script_engine = _script_engine
    return workflow


def _run_engine_steps(workflow: BpmnWorkflow) -> None:
    """BpmnWorkflow.do_engine_steps, pruning orphaned subprocesses between rounds (see the pruning note)."""
    _prune_finished_subprocesses(workflow)
    while workflow._do_engine_steps():
        _prune_finished_subprocesses(workflow)
    workflow.refresh_timers()


def _step(workflow: BpmnWorkflow) -> None:
    try:
        workflow.refresh_timers()
        _run_engine_steps(workflow)
    except CaseflowError:
        raise
    except SpiffWorkflowException as exc:
        raise EngineError(N_("workflow step failed: %(reason)s"), reason=str(exc),
                          element=_failed_element(exc)) from exc


def next_due(workflow: BpmnWorkflow) -> datetime | None:
    """Earliest fire time among the instance's waiting timers (an event-based gateway's included)."""
    times = []
    for task in workflow.event_manager.tasks.values():
        for definition in _parts(task.task_spec.event_definition):
            value = definition.details(task).value if isinstance(definition, TimerEventDefinition) else None
            if isinstance(value, dict):  # a cycle: its next fire time, once cycles remain
                value = value.get("next")
            if isinstance(value, str):
                times.append(TimerEventDefinition.get_datetime(value))
    return min(times, default=None)


def _ready_ids(workflow: BpmnWorkflow) -> frozenset[str]:
    return frozenset(str(task.id) for task in workflow.get_tasks(state=TaskState.READY, manual=True))


def _ready_task(task) -> ReadyTask:
    info = describe_user_task(task.task_spec)
    region_variable = info.properties.get("regionVariable")
    region = task.data.get(region_variable) if region_variable else None
    return ReadyTask(str(task.id), info, task.workflow.spec.name, str(region) if region else None)


def _find_task(workflow: BpmnWorkflow, task_id):
    if task_id in workflow.tasks:
        return workflow.tasks[task_id]
    return next((sp.tasks[task_id] for sp in workflow.subprocesses.values() if task_id in sp.tasks), None)


def _prune_finished_subprocesses(workflow: BpmnWorkflow) -> None:
    """Drop subprocesses whose calling task has finished or is gone.

    A finished caller has merged the results already, so keeping its subprocess would only grow the stored
    state with every loop iteration. A caller can also be gone: SpiffWorkflow 3.2 drops the running iteration
    of a looped call activity when a boundary event interrupts the loop, but leaves that iteration's subprocess
    (and its timers) behind, which breaks the next engine step."""
    changed = True
    while changed:
        changed = False
        for task_id in list(workflow.subprocesses):
            caller = _find_task(workflow, task_id)
            if caller is None or caller.has_state(TaskState.FINISHED_MASK):
                for task in workflow.subprocesses.pop(task_id).tasks.values():
                    workflow.event_manager.remove_task(task)
                changed = True


def _snapshot(workflow: BpmnWorkflow, ready_before: frozenset[str]) -> Snapshot:
    _prune_finished_subprocesses(workflow)
    ready = tuple(_ready_task(task) for task in workflow.get_tasks(state=TaskState.READY, manual=True))
    messages = tuple(Message(event.event_definition.name, dict(event.payload or {}))
                     for event in workflow.get_events()
                     if isinstance(event.event_definition, MessageEventDefinition))
    completed = workflow.is_completed()
    return Snapshot(state=dumps(workflow), ready_before=ready_before, completed=completed, next_due=next_due(workflow),
                    ready_tasks=ready, messages=messages, data=dict(workflow.data) if completed else {},
                    awaiting=awaited_messages(workflow))


def awaited_messages(workflow: BpmnWorkflow) -> frozenset[str]:
    """The names of the messages some waiting event of the instance would catch."""
    return frozenset(definition.name for task in workflow.event_manager.tasks.values()
                     for definition in _parts(task.task_spec.event_definition)
                     if isinstance(definition, MessageEventDefinition))


def _parts(definition) -> list:
    """The event definitions a catching event listens for (an event-based gateway listens for several)."""
    return list(getattr(definition, "event_definitions", None) or [definition])


Action = Callable[[BpmnWorkflow], None]


def advance(workflow: BpmnWorkflow, action: Action) -> Snapshot:
    """Apply one action to a workflow, run it on to its next wait state and describe the result."""
    before = _ready_ids(workflow)
    action(workflow)
    _step(workflow)
    return _snapshot(workflow, before)


def execute(sha: str, process_id: str, files: dict | None, state: bytes, action: Action, key: tuple) -> Snapshot:
    """Restore the stored state and advance it; `key` names the action (the restore check replays it)."""
    return advance(restore(sha, process_id, files, state), action)


# Replaced by caseflow.engine.verify while restores are being checked against live workflows.
executor = execute


def _set_start_data(data: Mapping) -> Action:
    def set_start_data(workflow: BpmnWorkflow) -> None:
        workflow.get_next_task(state=TaskState.READY).data.update(data)
    return set_start_data


def start(sha: str, process_id: str, files: dict | None, data: Mapping) -> Snapshot:
    """Create an instance with initial data and run it to its first wait state."""
    return executor(sha, process_id, files, b"", _set_start_data(data), ("start", dict(data)))


def _complete(task_id: str, data: Mapping) -> Action:
    def complete(workflow: BpmnWorkflow) -> None:
        try:
            task = _find_task(workflow, UUID(task_id))
        except ValueError:
            raise NotFound(N_("task not found")) from None
        # gone (a concurrent step completed or withdrew it), or no longer ready
        if task is None or task.state != TaskState.READY or not task.task_spec.manual:
            raise Conflict(N_("this task is no longer open"))
        task.set_data(**data)
        try:
            task.run()
        except SpiffWorkflowException as exc:
            raise EngineError(N_("task %(task)s failed: %(reason)s"), task=task.task_spec.bpmn_id,
                              reason=str(exc), element=task.task_spec.bpmn_id) from exc
    return complete


def complete_task(sha: str, process_id: str, files: dict | None, state: bytes, *, task_id: str,
                  data: Mapping) -> Snapshot:
    """Complete a ready user task with form data and run on to the next wait state."""
    return executor(sha, process_id, files, state, _complete(task_id, data), ("complete", task_id, dict(data)))


def wake(sha: str, process_id: str, files: dict | None, state: bytes) -> Snapshot:
    """Fire every due timer of the instance and run on."""
    return executor(sha, process_id, files, state, lambda workflow: None, ("wake",))


def _deliver(name: str, payload: Mapping) -> Action:
    def deliver(workflow: BpmnWorkflow) -> None:
        for task in list(workflow.event_manager.tasks.values()):
            for definition in _parts(task.task_spec.event_definition):
                if isinstance(definition, MessageEventDefinition) and definition.name == name:
                    workflow.send_event(BpmnEvent(definition, dict(payload)))
                    return
        raise Conflict(N_("instance is not waiting for message %(message)s"), message=name)
    return deliver


def deliver_message(sha: str, process_id: str, files: dict | None, state: bytes, *, name: str,
                    payload: Mapping) -> Snapshot:
    """Deliver a named message to an instance that waits for it."""
    return executor(sha, process_id, files, state, _deliver(name, payload), ("message", name, dict(payload)))


def inspect(sha: str, process_id: str, files: dict | None, state: bytes) -> Snapshot:
    """What the stored instance is doing now (ready tasks, timers, awaited messages), without running it."""
    return _snapshot(restore(sha, process_id, files, state), frozenset())


_ACTIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED


def active_elements(sha: str, process_id: str, files: dict | None, state: bytes) -> list[tuple[str, list[str]]]:
    """Where the instance is: per process from the top down, the BPMN ids of its active elements."""
    workflow = restore(sha, process_id, files, state)
    layers = [workflow, *sorted(workflow.subprocesses.values(), key=lambda sp: sp.depth)]
    result = []
    for layer in layers:
        ids = sorted({t.task_spec.bpmn_id for t in layer.tasks.values()
                      if t.has_state(_ACTIVE) and getattr(t.task_spec, "bpmn_id", None)})
        if ids:
            result.append((layer.spec.name, ids))
    return result
