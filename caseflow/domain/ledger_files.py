"""Reading ledger files row by row without loading them: CSV (UTF-8, UTF-8 with BOM, GBK; see ledger_text) or
XLSX (see ledger_xlsx), the header row mapped to the columns of `caseflow.domain.ledger`, cells turned into text.
Cells that cannot be trusted as read (an ID number stored as a number, an undecodable line) are refused per row."""

import io
import re
import unicodedata
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

from caseflow.domain.ledger import (
    BY_FIELD,
    COLUMNS,
    EXTRA,
    EXTRA_SEPARATOR,
    IGNORED_HEADERS,
    REFUSED,
    Reason,
    RowError,
)
from caseflow.domain.ledger_text import csv_rows, text_encoding
from caseflow.domain.ledger_xlsx import xlsx_rows
from caseflow.domain.masking import shown
from caseflow.errors import N_, InvalidInput

XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0"

OLD_EXCEL = N_("old .xls workbooks are not supported; save the ledger as .xlsx or .csv")
EMPTY = N_("the ledger file is empty")
NO_ROWS = N_("the ledger has a header row but no data rows")
BAD_COLUMNS = N_("the ledger's columns do not match the template: missing %(missing)s; not recognised %(unknown)s")
DUPLICATE_COLUMN = N_("the ledger has the column %(column)s twice")
TOO_MANY_ROWS = N_("the ledger has more than %(limit)s rows; split it into several files")
BAD_HEADER = N_("the ledger's header row cannot be read (row %(row)s: %(problem)s)")

MAX_ROWS = 500_000  # rows of a file, blank ones included: a province hands over at most ~400k graduates a year
IGNORED = "_ignored"  # the field of a column we accept but do not read (序号, 备注)
LAST_HEADER_ROW = 10  # a title or notes may sit above the header row
PLACEHOLDERS = frozenset({"-", "--", "—", "/", "无", "null", "none", "n/a"})
DATE_FIELDS = frozenset({"birth_date", "graduation_date", "leaving_date"})
EXCEL_EPOCH = date(1899, 12, 30)
EXACT_DIGITS = 15  # Excel keeps 15 significant digits of a number: an 18-digit ID number comes back altered
NUMBER_ID = "number cell: Excel keeps only 15 digits; format the column as text and type the ID number again"
NUMBER_LOSSY = "number cell of more than 15 digits: Excel keeps only 15; format the column as text and type it again"


class MemoryFile:
    """A ledger held in memory, read like a Path by the readers below (`open`, `read_bytes`, `name`): a browser
    upload is decrypted into memory for each pass and never written to disk in plaintext."""

    def __init__(self, data: bytes, name: str = "upload"):
        self.data, self.name = data, name

    def read_bytes(self) -> bytes:
        return self.data

    def open(self, mode: str = "r", encoding: str | None = None, errors: str | None = None,
             newline: str | None = None):
        raw = io.BytesIO(self.data)
        if "b" in mode:
            return raw
        return io.TextIOWrapper(raw, encoding=encoding, errors=errors, newline=newline)


def detect_format(path: Path) -> tuple[str, str | None]:
    """('xlsx', None) or ('csv', encoding): see ledger_text.text_encoding."""
    with path.open("rb") as handle:
        head = handle.read(4)
    if head.startswith(XLSX_MAGIC):
        return "xlsx", None
    if head.startswith(XLS_MAGIC):
        raise InvalidInput(OLD_EXCEL)
    return "csv", text_encoding(path)


def raw_rows(path: Path) -> Iterator[tuple[int, list | tuple | RowError]]:
    """(row number as a spreadsheet shows it, cell values or a RowError for a row that could not be read) for
    every row of the file's first sheet; a file longer than MAX_ROWS rows is refused."""
    kind, encoding = detect_format(path)
    rows = xlsx_rows(path, max_rows=MAX_ROWS) if kind == "xlsx" else csv_rows(path, encoding)
    try:
        for number, cells in rows:
            if number > MAX_ROWS:
                raise InvalidInput(TOO_MANY_ROWS, limit=f"{MAX_ROWS:,}")
            yield number, cells
    finally:
        rows.close()  # the workbook's zip is closed even when reading stops early


def _normal_header(cell) -> str:
    text = unicodedata.normalize("NFKC", str(cell or "")).strip().lstrip("*").strip()
    text = re.sub(r"\s+", "", text)
    return re.sub(r"\(.*\)$", "", text).lower()  # a hint in brackets: 毕业时间(YYYY-MM-DD)


_HEADERS = {_normal_header(name): column.field for column in COLUMNS
            for name in (column.header, column.field, *column.aliases)}
_HEADERS.update({name: IGNORED for name in IGNORED_HEADERS})


def map_header(cells: list) -> list[str | None]:
    """The field of each header cell (IGNORED, or None for a blank header); refuses missing required columns,
    columns we do not recognise and columns given twice."""
    fields: list[str | None] = []
    unknown = []
    for cell in cells:
        name = _normal_header(cell)
        field = _HEADERS.get(name)
        if field is not None and field != IGNORED and field in fields:
            raise InvalidInput(DUPLICATE_COLUMN, column=shown(str(cell).strip(), 40))
        if field is None and name:
            unknown.append(shown(str(cell).strip(), 40))  # a data row taken for the header may hold an ID
        fields.append(field)
    missing = [column.header for column in COLUMNS if column.required and column.field not in fields]
    if "hukou_area_code" not in fields and "residence_area_code" not in fields:
        missing.append(f"{BY_FIELD['hukou_area_code'].header}/{BY_FIELD['residence_area_code'].header}")
    if missing or unknown:
        raise InvalidInput(BAD_COLUMNS, missing="、".join(missing) or "-", unknown="、".join(unknown) or "-")
    return fields


def read_rows(path: str | Path) -> Iterator[tuple[int, dict[str, str]]]:
    """Stream the data rows of a ledger as (row number the user sees, {field: text}); blank rows are skipped.

    Wrong columns, an empty file or an unreadable one raise InvalidInput: the whole file is refused."""
    rows = raw_rows(path if isinstance(path, MemoryFile) else Path(path))
    fields = _find_header(rows)
    count = 0
    for number, cells in rows:
        row = _row_values(fields, cells)
        if row:
            count += 1
            yield number, row
    if count == 0:
        raise InvalidInput(NO_ROWS)


def _is_blank(cells: list) -> bool:
    return all(cell is None or str(cell).strip() == "" for cell in cells)


def _find_header(rows: Iterator[tuple[int, list | RowError]]) -> list[str | None]:
    """The first row naming the ID column among the first rows (a title may sit above it); failing that, the
    row that names most columns, so the error lists what is missing from the intended header."""
    best: tuple[int, list] | None = None
    for number, cells in rows:
        if isinstance(cells, RowError):
            raise InvalidInput(BAD_HEADER, row=number, problem=cells.detail)
        if _is_blank(cells):
            continue
        fields = [_HEADERS.get(_normal_header(cell)) for cell in cells]
        if "id_number" in fields:
            return map_header(cells)
        known = sum(1 for field in fields if field)
        if best is None or known > best[0]:
            best = (known, cells)
        if number >= LAST_HEADER_ROW:
            break
    if best is None:
        raise InvalidInput(EMPTY)
    return map_header(best[1])


def _row_values(fields: list[str | None], cells: list | RowError) -> dict:
    """{field: text} for a non-blank row, anything under a blank header or beyond the last one under EXTRA, and
    under REFUSED what made cells untrustworthy as read (an ID number stored as a number, an undecodable line)."""
    if isinstance(cells, RowError):
        return {REFUSED: (cells,)}
    row: dict = {}
    extra, refused = [], []
    for index, cell in enumerate(cells):
        if cell is None or cell == "":  # most cells of a wide XLSX row
            continue
        field = fields[index] if index < len(fields) else None
        if field == IGNORED:
            continue
        text, problem = _text(cell, field)
        if problem:
            refused.append(problem)
        if field:
            row[field] = text
        elif text:
            extra.append(text)
    if extra:
        row[EXTRA] = EXTRA_SEPARATOR.join(extra)
    if refused:
        row[REFUSED] = tuple(refused)
    return row if any(row.values()) else {}


def _text(cell, field: str | None) -> tuple[str, RowError | None]:
    """The cell's text, or '' and why the cell cannot be taken as read."""
    if type(cell) is str:  # noqa: E721 (the usual case, kept cheap)
        return _clean(cell), None
    if field and (problem := _lossy_number(cell, field)):
        return "", RowError(field, Reason.NUMBER_CELL, problem)
    return cell_text(cell, field), None


def _lossy_number(value, field: str) -> str | None:
    """Why a number cell cannot be taken as read: any ID number (never a number to Excel, and rounded past 15
    digits), or any number past 15 digits; None for the rest."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    if field == "id_number":
        return NUMBER_ID
    return NUMBER_LOSSY if abs(value) >= 10 ** EXACT_DIGITS else None


def cell_text(value, field: str | None) -> str:
    """A cell as text: Excel dates and numbers made readable, formulas as their text, placeholders such as '-'
    or '无' made empty."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _number_text(value, field)
    formula = getattr(value, "text", None)  # array and data-table formulas come back as objects
    return _clean(formula if isinstance(formula, str) else str(value))


def _clean(text: str) -> str:
    """Trimmed, zero-width spaces and stray BOMs dropped, a placeholder ('-', '无', 'n/a' …) made empty."""
    if "\u200b" in text or "\ufeff" in text:
        text = text.replace("\u200b", "").replace("\ufeff", "")
    text = text.strip()
    return "" if len(text) <= 4 and text.lower() in PLACEHOLDERS else text


def _number_text(value: int | float, field: str | None) -> str:
    if field in DATE_FIELDS and 1 <= value < 2958466:  # an unformatted Excel date serial
        return (EXCEL_EPOCH + timedelta(days=int(value))).isoformat()
    text = str(int(value)) if float(value).is_integer() else str(value)
    if field == "major_code" and len(text) < 6:
        text = text.zfill(6)  # Excel drops the leading zero of 080901
    return text
