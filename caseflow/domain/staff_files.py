"""Reading a staff file held in memory: CSV (UTF-8, UTF-8 with BOM, GBK) or XLSX, bounded like every upload, the
header row (among the first ten rows) mapped to the account fields."""

import re
import unicodedata

from caseflow.domain.posting_files import file_rows
from caseflow.domain.staff import COLUMNS, EXTRA
from caseflow.errors import N_, InvalidInput

MAX_BYTES = 1 << 20
MAX_ROWS = 5000  # a large city's employment-service staff, with room to spare
LAST_HEADER_ROW = 10
IGNORED = "_ignored"
IGNORED_HEADERS = frozenset({"序号", "备注", "no", "seq", "remarks", "notes"})

NO_ROWS = N_("the file has a header row but no accounts")
TOO_MANY_ROWS = N_("the file has more than %(limit)s accounts; split it")
NO_HEADER = N_("no header row names the columns %(columns)s")
BAD_COLUMNS = N_("the columns do not match the template: missing %(missing)s; not recognised %(unknown)s")
DUPLICATE_COLUMN = N_("the column %(column)s appears twice")


def _normal(cell) -> str:
    text = unicodedata.normalize("NFKC", str(cell or "")).strip().lstrip("*").strip()
    return re.sub(r"\(.*\)$", "", re.sub(r"\s+", " ", text)).strip().lower()


_HEADERS = {_normal(name): column.field for column in COLUMNS for name in (column.header, column.field,
                                                                           *column.aliases)}
_HEADERS.update({name: IGNORED for name in IGNORED_HEADERS})


def _map_header(cells: list) -> list[str | None]:
    fields: list[str | None] = []
    unknown = []
    for cell in cells:
        name = _normal(cell)
        field = _HEADERS.get(name)
        if field is not None and field != IGNORED and field in fields:
            raise InvalidInput(DUPLICATE_COLUMN, column=str(cell).strip()[:50])
        if field is None and name:
            unknown.append(str(cell).strip()[:50])
        fields.append(field)
    missing = [column.header for column in COLUMNS if column.required and column.field not in fields]
    if missing or unknown:
        raise InvalidInput(BAD_COLUMNS, missing="、".join(missing) or "-", unknown="、".join(unknown[:10]) or "-")
    return fields


def _row(fields: list[str | None], cells: list) -> dict[str, str]:
    row: dict[str, str] = {}
    extra = []
    for index, cell in enumerate(cells):
        field = fields[index] if index < len(fields) else None
        text = str(cell).strip()
        if field == IGNORED:
            continue
        if field:
            row[field] = text
        elif text:
            extra.append(text)
    if extra:
        row[EXTRA] = " | ".join(extra)
    return row if any(row.values()) else {}


def read_staff(data: bytes, *, max_bytes: int = MAX_BYTES, max_rows: int = MAX_ROWS
               ) -> list[tuple[int, dict[str, str]]]:
    """The account rows of a staff file as (row number a spreadsheet shows, {field: text}); blank rows skipped.
    A file that is too big, unreadable, has wrong columns, no rows or too many rows raises InvalidInput."""
    rows = file_rows(data, max_bytes=max_bytes)
    fields = None
    found: list[tuple[int, dict[str, str]]] = []
    for number, cells in rows:
        if fields is None:
            if "username" in {_HEADERS.get(_normal(cell)) for cell in cells}:
                fields = _map_header(cells)
            elif number >= LAST_HEADER_ROW:
                break
            continue
        row = _row(fields, cells)
        if row:
            if len(found) >= max_rows:
                raise InvalidInput(TOO_MANY_ROWS, limit=max_rows)
            found.append((number, row))
    if fields is None:
        raise InvalidInput(NO_HEADER, columns="、".join(column.header for column in COLUMNS if column.required))
    if not found:
        raise InvalidInput(NO_ROWS)
    return found
