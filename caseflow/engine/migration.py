"""Move a running instance from one process version to another, keeping what SpiffWorkflow's migration loses.

SpiffWorkflow 3.2's `migrate_workflow` aligns task specs by BPMN id and resets READY and WAITING tasks, which
restarts waiting timers (their fire time is recomputed from now) and clears the tasks' internal data
(ENGINE-NOTES §6). Here:

- an element renamed in the new version is aligned through a designer-supplied map (old id → new id);
- an instance is refused, with the reasons, when a task that has run, runs or waits has no counterpart in the new
  version, when a running (STARTED) task's spec changed, or when a called process is gone;
- READY and WAITING tasks keep their task ids (so the app's inbox rows keep assignee and draft), and every
  waiting timer gets its original fire time back;
- nothing runs: the instance is re-predicted on the new spec and stored, and the next step runs as usual.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.util.diff import SpecDiff, WorkflowDiff, migrate_workflow
from SpiffWorkflow.util.task import TaskState

from caseflow.engine import runtime
from caseflow.engine.serializer import _serializer
from caseflow.engine.specs import get_specs
from caseflow.errors import N_

_KEPT = TaskState.COMPLETED | TaskState.STARTED | TaskState.READY | TaskState.WAITING | TaskState.ERROR


@dataclass(frozen=True)
class Refusal:
    """Why an instance cannot move: an English msgid with its element."""

    message: str
    element: str
    state: str = ""

    def text(self, gettext=None) -> str:
        message = gettext(self.message) if gettext else self.message
        return message % {"element": self.element, "state": self.state}


def _mapped(name: str, mapping: Mapping[str, str]) -> str | None:
    """The new spec name of an old one under the designer's map; SpiffWorkflow's derived specs (`x.BoundaryEvent
    Split`, …) follow their element."""
    base, dot, suffix = name.partition(".")
    target = mapping.get(base)
    return f"{target}{dot}{suffix}" if target else None


def _apply_map(diff, new_spec, mapping: Mapping[str, str]) -> None:
    for task in list(diff.removed):
        target = _mapped(task.task_spec.name, mapping)
        if target and target in new_spec.task_specs:
            diff.removed.remove(task)
            diff.alignment[task] = new_spec.task_specs[target]


def _refusals(layer, diff, mapping: Mapping[str, str]) -> list[Refusal]:
    refusals = []
    for task, aligned in diff.alignment.items():
        # SpiffWorkflow also aligns a renamed element by its place in the flow; only the designer's map may.
        if (aligned is not None and aligned.name != task.task_spec.name and task.has_state(_KEPT)
                and _mapped(task.task_spec.name, mapping) != aligned.name and getattr(task.task_spec, "bpmn_id", None)):
            refusals.append(Refusal(N_("element %(element)s (%(state)s) has no counterpart with its id in the new "
                                       "version; map it to its new id"), task.task_spec.bpmn_id,
                                    TaskState.get_name(task.state)))
    for task in diff.removed:
        if task.has_state(_KEPT) and getattr(task.task_spec, "bpmn_id", None):
            refusals.append(Refusal(N_("element %(element)s (%(state)s) has no counterpart in the new version"),
                                    task.task_spec.bpmn_id, TaskState.get_name(task.state)))
    for task in diff.changed:
        aligned = diff.alignment.get(task)
        if task.has_state(TaskState.STARTED) and aligned is not None and _outputs(task.task_spec) != _outputs(aligned):
            refusals.append(Refusal(N_("element %(element)s is running and its flow changed"),
                                    getattr(task.task_spec, "bpmn_id", None) or task.task_spec.name,
                                    TaskState.get_name(task.state)))
    return refusals


def _outputs(spec) -> list[str]:
    return sorted(output.name for output in spec.outputs)


def _timers(workflow) -> dict:
    """Every waiting timer's stored fire time, by task id, across the instance's processes."""
    saved = {}
    for layer in [workflow, *workflow.subprocesses.values()]:
        for task in layer.tasks.values():
            definition = getattr(task.task_spec, "event_definition", None)
            if task.has_state(TaskState.WAITING) and "event_value" in task.internal_data and isinstance(
                    definition, TimerEventDefinition):
                saved[task.id] = task.internal_data["event_value"]
    return saved


# (old spec, new spec) → their SpecDiff: comparing two specs is the costly part and the same for every instance.
_spec_diffs: dict[tuple[int, int], tuple[object, object, SpecDiff]] = {}


def _spec_diff(old_spec, new_spec) -> SpecDiff:
    key = (id(old_spec), id(new_spec))
    cached = _spec_diffs.get(key)
    if cached is None or cached[0] is not old_spec or cached[1] is not new_spec:
        if len(_spec_diffs) > 64:
            _spec_diffs.clear()
        cached = _spec_diffs[key] = (old_spec, new_spec, SpecDiff(_serializer.registry, old_spec, new_spec))
    return cached[2]


def _plan(workflow, new_spec, new_subprocess_specs: dict, mapping: Mapping[str, str]):
    top = WorkflowDiff(workflow, _spec_diff(workflow.spec, new_spec))
    _apply_map(top, new_spec, mapping)
    refusals = _refusals(workflow, top, mapping)
    sub_diffs = {}
    for sp_id, layer in workflow.subprocesses.items():
        new_sub = new_subprocess_specs.get(layer.spec.name)
        if new_sub is None:
            refusals.append(Refusal(N_("the called process %(element)s is not in the new version"), layer.spec.name))
            continue
        diff = sub_diffs[sp_id] = WorkflowDiff(layer, _spec_diff(layer.spec, new_sub))
        _apply_map(diff, new_sub, mapping)
        refusals += _refusals(layer, diff, mapping)
    return top, sub_diffs, refusals


def check(old: tuple, state: bytes, new: tuple, mapping: Mapping[str, str]) -> list[Refusal]:
    """Why the instance (`state` on version `old` = (sha, process_id, files)) cannot move to `new`; [] if it can."""
    workflow = runtime.restore(*old, state)
    new_spec, new_subs = get_specs(*new)
    return _plan(workflow, new_spec, new_subs, mapping)[2]


def migrate(old: tuple, state: bytes, new: tuple, mapping: Mapping[str, str]) -> tuple[runtime.Snapshot | None,
                                                                                          list[Refusal]]:
    """The instance moved onto `new` (a snapshot to store), or None and the refusals."""
    workflow = runtime.restore(*old, state)
    new_spec, new_subs = get_specs(*new)
    top, sub_diffs, refusals = _plan(workflow, new_spec, new_subs, mapping)
    if refusals:
        return None, refusals
    ready_before = runtime._ready_ids(workflow)
    timers = _timers(workflow)
    data = {task.id: dict(task.data) for layer in [workflow, *workflow.subprocesses.values()]
            for task in layer.tasks.values() if task.has_state(TaskState.READY | TaskState.WAITING)}
    migrate_workflow(top, workflow, new_spec)
    for sp_id, diff in sub_diffs.items():
        layer = workflow.subprocesses[sp_id]
        migrate_workflow(diff, layer, new_subs[layer.spec.name])
    workflow.subprocess_specs = new_subs
    for layer in [workflow, *workflow.subprocesses.values()]:
        for task_id, task in layer.tasks.items():
            if task_id in data and task.has_state(TaskState.READY | TaskState.WAITING | TaskState.FUTURE):
                task.data = data[task_id]  # reset_branch replaced it with the parent's
            if task_id in timers:
                task.internal_data["event_value"] = timers[task_id]
    return runtime._snapshot(workflow, ready_before), []
