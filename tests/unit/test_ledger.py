"""The ledger format on its own (GOALS reliability test 5): encodings, columns, and why each bad row is refused."""

from datetime import date, datetime

import pytest
from openpyxl import Workbook

from caseflow import synth
from caseflow.domain.enums import Degree, HardshipKind
from caseflow.domain.ledger import Reason, RowError, looks_like_formula, parse_date, screen_rows, validate_row
from caseflow.domain.ledger_files import detect_format, read_rows
from caseflow.errors import InvalidInput

HEADER = synth.ledger_header()
GOOD = {"id_number": "220102200001010012", "name": "张伟", "gender": "男", "phone": "13812345678",
        "school": "吉林大学", "major_code": "080901", "major_name": "计算机科学与技术", "degree": "本科",
        "graduation_date": "2026-06-30", "leaving_date": "2026-07-03", "origin": "吉林省长春市",
        "hukou_area_code": "220102", "residence_area_code": "", "archive_location": "长春市人才服务中心",
        "hardship": "", "hardship_detail": ""}
GOOD_CELLS = [GOOD[field] for field in synth.LEDGER_FIELDS]


def with_check_digit(body17: str) -> str:
    from stdnum.cn import ric

    return body17 + ric.calc_check_digit(body17 + "0")


def errors_of(**changes) -> list[tuple[str | None, str]]:
    graduate, errors = validate_row({**GOOD, **changes})
    assert (graduate is None) == bool(errors)
    return [(error.field, error.reason) for error in errors]


def write_csv(path, rows, *, header=HEADER, encoding="utf-8-sig"):
    lines = [",".join(header)] + [",".join(row) for row in rows]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def sample_rows(n, seed=1):
    return [synth.ledger_row(g) for g in synth.graduates(n, seed=seed)]


# --- files: encodings, columns, emptiness ----------------------------------------------------------------

@pytest.mark.parametrize("encoding, detected", [("utf-8-sig", "utf-8-sig"), ("utf-8", "utf-8"), ("gbk", "gb18030")])
def test_csv_in_utf8_with_bom_plain_utf8_or_gbk_reads_the_same_chinese_text(tmp_path, encoding, detected):
    rows = sample_rows(3)
    path = write_csv(tmp_path / "ledger.csv", rows, encoding=encoding)
    assert detect_format(path) == ("csv", detected)
    read = list(read_rows(path))
    assert [number for number, _ in read] == [2, 3, 4]
    assert [row["name"] for _, row in read] == [row[1] for row in rows]
    assert read[0][1]["school"] == rows[0][4]


def test_gbk_file_whose_first_kilobytes_look_like_utf8_is_still_read_as_gbk(tmp_path):
    ascii_row = {**GOOD, "name": "Zhang Wei", "gender": "m", "school": "Jilin University", "major_name": "CS",
                 "degree": "bachelor", "origin": "", "archive_location": ""}
    rows = [[ascii_row[field] for field in synth.LEDGER_FIELDS]] * 100 + [GOOD_CELLS]
    path = write_csv(tmp_path / "ledger.csv", rows, encoding="gbk")
    assert path.stat().st_size > 8000
    assert detect_format(path) == ("csv", "gb18030")
    assert list(read_rows(path))[-1][1]["name"] == "张伟"


def test_bytes_that_are_neither_utf8_nor_gbk_refuse_their_row_naming_the_line(tmp_path):
    path = tmp_path / "ledger.csv"
    path.write_bytes(",".join(HEADER).encode("gbk") + b"\r\n\x81\x20\xff\xfe,x\r\n")
    (number, row), = read_rows(path)
    assert number == 2
    assert validate_row(row)[1] == [RowError(None, Reason.ENCODING, "line 2: neither UTF-8 nor GBK")]


def test_wrong_columns_refuse_the_whole_file_naming_missing_and_unknown_columns(tmp_path):
    header = [h for h in HEADER if h != "毕业院校"] + ["家庭住址"]
    path = write_csv(tmp_path / "ledger.csv", [GOOD_CELLS[:-1] + ["x"]], header=header)
    with pytest.raises(InvalidInput) as caught:
        list(read_rows(path))
    assert "毕业院校" in caught.value.text() and "家庭住址" in caught.value.text()
    assert caught.value.params == {"missing": "毕业院校", "unknown": "家庭住址"}


def test_a_ledger_without_any_area_code_column_is_refused(tmp_path):
    header = [h for h in HEADER if h not in ("户籍地区代码", "现居住地区代码")]
    path = write_csv(tmp_path / "ledger.csv", [], header=header)
    with pytest.raises(InvalidInput, match="户籍地区代码/现居住地区代码"):
        list(read_rows(path))


def test_a_column_given_twice_refuses_the_file(tmp_path):
    path = write_csv(tmp_path / "ledger.csv", [GOOD_CELLS + ["x"]], header=[*HEADER, "姓名"])
    with pytest.raises(InvalidInput, match="twice"):
        list(read_rows(path))


def test_english_headers_hints_in_brackets_and_a_title_row_above_the_header_are_accepted(tmp_path):
    header = [*synth.LEDGER_FIELDS]
    header[0], header[8] = "*身份证号", "毕业时间（YYYY-MM-DD）"
    path = tmp_path / "ledger.csv"
    path.write_text("2026届离校未就业高校毕业生实名制台账\r\n\r\n" + ",".join(["序号", *header]) + "\r\n"
                    + ",".join(["1", *GOOD_CELLS]) + "\r\n", encoding="utf-8")
    (number, row), = read_rows(path)
    assert number == 4 and row["graduation_date"] == "2026-06-30" and validate_row(row)[1] == []


@pytest.mark.parametrize("content", [b"", b"\r\n\r\n", b"\xef\xbb\xbf", b",,,\r\n"])
def test_an_empty_file_is_refused(tmp_path, content):
    path = tmp_path / "ledger.csv"
    path.write_bytes(content)
    with pytest.raises(InvalidInput, match="empty"):
        list(read_rows(path))


def test_a_header_without_data_rows_is_refused(tmp_path):
    path = write_csv(tmp_path / "ledger.csv", [[""] * len(HEADER)])
    with pytest.raises(InvalidInput, match="no data rows"):
        list(read_rows(path))


def test_old_xls_workbooks_are_refused_with_advice(tmp_path):
    path = tmp_path / "ledger.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    with pytest.raises(InvalidInput, match=".xlsx or .csv"):
        list(read_rows(path))


def test_xlsx_reads_date_cells_serials_and_numbers_and_keeps_formulas_as_text(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    cells = list(GOOD_CELLS)
    cells[5], cells[8], cells[9] = 80901, datetime(2026, 6, 30), 46206  # 46206 is 2026-07-03
    cells[3] = 13812345678
    sheet.append(cells)
    sheet.append([*GOOD_CELLS[:4], "=HYPERLINK(\"http://x\",\"吉林大学\")", *GOOD_CELLS[5:]])
    workbook.save(tmp_path / "ledger.xlsx")
    (first_number, first), (second_number, second) = read_rows(tmp_path / "ledger.xlsx")
    assert (first["major_code"], first["graduation_date"], first["leaving_date"], first["phone"]) == (
        "080901", "2026-06-30", "2026-07-03", "13812345678")
    assert validate_row(first)[1] == []
    assert (first_number, second_number) == (2, 3)
    assert [(e.field, e.reason) for e in validate_row(second)[1]] == [("school", Reason.FORMULA)]


# --- rows: one reason per malformed cell -----------------------------------------------------------------

def test_a_good_row_becomes_a_new_graduate_with_birth_date_and_gender_from_the_id():
    graduate, errors = validate_row({**GOOD, "gender": ""})
    assert errors == []
    assert (graduate.id_number, graduate.birth_date, graduate.gender, graduate.degree) == (
        "220102200001010012", date(2000, 1, 1), "M", Degree.BACHELOR)


def test_bad_id_checksum_is_refused():
    assert errors_of(id_number="220102200001010013") == [("id_number", Reason.INVALID_ID)]
    assert validate_row({**GOOD, "id_number": "220102200001010013"})[1][0].detail == "checksum"


@pytest.mark.parametrize("id_number, detail", [("22010220000101001", "length 17"), ("2201022000010100AB", "format"),
                                               (with_check_digit("22010220001301001"), "birth date")])
def test_malformed_ids_are_refused_saying_what_is_wrong(id_number, detail):
    assert validate_row({**GOOD, "id_number": id_number})[1] == [RowError("id_number", Reason.INVALID_ID, detail)]


def test_id_with_lower_case_x_spaces_or_full_width_digits_is_normalised():
    number = with_check_digit("22010219990101002")
    spaced = number[:6] + " " + number[6:14] + " " + number[14:].lower()
    full_width = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in number)
    for text in (spaced, full_width):
        graduate, errors = validate_row({**GOOD, "id_number": text, "gender": ""})
        assert errors == [] and graduate.id_number == number


def test_an_id_birth_date_implausible_for_a_graduate_is_refused():
    assert errors_of(id_number=with_check_digit("22010220200101001")) == [("id_number", Reason.INVALID_ID)]


def test_birth_date_column_must_agree_with_the_id():
    assert errors_of(birth_date="2000-01-01") == []
    assert errors_of(birth_date="2000-01-02") == [("birth_date", Reason.ID_BIRTH_MISMATCH)]


@pytest.mark.parametrize("text, expected", [
    ("2026-06-30", date(2026, 6, 30)), ("2026/6/30", date(2026, 6, 30)), ("20260630", date(2026, 6, 30)),
    ("2026.6.30", date(2026, 6, 30)), ("2026年6月30日", date(2026, 6, 30)), ("2026-06-30 00:00:00", date(2026, 6, 30)),
    ("2026-13-01", None), ("2026-02-30", None), ("30/06/2026", None), ("June 30", None), ("1800-01-01", None)])
def test_dates_accept_the_usual_chinese_spellings_only(text, expected):
    assert parse_date(text) == expected


def test_bad_dates_are_refused_per_field():
    assert errors_of(graduation_date="2026-13-01", leaving_date="soon") == [
        ("graduation_date", Reason.INVALID_DATE), ("leaving_date", Reason.INVALID_DATE)]


def test_leaving_more_than_a_year_before_graduation_is_refused_but_a_little_earlier_is_fine():
    assert errors_of(leaving_date="2026-06-20") == []
    assert errors_of(leaving_date="2025-06-01") == [("leaving_date", Reason.LEAVING_BEFORE_GRADUATION)]


def test_missing_required_cells_are_each_refused():
    assert errors_of(name="", school="", degree="") == [
        ("name", Reason.REQUIRED), ("school", Reason.REQUIRED), ("degree", Reason.REQUIRED)]


def test_at_least_one_area_code_is_required():
    assert errors_of(hukou_area_code="", residence_area_code="420106") == []
    assert errors_of(hukou_area_code="", residence_area_code="") == [("hukou_area_code", Reason.REQUIRED)]


@pytest.mark.parametrize("code", ["22010", "2201020", "22010A", "990102", "2201020010011"])
def test_area_codes_must_be_6_9_or_12_digits_of_a_province(code):
    assert errors_of(hukou_area_code=code) == [("hukou_area_code", Reason.INVALID_AREA_CODE)]


def test_zero_padded_statistical_area_codes_are_cut_to_the_level_they_name():
    graduate, _ = validate_row({**GOOD, "hukou_area_code": "220102000000", "residence_area_code": "220102001000"})
    assert (graduate.hukou_area_code, graduate.residence_area_code) == ("220102", "220102001")


def test_degree_and_gender_must_be_known_values():
    assert errors_of(degree="初中", gender="未知") == [("gender", Reason.INVALID_GENDER),
                                                      ("degree", Reason.INVALID_DEGREE)]
    assert validate_row({**GOOD, "degree": "大专"})[0].degree == Degree.ASSOCIATE


def test_gender_contradicting_the_ids_17th_digit_is_refused():
    assert errors_of(gender="女") == [("gender", Reason.GENDER_MISMATCH)]


@pytest.mark.parametrize("phone", ["12812345678", "1381234567", "010-12345678", "abc"])
def test_phone_must_be_a_mainland_mobile(phone):
    assert errors_of(phone=phone) == [("phone", Reason.INVALID_PHONE)]


def test_phone_with_country_code_and_separators_is_normalised():
    assert validate_row({**GOOD, "phone": "+86 138-1234-5678"})[0].phone == "13812345678"


def test_hardship_takes_several_kinds_with_any_separator_and_refuses_unknown_ones():
    graduate, _ = validate_row({**GOOD, "hardship": "脱贫家庭、低保;残疾,低保"})
    assert graduate.hardship == (HardshipKind.POVERTY_ALLEVIATED, HardshipKind.MINIMUM_SUBSIDY, HardshipKind.DISABLED)
    assert validate_row({**GOOD, "hardship": "否"})[0].hardship == ()
    assert errors_of(hardship="低保、单亲") == [("hardship", Reason.INVALID_HARDSHIP)]


def test_over_long_cells_are_refused():
    assert errors_of(name="张" * 51, archive_location="x" * 201) == [
        ("name", Reason.TOO_LONG), ("archive_location", Reason.TOO_LONG)]


@pytest.mark.parametrize("text", ["=1+1", "=HYPERLINK(\"http://evil\",\"点我\")", "@SUM(A1:A9)",
                                  "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "#REF!"])
def test_formula_cells_are_refused_never_imported(text):
    assert looks_like_formula(text)
    assert errors_of(school=text) == [("school", Reason.FORMULA)]
    assert validate_row({**GOOD, "school": text})[1][0].detail == text


@pytest.mark.parametrize("text", ["+86 13812345678", "-", "-5", "吉林大学", ""])
def test_signed_numbers_and_plain_text_are_not_formulas(text):
    assert not looks_like_formula(text)


def test_cells_beyond_the_header_mean_a_shifted_row_and_are_counted_not_echoed(tmp_path):
    path = write_csv(tmp_path / "ledger.csv", [GOOD_CELLS + ["", "13812345678", "220102200001010012"]])
    (_, row), = read_rows(path)
    assert validate_row(row)[1] == [RowError(None, Reason.EXTRA_CELLS, "2 extra")]


def test_second_and_later_rows_with_one_id_are_duplicates_naming_the_first_row():
    other = with_check_digit("22010219990101002")
    rows = [(2, GOOD), (3, {**GOOD, "id_number": other, "gender": "女"}), (4, {**GOOD, "name": "张二"}),
            (5, {**GOOD, "id_number": GOOD["id_number"] + " ", "degree": "??"})]
    screened = list(screen_rows(rows, cohort=2026))
    assert [(n, g is not None) for n, g, _ in screened] == [(2, True), (3, True), (4, False), (5, False)]
    assert screened[2][2] == [RowError("id_number", Reason.DUPLICATE_IN_FILE, "row 2")]
    assert RowError("id_number", Reason.DUPLICATE_IN_FILE, "row 2") in screened[3][2]


def test_the_generated_sample_round_trips_through_the_ledger_format(tmp_path):
    path = synth.write_ledger_csv(tmp_path / "ledger.csv", 200, seed=7)
    screened = list(screen_rows(read_rows(path), cohort=2026))
    assert [errors for _, _, errors in screened if errors] == []
    originals = list(synth.graduates(200, seed=7))
    for (_, graduate, _), original in zip(screened, originals, strict=True):
        assert graduate.id_number == original.id_number and graduate.hardship == original.hardship
        assert graduate.hukou_area_code == original.hukou_area_code.removesuffix("000000")


# --- hardening: control characters, documented dates, cohorts, masked details -----------------------------

@pytest.mark.parametrize("text, where", [("张\x00伟", "U+0000 at 2"), ("张伟\x07", "U+0007 at 3"),
                                         ("张\n伟", "U+000A at 2"), ("\u202e伟张", "U+202E at 1"),
                                         ("张\u2066伟", "U+2066 at 2"), ("张\u2028伟", "U+2028 at 2")])
def test_control_and_bidi_characters_in_a_cell_are_refused_saying_where(text, where):
    assert validate_row({**GOOD, "name": text})[1] == [RowError("name", Reason.CONTROL_CHARACTER, where)]


def test_a_control_character_in_an_otherwise_refused_cell_is_reported_not_echoed():
    assert validate_row({**GOOD, "gender": "男\x00"})[1] == [RowError("gender", Reason.CONTROL_CHARACTER,
                                                                      "U+0000 at 2")]


def test_wide_spaces_and_private_use_characters_are_data_not_control_characters():
    graduate, errors = validate_row({**GOOD, "name": "欧阳\u3000娜\ue000", "archive_location": "长春市\xa0人才中心"})
    assert errors == [] and graduate.name == "欧阳\u3000娜\ue000"


@pytest.mark.parametrize("text", ["2026-7-1", "2026/7/1", "2026.7.1", "2026年7月1日", "20260701", "2026-07-01",
                                  "2026-07-01 08:30", "2026/7/1 8:30:15", "2026-07-01T08:30:00.000",
                                  "２０２６－０７－０１"])
def test_every_documented_date_spelling_is_accepted_in_a_row(text):
    graduate, errors = validate_row({**GOOD, "leaving_date": text})
    assert errors == [] and graduate.leaving_date == date(2026, 7, 1)


@pytest.mark.parametrize("text, why", [("2026-7/1", "2026-7/1: not a date; write "),
                                       ("1/7/2026", "1/7/2026: not a date; write "),
                                       ("2026年7月1", "2026年7月1: not a date; write "),
                                       ("2026-02-30", "2026-02-30: no such day"),
                                       ("2026-07-01 25:00", "2026-07-01 25:00: not a time of day"),
                                       ("1899-07-01", "1899-07-01: year outside 1900–2100")])
def test_other_date_spellings_are_refused_saying_why(text, why):
    (error,) = validate_row({**GOOD, "leaving_date": text})[1]
    assert (error.field, error.reason) == ("leaving_date", Reason.INVALID_DATE) and error.detail.startswith(why)


def test_a_graduation_year_other_than_the_cohort_is_refused():
    assert validate_row(GOOD, cohort=2026)[1] == []
    assert validate_row(GOOD, cohort=2025)[1] == [RowError("graduation_date", Reason.COHORT_MISMATCH,
                                                           "graduated 2026, cohort 2025")]


ID, PHONE = "220102200402141494", "13812345678"


@pytest.mark.parametrize("changes", [
    {"degree": ID}, {"hukou_area_code": ID}, {"birth_date": ID}, {"graduation_date": ID + " "},
    {"hardship": f"低保、{PHONE}"}, {"school": f'="{ID}"'}, {"origin": f"=HYPERLINK(\"tel:{PHONE}\")"},
    {"gender": PHONE}, {"degree": f"{ID[:6]} {ID[6:14]} {ID[14:]}"}])
def test_rejection_details_never_show_an_id_number_or_phone(changes):
    errors = validate_row({**GOOD, **changes})[1]
    details = " ".join(error.detail or "" for error in errors)
    assert errors and ID[6:12] not in details.replace(" ", "") and PHONE[3:7] not in details  # birth, number
    assert ID not in details and PHONE not in details


def test_masked_details_keep_the_area_code_and_last_four_characters():
    (error,) = validate_row({**GOOD, "degree": ID})[1]
    assert error.detail == "220102********1494"
    (error,) = validate_row({**GOOD, "school": f"=HYPERLINK(\"tel:{PHONE}\")"})[1]
    assert error.detail == '=HYPERLINK("tel:138****5678")'
