"""Start many instances of one process at once (a ledger handover starts thousands).

Running SpiffWorkflow to the first wait state costs about 1.3 ms for the graduate journey, almost all of it
building and walking the task tree. When that run provably does not depend on the start data's values, every
instance ends up with the same tree: only the task ids and the start data differ. So the engine runs twice,
once with the first instance's data and once with every value perturbed; if both trees are identical apart
from ids and timestamps, the remaining instances are cloned from the first one's state with fresh task ids
and their own data. Otherwise (a gateway, timer or script read the data) each instance is started normally.
"""

import json
import os
import re
import zlib
from dataclasses import dataclass, replace

from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent, ThrowingEvent
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask, StandardLoopTask
from SpiffWorkflow.bpmn.specs.mixins.script_task import ScriptEngineTask
from SpiffWorkflow.dmn.specs.business_rule_task_mixin import BusinessRuleTaskMixin
from SpiffWorkflow.specs.MultiChoice import MultiChoice
from SpiffWorkflow.util.task import TaskState

from caseflow.engine.canonical import UUID_PATTERN, shape, workflows
from caseflow.engine.runtime import Snapshot, start
from caseflow.engine.serializer import decode
from caseflow.engine.specs import get_specs

_PRIMITIVE = (str, int, float, bool, type(None))


def _perturbed(data: dict) -> dict:
    """The same keys with different values of the same type."""
    def change(value):
        if isinstance(value, bool):
            return not value
        if isinstance(value, int | float):
            return value + 1
        return f"{value}~" if isinstance(value, str) else value
    return {key: change(value) for key, value in data.items()}


def _fresh_uuids(count: int) -> list[str]:
    """`count` random version-4 UUIDs as text, from one read of the OS's randomness (uuid.uuid4() per id costs
    a system call and a UUID object each; a clone needs ~50)."""
    raw = os.urandom(16 * count).hex()
    return [f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:]}"
            for h in (raw[i:i + 32] for i in range(0, 32 * count, 32))]


_VARIANT = {digit: "89ab"[int(digit, 16) & 3] for digit in "0123456789abcdef"}
_SLOT = re.compile(r'(' + UUID_PATTERN.pattern + r')|"@@start:(\w+)@@"')


@dataclass(frozen=True)
class _Template:
    """The first instance's state JSON cut into literal text, task ids and start-data slots."""

    parts: tuple[tuple[str, str], ...]  # ("text" | "id" | "data", value)
    ids: tuple[str, ...]
    snapshot: Snapshot
    keys: frozenset[str]
    pattern: str  # the parts as one %-format string: text escaped, ids as %(i<n>)s, data as %(d_<key>)s

    @classmethod
    def build(cls, state: dict, snapshot: Snapshot, keys: set[str]) -> "_Template":
        for workflow in workflows(state):
            for task in workflow["tasks"].values():
                if task.get("parent") is None and task.get("data"):
                    task["data"].update({k: f"@@start:{k}@@" for k in keys if k in task["data"]})
        parts, position, text = [], 0, json.dumps(state, separators=(",", ":"))
        for match in _SLOT.finditer(text):
            parts.append(("text", text[position:match.start()]))
            parts.append(("id", match.group(1)) if match.group(1) else ("data", match.group(2)))
            position = match.end()
        parts.append(("text", text[position:]))
        ids = tuple(dict.fromkeys(value for kind, value in parts if kind == "id"))
        number = {task_id: n for n, task_id in enumerate(ids)}
        pattern = "".join(value.replace("%", "%%") if kind == "text" else
                          f"%(i{number[value]})s" if kind == "id" else f"%(d_{value})s" for kind, value in parts)
        return cls(tuple(parts), ids, snapshot, frozenset(keys), pattern)

    def clone(self, data: dict) -> Snapshot:
        new_ids = _fresh_uuids(len(self.ids))
        fresh = dict(zip(self.ids, new_ids, strict=True))
        slots = {f"i{n}": task_id for n, task_id in enumerate(new_ids)}
        slots.update((f"d_{key}", json.dumps(value)) for key, value in data.items())
        text = self.pattern % slots  # one C-level substitution instead of joining ~500 pieces
        ready = tuple(replace(task, task_id=fresh[task.task_id]) for task in self.snapshot.ready_tasks)
        return replace(self.snapshot, state=zlib.compress(text.encode(), 1), ready_tasks=ready)


def _evaluates_anything(task_spec) -> bool:
    """Whether running this task spec can read task data: conditions, scripts, decisions, timer or message
    expressions, loop conditions tested up front, multi-instance inputs."""
    if isinstance(task_spec, MultiChoice | ScriptEngineTask | BusinessRuleTaskMixin):
        return True
    if getattr(task_spec, "prescript", None) or getattr(task_spec, "postscript", None):
        return True
    if isinstance(task_spec, CatchingEvent | ThrowingEvent):
        definition = getattr(task_spec, "event_definition", None)
        return definition is not None and type(definition).__name__ != "NoneEventDefinition"
    if isinstance(task_spec, StandardLoopTask):
        return task_spec.test_before
    return isinstance(task_spec, LoopTask)


def _ran_only_data_blind_steps(sha: str, process_id: str, files: dict | None, state: dict) -> bool:
    """True when every task that ran on the way to the first wait state is of a kind that ignores data."""
    spec, subprocess_specs = get_specs(sha, process_id, files)
    ran = TaskState.COMPLETED | TaskState.STARTED
    for workflow in workflows(state):
        process_spec = subprocess_specs.get(workflow["spec"]) if "spec" in workflow else spec
        for task in workflow["tasks"].values():
            if task["state"] & ran and _evaluates_anything(process_spec.task_specs[task["task_spec"]]):
                return False
    return True


def _template(sha: str, process_id: str, files: dict | None, data: dict, first: Snapshot) -> _Template | None:
    if first.next_due is not None or first.messages or first.completed \
            or not all(isinstance(v, _PRIMITIVE) for v in data.values()) \
            or not _ran_only_data_blind_steps(sha, process_id, files, decode(first.state)):
        return None
    other = start(sha, process_id, files, _perturbed(data))
    keys = set(data)  # the shapes hide ids, so the two runs compare equal exactly when only the data differs
    first_state = decode(first.state)
    if shape(first_state, keys) != shape(decode(other.state), keys) or \
            [(t.info, t.region) for t in first.ready_tasks] != [(t.info, t.region) for t in other.ready_tasks]:
        return None
    return _Template.build(first_state, first, keys)


def start_many(sha: str, process_id: str, files: dict | None, datas: list[dict]) -> list[Snapshot]:
    """Start one instance per data dict; the same result as calling `start` for each, only faster."""
    if len(datas) < 3:
        return [start(sha, process_id, files, data) for data in datas]
    first = start(sha, process_id, files, datas[0])
    template = _template(sha, process_id, files, datas[0], first)
    results = [first]
    for data in datas[1:]:
        clonable = template is not None and set(data) == template.keys and \
            all(isinstance(v, _PRIMITIVE) for v in data.values())
        results.append(template.clone(data) if clonable else start(sha, process_id, files, data))
    return results
