"""Reading what a request carries: ids in paths, query and form values, JSON bodies.

One place decides what a parameter may hold, so no value that cannot be right reaches a query: whole numbers
within a PostgreSQL `integer`, dates between 1900 and 2200, bounded text, and no control characters anywhere
(PostgreSQL cannot store NUL). An id that cannot exist answers 404 (the URL converters match no route);
any other impossible value answers 400 with a translated message.
"""

import math
import re
from datetime import date

from flask import current_app, request
from werkzeug.routing import BaseConverter, IntegerConverter

from caseflow.errors import N_, InvalidInput

DB_INT_MAX = 2**31 - 1  # PostgreSQL `integer`: every id column and every integer field of a form
FIRST_YEAR, LAST_YEAR = 1900, 2200
QUERY_VALUE_MAX = 1_000  # search boxes, filters, a `next` link
FORM_VALUE_MAX = 20_000  # a note typed into a form; the form's own field limits are checked by the service
JSON_DEPTH_MAX = 20
# Line breaks and tabs are text in a form's textarea or a JSON string; in a URL, nothing below space is.
_CONTROL = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff"
CONTROL_IN_TEXT = re.compile(f"[{_CONTROL}]")
CONTROL_IN_URL = re.compile(f"[{_CONTROL}\t\n\r]")

CONTROL_CHARACTER = N_("the request contains a control character; remove it and try again")
TOO_LONG = N_("%(field)s is too long (at most %(max)s characters)")
NOT_A_NUMBER = N_("%(field)s must be a whole number")
OUT_OF_RANGE = N_("%(field)s must be between %(low)s and %(high)s")
NOT_A_DATE = N_("%(field)s must be a date written like 2026-07-01")
DATE_OUT_OF_RANGE = N_("%(field)s must be a date between the years %(first)s and %(last)s")
TOO_DEEP = N_("the JSON body is nested too deeply")


class IdConverter(IntegerConverter):
    """`<int:…>`: a positive whole number an id column can hold; a larger one matches no route (404)."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = 1, max: int | None = DB_INT_MAX,  # noqa: A002
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits, min, max, signed)


class TaskIdConverter(BaseConverter):
    """`<task:…>`: a human task's id (letters, digits, hyphens; as wide as its column); else no route (404)."""

    regex = r"[A-Za-z0-9_-]{1,36}"


class NameConverter(BaseConverter):
    """`<name:…>`: a short code such as a message name, a case action or a language; else no route (404)."""

    regex = r"[A-Za-z0-9_-]{1,100}"


CONVERTERS = {"int": IdConverter, "task": TaskIdConverter, "name": NameConverter}


def _refuse_control(text: str, pattern: re.Pattern = CONTROL_IN_TEXT) -> None:
    if pattern.search(text):
        raise InvalidInput(CONTROL_CHARACTER)


def _check_json(value, depth: int = 0) -> None:
    """Refuse a JSON document with a control character, an oversized string, NaN or infinity, or nesting deeper
    than any request needs."""
    if depth > JSON_DEPTH_MAX:
        raise InvalidInput(TOO_DEEP)
    if isinstance(value, str):
        _refuse_control(value)
        _check_length("", value, FORM_VALUE_MAX)
    elif isinstance(value, float) and not math.isfinite(value):
        raise InvalidInput(NOT_A_NUMBER, field=str(value))
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_json(key, depth + 1)
            _check_json(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check_json(item, depth + 1)


def _json_body():
    try:
        return request.get_json(silent=True)
    except RecursionError as exc:
        raise InvalidInput(TOO_DEEP) from exc


def reads_its_own_body(view):
    """Mark a view that bounds and checks its request body itself (a file upload with its own size limit): the
    request guard then leaves the body unread, so the view can set `request.max_content_length` first."""
    view.reads_its_own_body = True
    return view


def refuse_hostile_request() -> None:
    """Refuse (400) a request whose URL, query, form or JSON body holds a control character or an oversized
    value, before sign-in, routing or any query: nothing the app stores or searches may carry one."""
    _refuse_control(request.path, CONTROL_IN_URL)
    for key, value in request.args.items(multi=True):
        _refuse_control(key + value, CONTROL_IN_URL)
        _check_length(key, key + value, QUERY_VALUE_MAX)
    if getattr(current_app.view_functions.get(request.endpoint), "reads_its_own_body", False):
        return
    for key, value in request.form.items(multi=True):
        _refuse_control(key + value)
        _check_length(key, key + value, FORM_VALUE_MAX)
    if request.is_json:
        _check_json(_json_body())


def _check_length(field: str, value: str, limit: int) -> None:
    if len(value) > limit:
        raise InvalidInput(TOO_LONG, field=field[:40] or "-", max=limit)


def text(source, name: str, *, max_length: int = 100, default: str | None = None) -> str | None:
    """A text parameter, stripped; None (or `default`) when absent or blank, 400 when longer than `max_length`."""
    value = (source.get(name) or "").strip()
    if not value:
        return default
    _check_length(name, value, max_length)
    return value


def whole(source, name: str, *, low: int = 1, high: int = DB_INT_MAX, default: int | None = None) -> int | None:
    """A whole-number parameter (an id, a count); `default` when absent or blank, 400 when not a number or out of
    [low, high]: an id column holds a PostgreSQL integer."""
    value = (source.get(name) or "").strip()
    if not value:
        return default
    return checked_int(value, name, low=low, high=high)


def checked_int(value: str, name: str, *, low: int = 1, high: int = DB_INT_MAX) -> int:
    """`value` as a whole number in [low, high], else InvalidInput naming the field."""
    if not re.fullmatch(r"[+-]?[0-9]{1,12}", value):
        if re.fullmatch(r"[+-]?[0-9]+", value):
            raise InvalidInput(OUT_OF_RANGE, field=name, low=low, high=high)
        raise InvalidInput(NOT_A_NUMBER, field=name)
    number = int(value)
    if not low <= number <= high:
        raise InvalidInput(OUT_OF_RANGE, field=name, low=low, high=high)
    return number


def page(source, name: str = "page") -> int:
    """The requested page of a list: anything that is not a page number shows the first; the service clamps
    a number past the end to the last page."""
    value = (source.get(name) or "").strip()
    if not re.fullmatch(r"[0-9]+", value):
        return 1
    return min(int(value), DB_INT_MAX) if len(value) <= 12 else DB_INT_MAX


def day(source, name: str, *, default: date | None = None) -> date | None:
    """A date parameter (YYYY-MM-DD) between 1900 and 2200; `default` when absent or blank, else 400."""
    value = (source.get(name) or "").strip()
    if not value:
        return default
    try:
        parsed = date.fromisoformat(value)
    except ValueError as exc:
        raise InvalidInput(NOT_A_DATE, field=name) from exc
    if not FIRST_YEAR <= parsed.year <= LAST_YEAR:
        raise InvalidInput(DATE_OUT_OF_RANGE, field=name, first=FIRST_YEAR, last=LAST_YEAR)
    return parsed
