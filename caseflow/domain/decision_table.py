"""Reading a DMN decision table to show people which rule applies: the rules with their descriptions, input entries
and outputs, and the first rule whose literal entries match given inputs (hit policy FIRST, as the workflow runs
it). Entries that are expressions rather than literals are shown, never evaluated here."""

import ast
from dataclasses import dataclass

import defusedxml.ElementTree as safe_xml

DMN_NS = "{https://www.omg.org/spec/DMN/20191111/MODEL/}"
ANY = "-"


@dataclass(frozen=True)
class Rule:
    id: str
    description: str
    entries: tuple[str, ...]  # one input entry per input, as written ('"hubei"', '-')
    outputs: dict[str, str]  # output name → entry as written

    def literal_values(self, index: int) -> tuple | None:
        """The literals an input entry accepts ('"a", "b"' → ('a', 'b')); () for any value; None when the entry
        is an expression."""
        entry = self.entries[index].strip()
        if entry in ("", ANY):
            return ()
        try:
            value = ast.literal_eval(entry)
        except (ValueError, SyntaxError):
            return None
        return value if isinstance(value, tuple) else (value,)


@dataclass(frozen=True)
class DecisionTable:
    decision_id: str
    name: str
    inputs: tuple[tuple[str, str], ...]  # (label, expression)
    outputs: tuple[tuple[str, str], ...]  # (name, label)
    rules: tuple[Rule, ...]

    def first_match(self, values: dict) -> Rule | None:
        """The first rule whose every input entry accepts the value of its input expression (a plain variable
        name), or None; a rule with an expression entry ends the search (only the engine can evaluate it)."""
        for rule in self.rules:
            matches = True
            for index, (_label, expression) in enumerate(self.inputs):
                accepted = rule.literal_values(index)
                if accepted is None:
                    return None
                if accepted and values.get(expression.strip()) not in accepted:
                    matches = False
                    break
            if matches:
                return rule
        return None


def _text(element, path: str) -> str:
    found = element.find(path)
    return (found.text or "").strip() if found is not None else ""


def read_decision(xml: str, decision_id: str) -> DecisionTable | None:
    """The decision table `decision_id` of a DMN file, or None when the file has no such decision."""
    root = safe_xml.fromstring(xml.encode(), forbid_dtd=True)
    decision = next((d for d in root.iter(f"{DMN_NS}decision") if d.get("id") == decision_id), None)
    table = decision.find(f"{DMN_NS}decisionTable") if decision is not None else None
    if table is None:
        return None
    inputs = tuple((i.get("label") or "", _text(i, f"{DMN_NS}inputExpression/{DMN_NS}text"))
                   for i in table.findall(f"{DMN_NS}input"))
    outputs = tuple((o.get("name") or "", o.get("label") or "") for o in table.findall(f"{DMN_NS}output"))
    rules = tuple(Rule(id=rule.get("id") or "", description=_text(rule, f"{DMN_NS}description"),
                       entries=tuple(_text(e, f"{DMN_NS}text") for e in rule.findall(f"{DMN_NS}inputEntry")),
                       outputs={name: _text(e, f"{DMN_NS}text")
                                for (name, _), e in zip(outputs, rule.findall(f"{DMN_NS}outputEntry"), strict=False)})
                  for rule in table.findall(f"{DMN_NS}rule"))
    return DecisionTable(decision_id, decision.get("name") or decision_id, inputs, outputs, rules)


def profiles_named(table: DecisionTable) -> list[str]:
    """The profiles the table's rules name by literal, in rule order (what a province may be given)."""
    names: list[str] = []
    for rule in table.rules:
        for value in rule.literal_values(0) or ():
            if isinstance(value, str) and value not in names:
                names.append(value)
    return names
