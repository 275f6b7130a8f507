"""Text ledgers (CSV, TSV) decoded line by line: the file's encoding is what most of its lines are written in,
and a line in another encoding (a row pasted from a GBK export into a UTF-8 file, or the reverse) is refused
on its own with its line number instead of garbling the whole file (张伟 read as 寮犱紵)."""

import codecs
import csv
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from caseflow.domain.ledger import Reason, RowError
from caseflow.errors import N_, InvalidInput

LINE_BYTES = 1 << 16  # a ledger row is a few hundred bytes; a longer line is refused, never read whole
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)

NOT_TEXT = N_("the ledger is neither UTF-8 nor GBK text (near line %(line)s); save it as UTF-8 CSV or XLSX")
UNREADABLE = N_("the ledger file cannot be read: %(problem)s")


def _lines(handle: BinaryIO) -> Iterator[tuple[bytes, bool]]:
    """(line, whole) for each line, at most LINE_BYTES each; the rest of a longer line is skipped, whole=False."""
    while line := handle.readline(LINE_BYTES):
        if len(line) < LINE_BYTES or line.endswith(b"\n"):
            yield line, True
            continue
        while (rest := handle.readline(LINE_BYTES)) and not rest.endswith(b"\n"):
            pass
        yield line, False


def text_encoding(path: Path) -> str:
    """The encoding of a text ledger: a BOM decides; else UTF-8 unless more of its non-ASCII lines fail to
    decode as UTF-8 than decode (then GB18030, a superset of GBK and GB2312)."""
    with path.open("rb") as handle:
        head = handle.read(3)
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        if head.startswith(UTF16_BOMS):
            return "utf-16"  # Excel's "Unicode text"
        handle.seek(0)
        utf8 = other = 0
        for line, _ in _lines(handle):
            if line.isascii():
                continue
            try:
                line.decode("utf-8")
                utf8 += 1
            except UnicodeDecodeError:
                other += 1
    return "utf-8" if utf8 >= other else "gb18030"


def decode_line(line: bytes, encoding: str) -> tuple[str, str | None]:
    """The line as text, and None or why it is not in the file's encoding (then the text has U+FFFD in it)."""
    if line.isascii():
        return line.decode("ascii"), None
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if encoding != "gb18030":
        return (text, None) if text is not None else (line.decode("utf-8", "replace"), "not UTF-8 like the file")
    if text is not None:  # valid UTF-8 in a GBK file: decoding it as GBK would garble every Chinese character
        return text, "UTF-8 in a GBK file"
    try:
        return line.decode("gb18030"), None
    except UnicodeDecodeError:
        return line.decode("gb18030", "replace"), "neither UTF-8 nor GBK"


class _DecodedLines:
    """The file's lines as text for csv.reader, remembering the first problem of the record being read."""

    def __init__(self, handle: BinaryIO, encoding: str):
        self._lines, self.encoding = _lines(handle), encoding
        self.line = 0
        self.problem: RowError | None = None

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line, whole = next(self._lines)
        self.line += 1
        if not whole:
            self._note(RowError(None, Reason.TOO_LONG, f"line {self.line}: more than {LINE_BYTES} bytes"))
            return "\n"
        text, problem = decode_line(line, self.encoding)
        if self.line == 1:
            text = text.removeprefix("\ufeff")
        if problem:
            self._note(RowError(None, Reason.ENCODING, f"line {self.line}: {problem}"))
        return text

    def _note(self, error: RowError) -> None:
        self.problem = self.problem or error


def _delimiter(path: Path, encoding: str) -> str:
    with path.open(encoding=encoding, errors="replace", newline="") as handle:
        first = handle.readline(LINE_BYTES)
    return "\t" if "\t" in first and "," not in first else ","


def csv_rows(path: Path, encoding: str) -> Iterator[tuple[int, list | RowError]]:
    """(row number, cells) per record of a text ledger, or (row number, RowError) for a record whose lines are
    too long or not in the file's encoding."""
    if encoding == "utf-16":
        yield from _utf16_rows(path)
        return
    with path.open("rb") as handle:
        lines = _DecodedLines(handle, encoding)
        reader = csv.reader(lines, delimiter=_delimiter(path, encoding))
        number = 0
        try:
            for number, cells in enumerate(reader, start=1):
                problem, lines.problem = lines.problem, None
                yield number, problem or cells
        except csv.Error as exc:
            raise InvalidInput(UNREADABLE, problem=f"line {lines.line}: {exc}") from exc


def _utf16_rows(path: Path) -> Iterator[tuple[int, list]]:
    """UTF-16 text cannot be split into lines as bytes: it is decoded as it is read, and a bad byte or an
    over-long line refuses the whole file."""
    number = 0
    try:
        with path.open(encoding="utf-16", errors="strict", newline="") as handle:
            for number, cells in enumerate(csv.reader(_bounded(handle), delimiter=_delimiter(path, "utf-16")),
                                           start=1):
                yield number, cells
    except UnicodeDecodeError as exc:
        raise InvalidInput(NOT_TEXT, line=number + 1) from exc
    except csv.Error as exc:
        raise InvalidInput(UNREADABLE, problem=f"line {number + 1}: {exc}") from exc


def _bounded(handle) -> Iterator[str]:
    line_number = 0
    while line := handle.readline(LINE_BYTES):
        line_number += 1
        if len(line) == LINE_BYTES and not line.endswith("\n"):
            raise InvalidInput(UNREADABLE, problem=f"line {line_number}: more than {LINE_BYTES} characters")
        yield line
