"""Reading a staff file held in memory: CSV (UTF-8, UTF-8 with BOM, GBK) or XLSX, bounded like every upload, the
header row (among the first ten rows) mapped to the account fields."""

from caseflow.domain.staff import COLUMNS, EXTRA
from caseflow.domain.table_files import Template, file_rows
from caseflow.errors import N_, InvalidInput

MAX_BYTES = 1 << 20
MAX_ROWS = 5000  # a large city's employment-service staff, with room to spare
LAST_HEADER_ROW = 10

NO_ROWS = N_("the file has a header row but no accounts")
TOO_MANY_ROWS = N_("the file has more than %(limit)s accounts; split it")
NO_HEADER = N_("no header row names the columns %(columns)s")


TEMPLATE = Template(COLUMNS, extra=EXTRA)


def read_staff(data: bytes, *, max_bytes: int = MAX_BYTES, max_rows: int = MAX_ROWS
               ) -> list[tuple[int, dict[str, str]]]:
    """The account rows of a staff file as (row number a spreadsheet shows, {field: text}); blank rows skipped.
    A file that is too big, unreadable, has wrong columns, no rows or too many rows raises InvalidInput."""
    rows = file_rows(data, max_bytes=max_bytes)
    fields = None
    found: list[tuple[int, dict[str, str]]] = []
    for number, cells in rows:
        if fields is None:
            if "username" in {TEMPLATE.field_of(cell) for cell in cells}:
                fields = TEMPLATE.map_header(cells)
            elif number >= LAST_HEADER_ROW:
                break
            continue
        row = TEMPLATE.row_values(fields, cells)
        if row:
            if len(found) >= max_rows:
                raise InvalidInput(TOO_MANY_ROWS, limit=max_rows)
            found.append((number, row))
    if fields is None:
        raise InvalidInput(NO_HEADER, columns="、".join(column.header for column in COLUMNS if column.required))
    if not found:
        raise InvalidInput(NO_ROWS)
    return found
