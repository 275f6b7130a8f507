"""Compare workflow states whatever their random task ids: name each task by its place in the task trees."""

import json
import re

UUID_PATTERN = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def workflows(dct: dict) -> list[dict]:
    """The top workflow's state and its subprocesses' states."""
    return [dct, *dct["subprocesses"].values()]


def canonical_ids(dct: dict) -> dict[str, str]:
    """Name every task id by its position in the trees (depth first, children in order), so two states with
    the same structure get the same names whatever their random ids."""
    names: dict[str, str] = {}

    def walk(tasks: dict, root: str) -> None:
        stack = [root]
        while stack:
            task_id = stack.pop()
            names.setdefault(task_id, f"id{len(names)}")
            stack.extend(reversed(tasks[task_id]["children"]))

    walk(dct["tasks"], dct["root"])
    pending = dict(dct["subprocesses"])
    while pending:
        caller = min((key for key in pending if key in names), key=lambda key: int(names[key][2:]), default=None)
        if caller is None:
            break
        subprocess = pending.pop(caller)
        walk(subprocess["tasks"], subprocess["root"])
    return names


def shape(dct: dict, blank_keys: set[str] = frozenset()) -> str:
    """The state as canonical JSON: task ids renamed by position, timestamps and the given data keys blanked."""
    names = canonical_ids(dct)
    dct = json.loads(json.dumps(dct))
    for workflow in workflows(dct):
        for task in workflow["tasks"].values():
            task["last_state_change"] = 0
            for key in blank_keys & set(task.get("data") or {}):
                task["data"][key] = None
    renamed = json.loads(UUID_PATTERN.sub(lambda m: names.get(m.group(), "unknown"), json.dumps(dct)))
    return json.dumps(renamed, sort_keys=True)  # sorted only after renaming: random ids must not order keys
