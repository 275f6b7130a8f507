"""Ledger workbooks (XLSX) read within bounds: an upload is an untrusted zip of XML, so before openpyxl sees it
the parts' declared and actual unpacked sizes are checked and scanned for over-long cells; then the first sheet
is streamed (openpyxl read-only) with a bound on rows, columns and parsing time, and any damage met on the way
is a clear refusal, never a traceback."""

import io
import time
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from defusedxml import DefusedXmlException

from caseflow.domain.ledger_text import UNREADABLE
from caseflow.errors import N_, InvalidInput

MAX_COLUMNS = 32  # columns read per row (A to AF); a ledger has 17, and 序号 and 备注
MAX_UNPACKED_BYTES = 1 << 30  # all parts unpacked; 100k rows written with inline strings take ~105 MB
MAX_STRINGS_BYTES = 128 << 20  # the shared strings, which openpyxl holds in memory
MAX_PART_BYTES = 16 << 20  # any other XML part (workbook, styles, relations), also held whole
MAX_PARTS = 1000
MAX_RUN_BYTES = 1 << 20  # text or one tag between two '<': Excel's longest cell, 32,767 characters, takes at
# most 288 KB even written as character references (openpyxl writes 张 as &#24352;)
READ_SECONDS = 300.0  # openpyxl's own time; 100k rows take ~35 s on a slow machine
CHUNK = 1 << 20

TOO_BIG = N_("the workbook unpacks to more than %(limit)s MB (%(part)s); a ledger is far smaller, so it is refused")
SIZE_LIES = N_("the workbook is damaged: %(part)s unpacks to a size other than the one it states; save it again")
HUGE_CELL = N_("the workbook has a cell or tag longer than %(limit)s KB in %(part)s; it is not a ledger")
FOREIGN_XML = N_("the workbook holds XML that Excel does not write (%(what)s in %(part)s); open it in Excel or WPS "
                 "and save it again")
TOO_MANY_PARTS = N_("the workbook has more than %(limit)s parts; it is not a ledger")
TOO_SLOW = N_("reading the workbook took longer than %(seconds)s seconds; save it again in Excel, or split it")
BROKEN_SHEET = N_("the workbook's first sheet is damaged near row %(row)s (%(problem)s); open it in Excel or WPS "
                  "and save it again")

# what a damaged or hostile workbook makes openpyxl, lxml, expat or zipfile raise
DAMAGE = (SyntaxError, ValueError, LookupError, TypeError, AttributeError, ArithmeticError, EOFError, OSError,
          RuntimeError, zipfile.BadZipFile, zlib.error)  # RuntimeError: an encrypted part


def _mb(size: int) -> int:
    return size >> 20


def _limit(name: str) -> int | None:
    """The unpacked size a part may have alone; None for the streamed sheets and parts openpyxl does not parse."""
    if name.startswith("xl/worksheets/") and name.endswith(".xml"):
        return None
    if name == "xl/sharedStrings.xml":
        return MAX_STRINGS_BYTES
    return MAX_PART_BYTES if name.endswith((".xml", ".rels")) else None


def check_archive(path: Path) -> None:
    """Refuse a workbook whose parts would unpack too big (as declared, then as actually unpacked), or whose XML
    holds an over-long cell or constructs Excel never writes; nothing of it has been parsed yet."""
    try:
        with path.open("rb") as handle, zipfile.ZipFile(handle) as archive:
            parts = archive.infolist()
            if len(parts) > MAX_PARTS:
                raise InvalidInput(TOO_MANY_PARTS, limit=MAX_PARTS)
            if sum(part.file_size for part in parts) > MAX_UNPACKED_BYTES:
                raise InvalidInput(TOO_BIG, limit=_mb(MAX_UNPACKED_BYTES), part="all parts")
            for part in parts:
                limit = _limit(part.filename)
                if limit is not None and part.file_size > limit:
                    raise InvalidInput(TOO_BIG, limit=_mb(limit), part=part.filename[:100])
            for part in parts:
                _check_part(archive, part)
    except DAMAGE as exc:
        raise InvalidInput(UNREADABLE, problem=f"damaged zip ({type(exc).__name__})") from exc


def _check_part(archive: zipfile.ZipFile, part: zipfile.ZipInfo) -> None:
    """Unpack one part as a stream: its actual size must be the declared one (zipfile stops at the declared size
    and checks the CRC); its XML must have no run over MAX_RUN_BYTES between two '<', and no DTD, comment,
    CDATA or processing instruction (whose content the run check cannot bound)."""
    xml = part.filename.endswith((".xml", ".rels"))
    size, run, last = 0, 0, b""
    with archive.open(part) as stream:
        while chunk := stream.read(CHUNK):
            if xml:
                run = _longest_run(chunk, run, part.filename)
                _refuse_foreign_xml(last + chunk, first=size == 0, part=part.filename)
                last = chunk[-1:]
            size += len(chunk)
    if size != part.file_size:
        raise InvalidInput(SIZE_LIES, part=part.filename[:100])


def _longest_run(chunk: bytes, carried: int, name: str) -> int:
    """Refuse a run longer than MAX_RUN_BYTES between two '<'; returns the length of the run left open at the end."""
    pieces = chunk.split(b"<")
    first = carried + len(pieces[0])
    longest = max(first, max(map(len, pieces[1:]), default=0))
    if longest > MAX_RUN_BYTES:
        raise InvalidInput(HUGE_CELL, limit=MAX_RUN_BYTES >> 10, part=name[:100])
    return first if len(pieces) == 1 else len(pieces[-1])


def _refuse_foreign_xml(window: bytes, *, first: bool, part: str) -> None:
    if b"<!" in window:
        raise InvalidInput(FOREIGN_XML, what="<!", part=part[:100])
    if window.find(b"<?", 5 if first else 0) >= 0:  # only the XML declaration, at the very start
        raise InvalidInput(FOREIGN_XML, what="<?", part=part[:100])


class _Budget:
    """Seconds openpyxl may spend reading one workbook, counted only while it works (not while the caller
    validates or stores a row); a monotonic duration, not a time stamp: the app clock may be frozen or
    shifted, and this bounds real work."""

    def __init__(self, seconds: float):
        self.left, self._since = seconds, None

    @contextmanager
    def working(self) -> Iterator[None]:
        self._since = time.monotonic()
        try:
            yield
        finally:
            self.left -= time.monotonic() - self._since
            self._since = None
        self.check()

    def check(self) -> None:
        spent = time.monotonic() - self._since if self._since is not None else 0.0
        if self.left - spent <= 0:
            raise InvalidInput(TOO_SLOW, seconds=int(READ_SECONDS))


class _BudgetedFile(io.FileIO):
    """The workbook file, checking the budget on every read: openpyxl can parse for long inside one step (rows
    it skips never come back to us), and it reads the zip as it goes."""

    def __init__(self, path: Path, budget: _Budget):
        super().__init__(path, "rb")
        self.budget = budget

    def read(self, size: int = -1) -> bytes:
        self.budget.check()
        return super().read(size)


class _BudgetedBytes(io.BytesIO):
    """An upload held in memory (decrypted, never written to disk), checking the budget on every read."""

    def __init__(self, data: bytes, budget: _Budget):
        super().__init__(data)
        self.budget = budget

    def read(self, size: int | None = -1) -> bytes:
        self.budget.check()
        return super().read(size)


def _budgeted(path, budget: _Budget) -> io.IOBase:
    """The workbook as a file openpyxl reads: the file on disk, or the bytes of an in-memory upload."""
    if isinstance(path, Path):
        return _BudgetedFile(path, budget)
    return _BudgetedBytes(path.read_bytes(), budget)


def _problem(exc: BaseException) -> str:
    """What went wrong, without echoing the file's content (it may hold an ID number)."""
    if isinstance(exc, DefusedXmlException):
        return "XML entity declarations"
    if isinstance(exc, SyntaxError):
        line, column = getattr(exc, "position", None) or (exc.lineno, exc.offset)
        return f"XML not well-formed at line {line}, column {column}"
    return type(exc).__name__


def xlsx_rows(path: Path, *, max_rows: int) -> Iterator[tuple[int, tuple]]:
    """(row number as a spreadsheet shows it, the first MAX_COLUMNS cell values) for the first sheet's rows, up to
    row max_rows + 1 (a sheet that reaches it is too long; rows after it are never generated)."""
    from openpyxl import load_workbook  # imported when needed: it takes a fifth of a second

    check_archive(path)
    budget = _Budget(READ_SECONDS)
    with _budgeted(path, budget) as handle:
        try:
            with budget.working():
                # read_only streams the sheet XML; data_only=False keeps formulas as text so they can be refused
                workbook = load_workbook(handle, read_only=True, data_only=False)
        except DAMAGE as exc:
            raise InvalidInput(UNREADABLE, problem=_problem(exc)) from exc
        try:
            if workbook.worksheets:
                yield from _sheet_rows(workbook.worksheets[0], budget, max_rows)
        finally:
            workbook.close()


def _sheet_rows(sheet, budget: _Budget, max_rows: int) -> Iterator[tuple[int, tuple]]:
    sheet.reset_dimensions()  # the declared size is untrusted: too small hides rows, huge pads every row
    rows = sheet.iter_rows(max_row=max_rows + 1, max_col=MAX_COLUMNS, values_only=True)
    number = 0
    while True:
        try:
            with budget.working():
                cells = next(rows, None)
        except DAMAGE as exc:
            raise InvalidInput(BROKEN_SHEET, row=number + 1, problem=_problem(exc)) from exc
        if cells is None:
            return
        number += 1
        yield number, cells
