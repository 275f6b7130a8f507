"""The BPMN constructs Caseflow runs: each one is shown by tests/unit/engine/test_restore.py to behave the same
restored from storage in a fresh process as live. Deploy refuses anything else, naming the element."""

from caseflow.errors import N_, InvalidSpec

# task spec class → the event definitions it may carry ("" for none); SpiffWorkflow's internal specs included
_NONE, _TIMERS = {""}, {"DurationTimerEventDefinition", "TimeDateEventDefinition"}
SUPPORTED: dict[str, set[str]] = {
    **{name: _NONE for name in ("BpmnStartTask", "SimpleBpmnTask", "_EndJoin", "BoundaryEventSplit",
                                "BoundaryEventJoin", "UserTask", "ServiceTask", "ScriptTask", "BusinessRuleTask",
                                "CallActivity", "StandardLoopTask", "SequentialMultiInstanceTask",
                                "ParallelMultiInstanceTask", "ExclusiveGateway", "ParallelGateway")},
    "StartEvent": {"NoneEventDefinition"},
    "EndEvent": {"NoneEventDefinition"},
    "IntermediateCatchEvent": {"NoneEventDefinition", "MessageEventDefinition", *_TIMERS},
    "BoundaryEvent": {"MessageEventDefinition", *_TIMERS},
    "IntermediateThrowEvent": {"MessageEventDefinition"},
    "ReceiveTask": {"MessageEventDefinition"},
    "EventBasedGateway": {"MultipleEventDefinition"},
}


def check_supported(task_spec) -> None:
    """Refuse a task spec whose construct the engine adapter does not run (e.g. cycle timers, signals)."""
    kind = type(task_spec).__name__
    definition = getattr(task_spec, "event_definition", None)
    event = type(definition).__name__ if definition is not None else ""
    if event not in SUPPORTED.get(kind, ()):
        construct = f"{kind} ({event})" if event else kind
        raise InvalidSpec(N_("the construct %(construct)s is not supported"), construct=construct,
                          element=getattr(task_spec, "bpmn_id", None) or task_spec.name)
