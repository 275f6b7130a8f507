"""Every piece of workflow code a parsed process holds, named by its element, so deploy can check all of it.

This lists what SpiffWorkflow 3.2 hands to its script engine: scripts, pre/post scripts, sequence-flow
conditions, loop and multi-instance expressions, service-task parameters, timer, conditional, message and
signal expressions, correlation retrieval expressions, ad hoc subprocess completion conditions, and DMN input
expressions and entries (composed the way the DMN engine composes them before evaluating).
"""

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass

from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask, StandardLoopTask
from SpiffWorkflow.dmn.specs.business_rule_task_mixin import BusinessRuleTaskMixin
from SpiffWorkflow.specs.MultiChoice import MultiChoice

# DMNEngine.evaluate replaces a `?` outside quotes with the input value's name.
_DMN_QUESTION_MARK = re.compile(r'(\?)(?=(?:[^\'"]|[\'"][^\'"]*[\'"])*$)')
_DMN_INPUT_NAME = "dmninputexpr"


@dataclass(frozen=True)
class Code:
    """One script (`exec`) or expression (`eval`) and the BPMN/DMN element it belongs to."""

    element: str
    source: str
    mode: str


def dmn_match_expression(input_expression: str, entry: str) -> str:
    """The expression the DMN engine evaluates for one input entry of a rule (see DMNEngine.evaluate)."""
    match = _DMN_QUESTION_MARK.sub(_DMN_INPUT_NAME, entry)
    if _DMN_INPUT_NAME in match:
        return match
    try:
        ast.parse(match)
    except SyntaxError:
        return input_expression + match  # an operator first, as in `< 24`
    return f"({input_expression}) == ({match})"


def decision_code(table) -> Iterator[Code]:
    """Input expressions, input entries (as composed for evaluation) and output entries of a decision table."""
    for column in table.inputs:
        if column.expression:
            yield Code(column.id, column.expression, "eval")
    for rule in table.rules:
        for entry in rule.inputEntries:
            for match in entry.lhs:
                if match is not None:
                    yield Code(entry.id, dmn_match_expression(entry.input.expression or "None", match), "eval")
        for entry in rule.outputEntries:
            if getattr(entry, "text", None):
                yield Code(entry.id, entry.text, "eval")


def _event_expressions(definition) -> Iterator[str]:
    for inner in getattr(definition, "event_definitions", None) or ():  # a multiple event
        yield from _event_expressions(inner)
    if getattr(definition, "expression", None):
        yield definition.expression
    for prop in [*(getattr(definition, "correlation_properties", None) or ()),
                 *(getattr(definition, "process_correlations", None) or ())]:
        if prop.retrieval_expression:
            yield prop.retrieval_expression


def _expressions(task_spec) -> Iterator[str]:
    if isinstance(task_spec, StandardLoopTask) and task_spec.condition:
        yield task_spec.condition
    if isinstance(task_spec, MultiInstanceTask):
        yield from filter(None, (task_spec.cardinality, task_spec.condition))
    for param in (getattr(task_spec, "operation_params", None) or {}).values():
        yield param["value"]
    definition = getattr(task_spec, "event_definition", None)
    if definition is not None:
        yield from _event_expressions(definition)


def task_code(task_spec, flow_ids: dict[tuple[str, str], str]) -> Iterator[Code]:
    """The code of one task spec; a condition is named by its sequence flow when `flow_ids` knows it."""
    element = getattr(task_spec, "bpmn_id", None) or task_spec.name
    for attribute in ("prescript", "script", "postscript"):
        source = getattr(task_spec, attribute, None)
        if source:
            yield Code(element, source, "exec")
    for source in _expressions(task_spec):
        yield Code(element, source, "eval")
    if isinstance(task_spec, MultiChoice):
        for condition, target in task_spec.cond_task_specs:
            if condition is not None:
                flow = flow_ids.get((element, target.removesuffix(".BoundaryEventSplit")), element)
                yield Code(flow, condition.args[0], "eval")
    if isinstance(task_spec, BusinessRuleTaskMixin):
        yield from decision_code(task_spec.dmnEngine.decision_table)


def process_code(process_spec) -> Iterator[Code]:
    """Code that belongs to a process rather than a task: an ad hoc subprocess's completion condition."""
    if getattr(process_spec, "completion_condition", None):
        yield Code(process_spec.name, process_spec.completion_condition, "eval")
