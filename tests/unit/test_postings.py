"""The posting register's rules: what a posting may hold, when it is open, and reading import files."""

import codecs
import io
import zipfile
from datetime import date

import pytest
from openpyxl import Workbook

from caseflow.domain.posting_files import read_postings
from caseflow.domain.postings import EXTRA, Reason, is_open, screen_postings, validate_posting
from caseflow.errors import InvalidInput

TODAY = date(2026, 7, 1)
GOOD = {"employer": "长春一汽", "title": "测试工程师", "area_code": "220102", "industry": "软件",
        "major_prefixes": "0809、0812", "min_degree": "本科", "salary_min": "5000", "salary_max": "8,000",
        "open_until": "2026-12-31"}
HEADER = ["用人单位", "岗位名称", "工作地区代码", "行业", "专业代码", "最低学历", "月薪下限", "月薪上限", "截止日期"]
BIG = 1 << 20


def check(**changes):
    return validate_posting({**GOOD, **changes}, today=TODAY, region_prefix="2201", known_areas={"220102", "220103"})


def reasons(**changes) -> dict:
    posting, errors = check(**changes)
    assert posting is None
    return {error.field: error.reason for error in errors}


def test_a_good_posting_is_normalised():
    posting, errors = check(major_prefixes="809, 0812 ,080901", min_degree="不限", salary_max="8000.0")
    assert errors == []
    assert posting.major_prefixes == ("0809", "0812", "080901")  # a number cell's lost leading zero restored
    assert posting.min_degree is None and (posting.salary_min, posting.salary_max) == (5000, 8000)
    assert posting.open_until == date(2026, 12, 31)
    assert check(min_degree="硕士研究生")[0].min_degree == "master"


@pytest.mark.parametrize(("changes", "expected"), [
    ({"employer": ""}, {"employer": Reason.REQUIRED}),
    ({"title": "=HYPERLINK(\"http://x\")"}, {"title": Reason.FORMULA}),
    ({"employer": "@SUM(A1)"}, {"employer": Reason.FORMULA}),
    ({"title": "工程师\x00"}, {"title": Reason.CONTROL_CHARACTERS}),
    ({"employer": "一汽\n集团"}, {"employer": Reason.CONTROL_CHARACTERS}),
    ({"industry": "软件\u202e"}, {"industry": Reason.CONTROL_CHARACTERS}),  # a bidi override
    ({"title": "工" * 101}, {"title": Reason.TOO_LONG}),
    ({"area_code": "2201"}, {"area_code": Reason.INVALID_AREA_CODE}),
    ({"area_code": "990102"}, {"area_code": Reason.INVALID_AREA_CODE}),
    ({"area_code": "420102"}, {"area_code": Reason.OUT_OF_REGION}),
    ({"area_code": "220199"}, {"area_code": Reason.UNKNOWN_AREA}),
    ({"major_prefixes": "08a9"}, {"major_prefixes": Reason.INVALID_MAJORS}),
    ({"major_prefixes": "0809123"}, {"major_prefixes": Reason.INVALID_MAJORS}),
    ({"min_degree": "小学"}, {"min_degree": Reason.INVALID_DEGREE}),
    ({"salary_min": "-500"}, {"salary_min": Reason.INVALID_NUMBER}),
    ({"salary_min": "5000.5"}, {"salary_min": Reason.INVALID_NUMBER}),
    ({"salary_max": "1e309"}, {"salary_max": Reason.INVALID_NUMBER}),
    ({"salary_max": "nan"}, {"salary_max": Reason.INVALID_NUMBER}),
    ({"salary_max": "99999999999999999999"}, {"salary_max": Reason.INVALID_NUMBER}),
    ({"salary_min": "9000"}, {"salary_min": Reason.SALARY_RANGE}),
    ({"open_until": "2026-02-30"}, {"open_until": Reason.INVALID_DATE}),
    ({"open_until": "2026-06-30"}, {"open_until": Reason.DATE_PASSED}),
    ({"open_until": "2029-01-01"}, {"open_until": Reason.DATE_TOO_FAR}),
])
def test_a_bad_field_is_refused_with_its_reason(changes, expected):
    assert reasons(**changes) == expected


def test_every_problem_of_a_posting_is_reported_at_once():
    assert reasons(employer="", area_code="x", salary_min="abc", open_until="soon") == {
        "employer": Reason.REQUIRED, "area_code": Reason.INVALID_AREA_CODE, "salary_min": Reason.INVALID_NUMBER,
        "open_until": Reason.INVALID_DATE}


def test_a_posting_is_open_through_its_closing_day_unless_closed_by_hand():
    assert is_open(date(2026, 7, 1), False, TODAY)
    assert not is_open(date(2026, 6, 30), False, TODAY)
    assert not is_open(date(2026, 12, 31), True, TODAY)


def test_screening_refuses_the_later_copy_of_a_posting_and_shifted_rows():
    rows = [(2, GOOD), (3, {**GOOD, "employer": " 长春一汽 "}), (4, {**GOOD, "title": "架构师", EXTRA: "x"})]
    results = list(screen_postings(rows, today=TODAY, region_prefix="22"))
    assert results[0][1] is not None and results[0][2] == []
    assert [(e.reason, e.detail) for e in results[1][2]] == [(Reason.DUPLICATE_IN_FILE, "row 2")]
    assert results[2][1] is None and results[2][2][0].reason == Reason.EXTRA_CELLS


def xlsx(rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def read(data: bytes, max_rows: int = 100) -> list:
    return read_postings(data, max_bytes=BIG, max_rows=max_rows)


def test_an_xlsx_file_is_read_with_a_title_above_the_header_and_formulas_kept_as_text():
    data = xlsx([["2026年岗位清单"], HEADER,
                 ["一汽", "工程师", 220102, "制造", 809, "本科", 5000.0, 8000, date(2026, 12, 31)],
                 [None] * 9,
                 ["=1+1", "技术员", "220102", None, None, None, None, None, "2026-09-30", "多出来的"]])
    rows = read(data)
    assert [number for number, _ in rows] == [3, 5]
    assert rows[0][1]["area_code"] == "220102" and rows[0][1]["salary_min"] == "5000"
    assert rows[0][1]["open_until"] == "2026-12-31" and rows[0][1]["major_prefixes"] == "809"
    assert rows[1][1]["employer"] == "=1+1" and rows[1][1][EXTRA] == "多出来的"
    screened = list(screen_postings(rows, today=TODAY, region_prefix="22"))
    assert screened[0][2] == []
    assert {e.reason for e in screened[1][2]} == {Reason.FORMULA, Reason.EXTRA_CELLS}


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_a_csv_file_is_read_in_utf8_with_or_without_bom_and_in_gbk(encoding):
    text = ",".join(HEADER) + "\r\n" + "一汽,工程师,220102,制造,0809,本科,5000,8000,2026-12-31\r\n"
    rows = read(text.encode(encoding))
    assert rows == [(2, {"employer": "一汽", "title": "工程师", "area_code": "220102", "industry": "制造",
                         "major_prefixes": "0809", "min_degree": "本科", "salary_min": "5000",
                         "salary_max": "8000", "open_until": "2026-12-31"})]


def test_english_field_names_and_ignored_columns_are_accepted():
    rows = read("序号,employer,title,area,closes,备注\n1,一汽,工程师,220102,2026-12-31,急招\n".encode())
    assert rows == [(2, {"employer": "一汽", "title": "工程师", "area_code": "220102", "open_until": "2026-12-31"})]


@pytest.mark.parametrize(("data", "message"), [
    (b"", "the file is empty"),
    ("用人单位,岗位名称,工作地区代码,截止日期\n".encode(), "the file has a header row but no postings"),
    ("用人单位,岗位名称,薪水\n一汽,工程师,1\n".encode(), "the columns do not match the template"),
    ("用人单位,岗位名称,单位名称,工作地区代码,截止日期\n".encode(), "appears twice"),
    (b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "old .xls workbooks"),
    (b"employer,\xff\xff\x80\n", "neither an XLSX workbook nor UTF-8 or GBK text"),
    (b"PK\x03\x04 not really a zip", "the file cannot be read"),
])
def test_an_unreadable_file_is_refused_whole(data, message):
    with pytest.raises(InvalidInput) as refused:
        read(data)
    assert message in refused.value.text()


def test_size_and_row_bounds_are_enforced():
    text = ",".join(HEADER) + "\n" + "一汽,工程师,220102,制造,0809,本科,5000,8000,2026-12-31\n" * 6
    assert len(read(text.encode(), max_rows=6)) == 6
    with pytest.raises(InvalidInput, match="more than 5 postings"):
        read(text.encode(), max_rows=5)
    with pytest.raises(InvalidInput, match="larger than 0 KB"):
        read_postings(text.encode(), max_bytes=100, max_rows=100)


def test_a_workbook_that_unpacks_to_too_much_is_refused_before_it_is_parsed():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive, \
            archive.open("xl/sharedStrings.xml", "w") as member:
        for _ in range(40):
            member.write(b"\0" * (1 << 20))
    data = buffer.getvalue()
    assert len(data) < 100_000
    with pytest.raises(InvalidInput, match="unpacks to more than 32 MB"):
        read(data)


def test_a_utf16_file_from_excel_unicode_text_is_read():
    text = "\t".join(HEADER) + "\n" + "一汽\t工程师\t220102\t制造\t0809\t本科\t5000\t8000\t2026-12-31\n"
    rows = read(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    assert rows[0][1]["employer"] == "一汽"
