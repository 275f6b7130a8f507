"""Handlers for BPMN service tasks, registered by operation name.

A handler takes the evaluated parameters and a `ServiceContext` (task name, a copy of the task data,
the app clock's now) and returns JSON-able data, which lands in the task's result variable.
"""

from collections.abc import Callable

OPERATIONS: dict[str, Callable] = {}


def operation(name: str):
    """Register the decorated function as the handler of BPMN service operation `name`."""

    def register(handler: Callable) -> Callable:
        if name in OPERATIONS and OPERATIONS[name] is not handler:
            raise ValueError(f"service operation {name!r} registered twice")
        OPERATIONS[name] = handler
        return handler

    return register


def load_handlers() -> dict[str, Callable]:
    """Import every handler module so its operations register, and return the registry."""
    from caseflow.tasks import campaign, casework, followup, matching, package, scheduling  # noqa: F401

    return OPERATIONS
