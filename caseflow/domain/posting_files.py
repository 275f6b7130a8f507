"""Reading a posting import file held in memory (see domain.table_files): the header row mapped to the register's
fields, cells as text."""

from collections.abc import Iterator

from caseflow.domain.postings import COLUMNS, EXTRA
from caseflow.domain.table_files import EMPTY, Template, file_rows
from caseflow.errors import N_, InvalidInput

LAST_HEADER_ROW = 10  # a title may sit above the header row
NO_ROWS = N_("the file has a header row but no postings")
TOO_MANY_ROWS = N_("the file has more than %(limit)s postings; split it")

TEMPLATE = Template(COLUMNS, extra=EXTRA)


def read_postings(data: bytes, *, max_bytes: int, max_rows: int) -> list[tuple[int, dict[str, str]]]:
    """The data rows of an import file as (row number a spreadsheet shows, {field: text}); blank rows skipped.
    A file that is too big, unreadable, has wrong columns, no rows or too many rows raises InvalidInput."""
    rows = file_rows(data, max_bytes=max_bytes)
    fields = _find_header(rows)
    found: list[tuple[int, dict[str, str]]] = []
    for number, cells in rows:
        row = TEMPLATE.row_values(fields, cells)
        if row:
            if len(found) >= max_rows:
                raise InvalidInput(TOO_MANY_ROWS, limit=max_rows)
            found.append((number, row))
    if not found:
        raise InvalidInput(NO_ROWS)
    return found


def _is_blank(cells: list) -> bool:
    return all(str(cell).strip() == "" for cell in cells)


def _find_header(rows: Iterator[tuple[int, list]]) -> list[str | None]:
    """The first row among the first ten naming the employer or title column; failing that, the row naming most
    columns, so that the error lists what it lacks."""
    best: tuple[int, list] | None = None
    for number, cells in rows:
        if _is_blank(cells):
            continue
        fields = [TEMPLATE.field_of(cell) for cell in cells]
        if "employer" in fields or "title" in fields:
            return TEMPLATE.map_header(cells)
        known = sum(1 for field in fields if field)
        if best is None or known > best[0]:
            best = (known, cells)
        if number >= LAST_HEADER_ROW:
            break
    if best is None:
        raise InvalidInput(EMPTY)
    return TEMPLATE.map_header(best[1])
