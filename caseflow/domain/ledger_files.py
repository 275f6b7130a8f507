"""Reading ledger files row by row without loading them: CSV (UTF-8, UTF-8 with BOM, GBK) or XLSX, the header
row mapped to the columns of `caseflow.domain.ledger`, cells turned into text."""

import codecs
import csv
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

from caseflow.domain.ledger import BY_FIELD, COLUMNS, EXTRA, EXTRA_SEPARATOR, IGNORED_HEADERS
from caseflow.errors import N_, InvalidInput

CHUNK_BYTES = 1 << 20
XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0"

NOT_TEXT = N_("the ledger is neither UTF-8 nor GBK text (near line %(line)s); save it as UTF-8 CSV or XLSX")
UNREADABLE = N_("the ledger file cannot be read: %(problem)s")
OLD_EXCEL = N_("old .xls workbooks are not supported; save the ledger as .xlsx or .csv")
EMPTY = N_("the ledger file is empty")
NO_ROWS = N_("the ledger has a header row but no data rows")
BAD_COLUMNS = N_("the ledger's columns do not match the template: missing %(missing)s; not recognised %(unknown)s")
DUPLICATE_COLUMN = N_("the ledger has the column %(column)s twice")

IGNORED = "_ignored"  # the field of a column we accept but do not read (序号, 备注)
LAST_HEADER_ROW = 10  # a title or notes may sit above the header row
PLACEHOLDERS = frozenset({"-", "--", "—", "/", "无", "null", "none", "n/a"})
DATE_FIELDS = frozenset({"birth_date", "graduation_date", "leaving_date"})
EXCEL_EPOCH = date(1899, 12, 30)


def detect_format(path: Path) -> tuple[str, str | None]:
    """('xlsx', None) or ('csv', encoding): a BOM says UTF-8 (or UTF-16); else strict UTF-8 if it decodes, else GBK."""
    with path.open("rb") as handle:
        head = handle.read(4)
    if head.startswith(XLSX_MAGIC):
        return "xlsx", None
    if head.startswith(XLS_MAGIC):
        raise InvalidInput(OLD_EXCEL)
    if head.startswith(codecs.BOM_UTF8):
        return "csv", "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "csv", "utf-16"  # Excel's "Unicode text"
    # gb18030 is a superset of GBK and GB2312 that also decodes the odd character GBK lacks
    return "csv", "utf-8" if _is_utf8(path) else "gb18030"


def _is_utf8(path: Path) -> bool:
    """Decode the whole file strictly in chunks: a GBK file can look like UTF-8 for its first kilobytes."""
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(CHUNK_BYTES):
                decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def raw_rows(path: Path) -> Iterator[tuple[int, list]]:
    """(row number as a spreadsheet shows it, cell values) for every row of the file's first sheet."""
    kind, encoding = detect_format(path)
    if kind == "xlsx":
        yield from _xlsx_rows(path)
    else:
        yield from _csv_rows(path, encoding)


def _delimiter(path: Path, encoding: str) -> str:
    with path.open(encoding=encoding, errors="replace", newline="") as handle:
        first = handle.readline()
    return "\t" if "\t" in first and "," not in first else ","


def _csv_rows(path: Path, encoding: str) -> Iterator[tuple[int, list]]:
    number = 0
    try:
        with path.open(encoding=encoding, errors="strict", newline="") as handle:
            for number, cells in enumerate(csv.reader(handle, delimiter=_delimiter(path, encoding)), start=1):
                yield number, cells
    except UnicodeDecodeError as exc:
        raise InvalidInput(NOT_TEXT, line=number + 1) from exc
    except csv.Error as exc:
        raise InvalidInput(UNREADABLE, problem=f"line {number + 1}: {exc}") from exc


def _xlsx_rows(path: Path) -> Iterator[tuple[int, list]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        # read_only streams the sheet XML; data_only=False keeps formulas as their text so they can be refused
        workbook = load_workbook(path, read_only=True, data_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as exc:
        raise InvalidInput(UNREADABLE, problem=type(exc).__name__) from exc
    try:
        if not workbook.worksheets:
            return
        for number, cells in enumerate(workbook.worksheets[0].iter_rows(values_only=True), start=1):
            yield number, [_formula_text(value) for value in cells]
    finally:
        workbook.close()


def _formula_text(value):
    """Array and data-table formulas come back as objects; their text is what must be refused."""
    text = getattr(value, "text", None)
    return text if isinstance(text, str) else value


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
            raise InvalidInput(DUPLICATE_COLUMN, column=str(cell).strip())
        if field is None and name:
            unknown.append(str(cell).strip())
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
    rows = raw_rows(Path(path))
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


def _find_header(rows: Iterator[tuple[int, list]]) -> list[str | None]:
    """The first row naming the ID column among the first rows (a title may sit above it); failing that, the
    row that names most columns, so the error lists what is missing from the intended header."""
    best: tuple[int, list] | None = None
    for number, cells in rows:
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


def _row_values(fields: list[str | None], cells: list) -> dict[str, str]:
    """{field: text} for a non-blank row, anything under a blank header or beyond the last one under EXTRA."""
    row: dict[str, str] = {}
    extra = []
    for index, cell in enumerate(cells):
        field = fields[index] if index < len(fields) else None
        if field == IGNORED:
            continue
        text = cell_text(cell, field)
        if field:
            row[field] = text
        elif text:
            extra.append(text)
    if extra:
        row[EXTRA] = EXTRA_SEPARATOR.join(extra)
    return row if any(row.values()) else {}


def cell_text(value, field: str | None) -> str:
    """A cell as text: Excel dates and numbers made readable, placeholders such as '-' or '无' made empty."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _number_text(value, field)
    text = str(value).replace("\u200b", "").replace("\ufeff", "").strip()
    return "" if text.lower() in PLACEHOLDERS else text


def _number_text(value: int | float, field: str | None) -> str:
    if field in DATE_FIELDS and 1 <= value < 2958466:  # an unformatted Excel date serial
        return (EXCEL_EPOCH + timedelta(days=int(value))).isoformat()
    text = str(int(value)) if float(value).is_integer() else str(value)
    if field == "major_code" and len(text) < 6:
        text = text.zfill(6)  # Excel drops the leading zero of 080901
    return text
