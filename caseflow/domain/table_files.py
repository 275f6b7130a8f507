"""What every uploaded table file shares (job postings, staff accounts): reading a CSV (UTF-8, UTF-8 with BOM,
GBK) or XLSX file held in memory, bounded in size and unpacked size, as rows of text; and mapping a header row to
a template's fields by header, field name or alias."""

import codecs
import csv
import io
import math
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from datetime import date, datetime

from caseflow.errors import N_, InvalidInput

XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0"
MAX_UNPACKED_BYTES = 32 << 20  # a register or staff list unpacks to well under a megabyte
MAX_ZIP_ENTRIES = 500
IGNORED = "_ignored"
IGNORED_HEADERS = frozenset({"序号", "备注", "no", "seq", "remarks", "notes"})

FILE_TOO_LARGE = N_("the file is larger than %(limit)s KB; split it")
OLD_EXCEL = N_("old .xls workbooks are not supported; save the file as .xlsx or .csv")
NOT_TEXT = N_("the file is neither an XLSX workbook nor UTF-8 or GBK text")
UNREADABLE = N_("the file cannot be read: %(problem)s")
UNPACKED_TOO_LARGE = N_("the workbook unpacks to more than %(limit)s MB")
EMPTY = N_("the file is empty")
BAD_COLUMNS = N_("the columns do not match the template: missing %(missing)s; not recognised %(unknown)s")
DUPLICATE_COLUMN = N_("the column %(column)s appears twice")


def file_rows(data: bytes, *, max_bytes: int) -> Iterator[tuple[int, list]]:
    """Every row of a CSV or XLSX file held in memory as (row number, cells as text); a file that is too big,
    empty or unreadable raises InvalidInput."""
    if len(data) > max_bytes:
        raise InvalidInput(FILE_TOO_LARGE, limit=max_bytes // 1024)
    if not data.strip():
        raise InvalidInput(EMPTY)
    return _xlsx_rows(data) if data.startswith(XLSX_MAGIC) else _csv_rows(data)


def _decode(data: bytes) -> str:
    if data.startswith(XLS_MAGIC):
        raise InvalidInput(OLD_EXCEL)
    if data.startswith(codecs.BOM_UTF8):
        encodings = ("utf-8-sig",)
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ("utf-16",)
    else:  # gb18030 is a superset of GBK and GB2312
        encodings = ("utf-8", "gb18030")
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InvalidInput(NOT_TEXT)


def _csv_rows(data: bytes) -> Iterator[tuple[int, list]]:
    text = _decode(data)
    first = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first and "," not in first else ","
    number = 0
    try:
        for number, cells in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1):
            yield number, cells
    except csv.Error as exc:
        raise InvalidInput(UNREADABLE, problem=f"line {number + 1}: {exc}") from exc


def _check_archive(data: bytes) -> None:
    """Refuse a workbook that would unpack to far more than a register or staff list needs (a zip bomb)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise InvalidInput(UNREADABLE, problem=type(exc).__name__) from exc
    if len(entries) > MAX_ZIP_ENTRIES or sum(entry.file_size for entry in entries) > MAX_UNPACKED_BYTES:
        raise InvalidInput(UNPACKED_TOO_LARGE, limit=MAX_UNPACKED_BYTES >> 20)


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    _check_archive(data)
    try:  # data_only=False keeps a formula as its text, so it can be refused rather than its cached value taken
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise InvalidInput(UNREADABLE, problem=type(exc).__name__) from exc
    try:
        if not workbook.worksheets:
            return
        for number, cells in enumerate(workbook.worksheets[0].iter_rows(values_only=True), start=1):
            yield number, [_cell_text(value) for value in cells]
    finally:
        workbook.close()


def _cell_text(value) -> str:
    """A cell as text: dates as ISO dates, whole numbers without '.0', formulas (also array formulas) as their
    text; NaN and infinities stay visible so that they are refused."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return str(int(value))
    text = getattr(value, "text", None)  # ArrayFormula, DataTableFormula
    return text if isinstance(text, str) else str(value)


def normal_header(cell) -> str:
    """A header cell as compared: width-folded, no spaces, no leading '*' (required mark), no trailing '(…)' hint."""
    text = unicodedata.normalize("NFKC", str(cell or "")).strip().lstrip("*").strip()
    return re.sub(r"\(.*\)$", "", re.sub(r"\s+", "", text)).lower()


class Template:
    """The columns of a file template: each has a field, a header, aliases and whether it is required; cells under
    no known header (or past the last) are kept together under `extra`."""

    def __init__(self, columns: Iterable, *, extra: str):
        self.columns = tuple(columns)
        self.extra = extra
        self.headers = {normal_header(name): column.field for column in self.columns
                        for name in (column.header, column.field, *column.aliases)}
        self.headers.update({name: IGNORED for name in IGNORED_HEADERS})

    def field_of(self, cell) -> str | None:
        return self.headers.get(normal_header(cell))

    def map_header(self, cells: list) -> list[str | None]:
        """The field under each header cell; wrong, missing or repeated columns raise InvalidInput."""
        fields: list[str | None] = []
        unknown = []
        for cell in cells:
            field = self.field_of(cell)
            if field is not None and field != IGNORED and field in fields:
                raise InvalidInput(DUPLICATE_COLUMN, column=str(cell).strip()[:50])
            if field is None and normal_header(cell):
                unknown.append(str(cell).strip()[:50])
            fields.append(field)
        missing = [column.header for column in self.columns if column.required and column.field not in fields]
        if missing or unknown:
            raise InvalidInput(BAD_COLUMNS, missing="、".join(missing) or "-", unknown="、".join(unknown[:10]) or "-")
        return fields

    def row_values(self, fields: list[str | None], cells: list) -> dict[str, str]:
        """{field: text} of a non-blank row; anything under a blank header or past the last one goes under extra."""
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
            row[self.extra] = " | ".join(extra)
        return row if any(row.values()) else {}
