"""User-task form definitions (workflows/forms/*.json) and server-side validation of submissions."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

FIELD_TYPES = {"text", "textarea", "choice", "date", "integer", "boolean", "posting", "referral"}
# "posting": a job posting of the register, picked among the open ones near the case (the service checks it);
# "referral": one of the case's referrals. Both are submitted as the row's id.
RECORD_TYPES = {"posting", "referral"}
MAX_ID = 2**31 - 1  # a row id fits a 32-bit integer column
INTEGER_RANGE = (-(2**31), 2**31 - 1)  # what a database integer column holds
YEAR_RANGE = (1900, 2200)  # dates outside it are typing mistakes, and date arithmetic near year 1 overflows


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    label: Mapping[str, str]
    required: bool = False
    choices: tuple[tuple[str, Mapping[str, str]], ...] = ()
    max_length: int = 500


@dataclass(frozen=True)
class FormSpec:
    key: str
    title: Mapping[str, str]
    fields: tuple[Field, ...]


def _text(value, where: str) -> Mapping[str, str]:
    if isinstance(value, str):
        return {"en": value}
    if isinstance(value, Mapping) and value and all(isinstance(v, str) for v in value.values()):
        return dict(value)
    raise ValueError(f"{where}: a label must be a string or a {{locale: text}} object")


def _field(raw: Mapping, where: str) -> Field:
    name, kind = raw.get("name"), raw.get("type", "text")
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"{where}: field name {name!r} must be an identifier")
    if kind not in FIELD_TYPES:
        raise ValueError(f"{where}: field {name} has unknown type {kind!r}")
    choices = tuple((str(c["value"]), _text(c.get("label", c["value"]), f"{where}.{name}"))
                    for c in raw.get("choices", ()))
    if kind == "choice" and not choices:
        raise ValueError(f"{where}: choice field {name} has no choices")
    return Field(name=name, type=kind, label=_text(raw.get("label", name), f"{where}.{name}"),
                 required=bool(raw.get("required", False)), choices=choices,
                 max_length=int(raw.get("max_length", 500)))


def parse_form(key: str, raw: Mapping) -> FormSpec:
    """Build a form spec from its JSON; raise ValueError naming the form and field on a mistake."""
    fields = tuple(_field(f, f"form {key}") for f in raw.get("fields", ()))
    names = [f.name for f in fields]
    if len(names) != len(set(names)):
        raise ValueError(f"form {key}: duplicate field names")
    return FormSpec(key=key, title=_text(raw.get("title", key), f"form {key}"), fields=fields)


def _convert(field: Field, value: str):
    if field.type == "integer":
        number = int(value) if len(value) <= 12 else None
        if number is None or not INTEGER_RANGE[0] <= number <= INTEGER_RANGE[1]:
            raise ValueError("out of range")
        return number
    if field.type in RECORD_TYPES:
        if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= MAX_ID:
            raise ValueError("not a record id")
        return int(value)
    if field.type == "date":
        day = date.fromisoformat(value)
        if not YEAR_RANGE[0] <= day.year <= YEAR_RANGE[1]:
            raise ValueError("out of range")
        return day.isoformat()
    if field.type == "choice" and value not in {c for c, _ in field.choices}:
        raise ValueError("not one of the choices")
    if len(value) > field.max_length:
        raise ValueError(f"longer than {field.max_length} characters")
    return value


def validate(form: FormSpec, submitted: Mapping[str, object]) -> tuple[dict, dict[str, str]]:
    """Convert a submission (form strings or JSON values) to typed data holding only the form's fields;
    return (data, {field: error code}) with error codes 'required' or 'invalid' for the web layer to translate."""
    data, errors = {}, {}
    for field in form.fields:
        raw = submitted.get(field.name)
        if field.type == "boolean":
            data[field.name] = raw is True or raw in ("on", "true", "1", "yes")
            continue
        value = ("" if raw is None or raw is False else str(raw)).strip()
        if not value:
            if field.required:
                errors[field.name] = "required"
            continue
        try:
            data[field.name] = _convert(field, value)
        except ValueError:
            errors[field.name] = "invalid"
    return data, errors
