"""Ledger files as an attacker or a careless clerk makes them: numbers Excel altered, workbooks that unpack to
gigabytes or claim a million rows, damaged XML, lines in another encoding, over-long lines. Each is refused
with a clear reason: the row when the rest of the file can be trusted, the whole file when it cannot."""

import csv
import io
import os
import re
import struct
import zipfile

import pytest
from openpyxl import Workbook

from caseflow import synth
from caseflow.domain import ledger_files, ledger_xlsx
from caseflow.domain.ledger import Reason, RowError, validate_row
from caseflow.domain.ledger_files import NUMBER_ID, NUMBER_LOSSY, read_rows
from caseflow.domain.ledger_text import LINE_BYTES
from caseflow.errors import InvalidInput

HEADER = synth.ledger_header()
FIELDS = list(synth.LEDGER_FIELDS)
ID, ROUNDED_ID = "220102200402141494", 220102200402142016  # what Excel keeps of the number: 15 digits
SHEET = "xl/worksheets/sheet1.xml"


def cells(seed=1, n=3, **changes) -> list[list]:
    rows = [synth.ledger_row(g) for g in synth.graduates(n, seed=seed)]
    for field, value in changes.items():
        rows[0][FIELDS.index(field)] = value
    return rows


def workbook(path, rows, *, header=HEADER):
    book = Workbook()
    book.active.append(header)
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def rewrite(path, part: str, change):
    """Rewrite one part of a zip (the XML of a workbook) with change(bytes) -> bytes."""
    with zipfile.ZipFile(path) as archive:
        parts = [(info, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in parts:
            changed = change(data) if info.filename == part else data
            assert info.filename != part or changed != data, "the test meant to change the part"
            archive.writestr(info.filename, changed)
    return path


def errors(path) -> list[tuple[int, list[RowError]]]:
    return [(number, validate_row(row)[1]) for number, row in read_rows(path)]


# --- numbers Excel altered ---------------------------------------------------------------------------------

@pytest.mark.parametrize("value", [int(ID), float(ID), ROUNDED_ID])
def test_an_id_number_stored_as_a_number_is_refused_never_converted(tmp_path, value):
    path = workbook(tmp_path / "l.xlsx", cells(id_number=value))
    (number, first), *rest = read_rows(path)
    assert (number, first["id_number"]) == (2, "")
    assert validate_row(first) == (None, [RowError("id_number", Reason.NUMBER_CELL, NUMBER_ID)])
    assert all(validate_row(row)[1] == [] for _, row in rest)


def test_a_phone_stored_as_a_number_is_exact_but_a_number_past_15_digits_is_refused(tmp_path):
    path = workbook(tmp_path / "l.xlsx", cells(phone=13812345678) + cells(seed=2, n=1, phone=8613812345678000))
    (_, exact), _, _, (_, lossy) = read_rows(path)
    assert validate_row(exact)[0].phone == "13812345678"
    assert validate_row(lossy)[1] == [RowError("phone", Reason.NUMBER_CELL, NUMBER_LOSSY)]


# --- workbooks that would take all memory or all day -------------------------------------------------------

def test_the_longest_cell_excel_allows_is_read_as_a_row(tmp_path):
    path = workbook(tmp_path / "l.xlsx", cells(school="张" * 32_767))  # openpyxl writes 8 bytes per character
    assert errors(path)[0] == (2, [RowError("school", Reason.TOO_LONG, "32767 > 100")])


def test_a_huge_cell_is_refused_before_openpyxl_reads_it(tmp_path):
    path = synth.write_ledger_xlsx(tmp_path / "l.xlsx", 3, seed=1)
    id_number = cells(n=1)[0][0].encode()
    rewrite(path, SHEET, lambda xml: xml.replace(id_number, "张".encode() * 700_000, 1))
    with pytest.raises(InvalidInput, match="cell or tag longer than 1024 KB in xl/worksheets/sheet1.xml"):
        list(read_rows(path))


def test_a_workbook_declared_to_unpack_too_big_is_refused(tmp_path, monkeypatch):
    path = synth.write_ledger_xlsx(tmp_path / "l.xlsx", 500, seed=3)
    monkeypatch.setattr(ledger_xlsx, "MAX_UNPACKED_BYTES", 200_000)
    with pytest.raises(InvalidInput, match="unpacks to more than 0 MB \\(all parts\\)"):
        list(read_rows(path))
    monkeypatch.setattr(ledger_xlsx, "MAX_UNPACKED_BYTES", 1 << 30)
    monkeypatch.setattr(ledger_xlsx, "MAX_PART_BYTES", 1000)
    with pytest.raises(InvalidInput, match="unpacks to more than 0 MB \\(xl/"):
        list(read_rows(path))


def _declare_size(path, part: str, change) -> None:
    """Overwrite the uncompressed size the zip's central directory states for `part`."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(part)
    entry = data.index(b"PK\x01\x02")
    while data[entry + 46:entry + 46 + len(part)] != part.encode():
        entry = data.index(b"PK\x01\x02", entry + 4)
    struct.pack_into("<I", data, entry + 24, change(info.file_size))
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("change, message", [(lambda size: size + 1000, "other than the one it states"),
                                             (lambda size: size - 1000, "damaged zip")])
def test_a_part_whose_unpacked_size_is_not_the_declared_one_is_refused(tmp_path, change, message):
    path = synth.write_ledger_xlsx(tmp_path / "l.xlsx", 50, seed=3)
    _declare_size(path, SHEET, change)
    with pytest.raises(InvalidInput, match=message):
        list(read_rows(path))


def test_a_row_far_down_the_sheet_is_refused_without_reading_up_to_it(tmp_path):
    book = Workbook()
    book.active.append(HEADER)
    book.active.append(cells(n=1)[0])
    book.active.cell(row=1_048_576, column=2, value="张伟")  # Excel's last row
    book.save(tmp_path / "l.xlsx")
    with pytest.raises(InvalidInput, match="more than 500,000 rows"):
        list(read_rows(tmp_path / "l.xlsx"))


def test_a_text_ledger_longer_than_the_row_limit_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(ledger_files, "MAX_ROWS", 5)
    path = synth.write_ledger_csv(tmp_path / "l.csv", 5, seed=1)
    with pytest.raises(InvalidInput, match="more than 5 rows"):
        list(read_rows(path))


def test_reading_that_takes_too_long_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(ledger_xlsx, "READ_SECONDS", 0)
    with pytest.raises(InvalidInput, match="longer than 0 seconds"):
        list(read_rows(synth.write_ledger_xlsx(tmp_path / "l.xlsx", 5, seed=1)))


class TickingMonotonic:
    """A monotonic clock that moves one second each time it is read."""

    def __init__(self):
        self.now = 0.0

    def monotonic(self) -> float:
        self.now += 1
        return self.now


def test_the_time_limit_stops_openpyxl_inside_a_sheet_it_reads_without_yielding_a_row(tmp_path, monkeypatch):
    path = workbook(tmp_path / "l.xlsx", cells(n=1))
    junk = b"".join(b'<row r="1" x="%s"/>' % os.urandom(12).hex().encode() for _ in range(60_000))  # skipped
    rewrite(path, SHEET, lambda xml: xml.replace(b'<row r="2"', junk + b'<row r="2"', 1))
    monkeypatch.setattr(ledger_xlsx, "time", TickingMonotonic())
    monkeypatch.setattr(ledger_xlsx, "READ_SECONDS", 150)  # far more steps than that; the junk takes ~400 reads
    with pytest.raises(InvalidInput, match="longer than 150 seconds"):
        list(read_rows(path))


def test_a_declared_sheet_size_smaller_than_the_data_does_not_hide_rows(tmp_path):
    path = workbook(tmp_path / "l.xlsx", cells(n=4))
    rewrite(path, SHEET, lambda xml: re.sub(rb'<dimension ref="[A-Z0-9:]+"', b'<dimension ref="A1:B2"', xml))
    assert [(number, found) for number, found in errors(path)] == [(n, []) for n in range(2, 6)]


# --- damaged or foreign XML --------------------------------------------------------------------------------

@pytest.mark.parametrize("write, message", [
    (lambda path, rows: synth.write_ledger_xlsx(path, len(rows), seed=1),  # no <dimension>: read whole at load
     "the ledger file cannot be read: XML not well-formed at line 1, column \\d+"),
    (lambda path, rows: workbook(path, rows),  # with a <dimension>, as Excel writes: met while streaming
     "the workbook's first sheet is damaged near row \\d+ \\(XML not well-formed at line 1, column \\d+\\)")])
def test_damaged_sheet_xml_is_a_clear_refusal(tmp_path, write, message):
    path = write(tmp_path / "l.xlsx", cells(n=1600))
    rewrite(path, SHEET, lambda xml: xml.replace(b'<row r="1500"', b'<row r="1500"<<', 1))
    with pytest.raises(InvalidInput, match=message):
        list(read_rows(path))


def test_a_dtd_or_entity_in_sheet_xml_is_refused_before_parsing(tmp_path):
    path = synth.write_ledger_xlsx(tmp_path / "l.xlsx", 2, seed=1)
    bomb = b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    rewrite(path, SHEET, lambda xml: b'<?xml version="1.0" encoding="UTF-8"?>' + bomb + xml)
    with pytest.raises(InvalidInput, match="XML that Excel does not write \\(<! in xl/worksheets/sheet1.xml\\)"):
        list(read_rows(path))


def test_a_file_that_is_not_a_zip_after_all_is_refused(tmp_path):
    path = tmp_path / "l.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\0" * 200)
    with pytest.raises(InvalidInput, match="cannot be read"):
        list(read_rows(path))


# --- text: encodings line by line, control characters, over-long lines ---------------------------------------

def csv_bytes(rows: list[list], encodings: list[str], *, bom=b"") -> bytes:
    """A ledger whose header and rows are encoded one by one (encodings[0] for the header)."""
    lines = [HEADER, *rows]
    return bom + b"".join(",".join(line).encode(encoding) + b"\r\n" for line, encoding in zip(lines, encodings,
                                                                                                strict=True))


@pytest.mark.parametrize("encodings, bom, problem", [
    (["utf-8", "utf-8", "gbk", "utf-8"], b"", "line 3: not UTF-8 like the file"),
    (["utf-8", "utf-8", "gbk", "utf-8"], b"\xef\xbb\xbf", "line 3: not UTF-8 like the file"),
    (["gbk", "gbk", "utf-8", "gbk"], b"", "line 3: UTF-8 in a GBK file")])
def test_a_line_in_another_encoding_is_refused_alone_and_the_others_keep_their_names(tmp_path, encodings, bom,
                                                                                      problem):
    rows = cells(n=3)
    path = tmp_path / "l.csv"
    path.write_bytes(csv_bytes(rows, encodings, bom=bom))
    read = list(read_rows(path))
    assert [row.get("name") for _, row in read] == [rows[0][1], None, rows[2][1]]
    assert [(number, validate_row(row)[1]) for number, row in read] == [
        (2, []), (3, [RowError(None, Reason.ENCODING, problem)]), (4, [])]


def test_a_nul_or_bell_in_a_csv_cell_is_refused_with_its_row(tmp_path):
    rows = cells(n=3)
    rows[0][1], rows[1][4] = rows[0][1][:1] + "\x00" + rows[0][1][1:], rows[1][4] + "\x07"
    path = tmp_path / "l.csv"
    path.write_bytes(csv_bytes(rows, ["utf-8"] * 4))
    found = errors(path)
    assert found[0] == (2, [RowError("name", Reason.CONTROL_CHARACTER, "U+0000 at 2")])
    assert found[1][0] == 3 and found[1][1][0].reason == Reason.CONTROL_CHARACTER and found[2] == (4, [])


def test_a_line_break_inside_a_quoted_cell_is_refused(tmp_path):
    text = io.StringIO()
    rows = cells(n=2)
    rows[0][4] = "吉林\n大学"
    csv.writer(text).writerows([HEADER, *rows])
    path = tmp_path / "l.csv"
    path.write_text(text.getvalue(), encoding="utf-8")
    assert errors(path) == [(2, [RowError("school", Reason.CONTROL_CHARACTER, "U+000A at 3")]), (3, [])]


def test_an_over_long_line_is_refused_alone_without_being_read_whole(tmp_path):
    rows = cells(n=3)
    rows[1][1] = "x" * (LINE_BYTES * 3)
    path = tmp_path / "l.csv"
    path.write_bytes(csv_bytes(rows, ["utf-8"] * 4))
    assert errors(path) == [(2, []), (3, [RowError(None, Reason.TOO_LONG, f"line 3: more than {LINE_BYTES} bytes")]),
                            (4, [])]
