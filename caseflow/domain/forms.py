"""User-task form definitions (workflows/forms/*.json) and server-side validation of submissions."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache

FIELD_TYPES = {"text", "textarea", "choice", "date", "integer", "boolean", "posting", "referral", "area_code"}
# "area_code": a 6-digit GB/T 2260 code of caseflow's region data (caseflow/data/regions.csv)
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
    # required when another field holds one of these values, e.g. a rejection's reason: ("decision", ("reject",))
    required_when: tuple[str, tuple[str, ...]] | None = None


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
    when = raw.get("required_when")
    if when is not None and (not isinstance(when, Mapping) or not isinstance(when.get("field"), str)
                             or not isinstance(when.get("values"), list)):
        raise ValueError(f"{where}: field {name}: required_when needs a field and a list of values")
    return Field(name=name, type=kind, label=_text(raw.get("label", name), f"{where}.{name}"),
                 required=bool(raw.get("required", False)), choices=choices,
                 max_length=int(raw.get("max_length", 500)),
                 required_when=(when["field"], tuple(str(v) for v in when["values"])) if when else None)


def parse_form(key: str, raw: Mapping) -> FormSpec:
    """Build a form spec from its JSON; raise ValueError naming the form and field on a mistake."""
    fields = tuple(_field(f, f"form {key}") for f in raw.get("fields", ()))
    names = [f.name for f in fields]
    if len(names) != len(set(names)):
        raise ValueError(f"form {key}: duplicate field names")
    for field in fields:
        if field.required_when and field.required_when[0] not in names:
            raise ValueError(f"form {key}: field {field.name} is required when {field.required_when[0]}, "
                             "which the form does not have")
    return FormSpec(key=key, title=_text(raw.get("title", key), f"form {key}"), fields=fields)


@cache
def _area_codes() -> frozenset[str]:
    from caseflow.services.regions import reference_rows  # the reference file, no database

    return frozenset(row["code"] for row in reference_rows())


def _area_code(value: str) -> str:
    if not (len(value) == 6 and value.isascii() and value.isdigit()) or value not in _area_codes():
        raise ValueError("not an area code")
    return value


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
    if field.type == "area_code":
        return _area_code(value)
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
    for field in form.fields:  # required by what another field says (a rejection needs its reason)
        if field.required_when and field.name not in data and field.name not in errors \
                and data.get(field.required_when[0]) in field.required_when[1]:
            errors[field.name] = "required"
    return data, errors
