"""The real-name ledger (实名制台账) format: its columns, the reasons a row is refused, and row validation.

Reading files (encodings, XLSX, the header row) is `caseflow.domain.ledger_files`. docs/LEDGER.md describes
both for users; keep them in step.
"""

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from stdnum.cn import ric
from stdnum.exceptions import ValidationError

from caseflow.domain.enums import Degree, HardshipKind
from caseflow.domain.graduates import NewGraduate
from caseflow.domain.ledger_dates import parse_date, read_date  # noqa: F401 (parse_date: part of the format)
from caseflow.domain.masking import shown


@dataclass(frozen=True)
class Column:
    field: str
    header: str  # the Chinese header of the template
    aliases: tuple[str, ...] = ()  # other headers accepted for the same column (English field name included)
    required: bool = False
    max_length: int = 100


COLUMNS = (
    Column("id_number", "身份证号", ("身份证号码", "公民身份号码", "证件号码"), required=True, max_length=30),
    Column("name", "姓名", required=True, max_length=50),
    Column("gender", "性别", ("sex",), max_length=10),
    Column("birth_date", "出生日期", max_length=30),
    Column("phone", "手机号", ("手机号码", "联系电话", "mobile"), max_length=20),
    Column("school", "毕业院校", ("毕业学校", "院校名称", "学校名称"), required=True),
    Column("major_code", "专业代码", max_length=12),
    Column("major_name", "专业名称", ("专业",), required=True),
    Column("degree", "学历", ("学历层次",), required=True, max_length=20),
    Column("graduation_date", "毕业时间", ("毕业日期",), required=True, max_length=30),
    Column("leaving_date", "离校时间", ("离校日期",), required=True, max_length=30),
    Column("origin", "生源地", ("生源所在地",)),
    Column("hukou_area_code", "户籍地区代码", ("户籍地代码", "户籍所在地代码"), max_length=30),
    Column("residence_area_code", "现居住地区代码", ("现居住地代码", "居住地区代码"), max_length=30),
    Column("archive_location", "档案所在地", ("档案去向",), max_length=200),
    Column("hardship", "困难类型", ("困难群体类别", "困难类别")),
    Column("hardship_detail", "困难说明", max_length=100),
)
BY_FIELD = {column.field: column for column in COLUMNS}
IGNORED_HEADERS = frozenset({"序号", "备注", "no", "seq", "remarks"})  # kept by clerks, meaningless to us
EXTRA = "_extra"  # key of a row's cells beyond the header (a shifted row)
REFUSED = "_refused"  # key of the RowErrors found while reading a row (a number cell, an undecodable line)
EXTRA_SEPARATOR = " | "
EXCEL_ERRORS = frozenset({"#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!"})


class Reason(StrEnum):
    """Why a row was refused; stable codes, translated for display by REASON_LABELS and the UI."""

    REQUIRED = "required"
    INVALID_ID = "invalid_id"
    ID_BIRTH_MISMATCH = "id_birth_mismatch"
    INVALID_DATE = "invalid_date"
    INVALID_DEGREE = "invalid_degree"
    INVALID_GENDER = "invalid_gender"
    GENDER_MISMATCH = "gender_mismatch"
    INVALID_AREA_CODE = "invalid_area_code"
    INVALID_PHONE = "invalid_phone"
    INVALID_HARDSHIP = "invalid_hardship"
    FORMULA = "formula"
    LEAVING_BEFORE_GRADUATION = "leaving_before_graduation"
    TOO_LONG = "too_long"
    EXTRA_CELLS = "extra_cells"
    DUPLICATE_IN_FILE = "duplicate_in_file"
    DUPLICATE_EXISTING = "duplicate_existing"
    CONTROL_CHARACTER = "control_character"
    NUMBER_CELL = "number_cell"
    ENCODING = "encoding"
    COHORT_MISMATCH = "cohort_mismatch"
    OUTSIDE_REGION = "outside_region"


REASON_LABELS = {
    Reason.REQUIRED: "必填项为空",
    Reason.INVALID_ID: "身份证号无效",
    Reason.ID_BIRTH_MISMATCH: "出生日期与身份证号不符",
    Reason.INVALID_DATE: "日期无效",
    Reason.INVALID_DEGREE: "学历无效",
    Reason.INVALID_GENDER: "性别无效",
    Reason.GENDER_MISMATCH: "性别与身份证号不符",
    Reason.INVALID_AREA_CODE: "地区代码无效",
    Reason.INVALID_PHONE: "手机号无效",
    Reason.INVALID_HARDSHIP: "困难类型无效",
    Reason.FORMULA: "单元格含公式，已拒绝",
    Reason.LEAVING_BEFORE_GRADUATION: "离校时间早于毕业时间一年以上",
    Reason.TOO_LONG: "内容过长",
    Reason.EXTRA_CELLS: "表头之外还有内容（列错位）",
    Reason.DUPLICATE_IN_FILE: "文件内身份证号重复",
    Reason.DUPLICATE_EXISTING: "该身份证号已导入（本届，或他届案件未结）",
    Reason.CONTROL_CHARACTER: "含控制字符或不可见的格式字符",
    Reason.NUMBER_CELL: "数字格式单元格会丢失位数，请设为文本格式后重填",
    Reason.ENCODING: "该行编码与文件其余部分不一致或无法识别",
    Reason.COHORT_MISMATCH: "毕业年份与届别不符",
    Reason.OUTSIDE_REGION: "案件将归属导入人辖区以外的地区",
}


@dataclass(frozen=True)
class RowError:
    """One problem with one cell of a row: the field (None for the whole row), a Reason, specifics."""

    field: str | None
    reason: Reason
    detail: str | None = None


def field_label(field: str | None) -> str:
    """The Chinese column header of a field, for reports."""
    column = BY_FIELD.get(field or "")
    return column.header if column else (field or "")


# --- row validation -------------------------------------------------------------------------------------

LEAVING_SLACK = timedelta(days=366)  # leaving school may precede the formal graduation date, not by a year
AGE_AT_GRADUATION = (15, 60)
PROVINCE_CODES = frozenset("11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 "
                           "61 62 63 64 65 71 81 82".split())
_ID_SHAPE = re.compile(r"\d{17}[\dX]")
_MOBILE = re.compile(r"1[3-9]\d{9}")
_SIGNED_NUMBER = re.compile(r"[+-][\d\s().-]*")
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})  # controls, invisible formatting, line breaks
_SEPARATORS = re.compile(r"[、;；,，/\s]+")
GENDERS = {"男": "M", "女": "F", "m": "M", "f": "F", "male": "M", "female": "F", "男性": "M", "女性": "F"}
DEGREES = {
    "专科": Degree.ASSOCIATE, "大专": Degree.ASSOCIATE, "高职": Degree.ASSOCIATE, "高职专科": Degree.ASSOCIATE,
    "本科": Degree.BACHELOR, "大学本科": Degree.BACHELOR,
    "硕士": Degree.MASTER, "硕士研究生": Degree.MASTER, "研究生": Degree.MASTER,
    "博士": Degree.DOCTORATE, "博士研究生": Degree.DOCTORATE,
} | {degree.value: degree for degree in Degree}
HARDSHIPS = {
    "脱贫家庭": HardshipKind.POVERTY_ALLEVIATED, "脱贫": HardshipKind.POVERTY_ALLEVIATED,
    "建档立卡": HardshipKind.POVERTY_ALLEVIATED, "低保": HardshipKind.MINIMUM_SUBSIDY,
    "低保家庭": HardshipKind.MINIMUM_SUBSIDY, "零就业家庭": HardshipKind.ZERO_EMPLOYMENT,
    "零就业": HardshipKind.ZERO_EMPLOYMENT, "残疾": HardshipKind.DISABLED, "残疾人": HardshipKind.DISABLED,
    "特困": HardshipKind.SPECIAL_HARDSHIP, "特困人员": HardshipKind.SPECIAL_HARDSHIP,
} | {kind.value: kind for kind in HardshipKind}
NO_HARDSHIP = frozenset({"否", "非困难"})


def looks_like_formula(text: str) -> bool:
    """Text a spreadsheet would run: '=…' or '@…', '+'/'-' followed by more than a number (a phone '+86 138…'
    or a lone '-' is data), or an Excel error value left behind by a formula."""
    if not text:
        return False
    if text[0] in "=@":
        return True
    if text[0] in "+-":
        return not _SIGNED_NUMBER.fullmatch(text)
    return text.upper() in EXCEL_ERRORS


def control_character(text: str) -> str | None:
    """Where the first control or invisible formatting character sits (NUL, BEL, a line break inside the value,
    a bidi override such as U+202E): 'U+0000 at 3'; None if there is none. Cheap for the printable usual case."""
    if text.isprintable():
        return None
    for position, char in enumerate(text, start=1):
        if unicodedata.category(char) in _REFUSED_CATEGORIES:
            return f"U+{ord(char):04X} at {position}"
    return None  # only spaces such as U+3000, private-use or unassigned characters: data


class _RowCheck:
    """The errors found so far in one row; a field that failed once is not checked again."""

    def __init__(self, row: dict, cohort: int | None):
        self.row, self.cohort = row, cohort
        self.errors: list[RowError] = []
        self.failed: set[str] = set()

    def fail(self, field: str | None, reason: Reason, detail: str | None = None) -> None:
        self.errors.append(RowError(field, reason, detail))
        self.failed.add(field or "")

    def text(self, field: str) -> str | None:
        value = self.row.get(field) or None
        return None if field in self.failed else value

    def code(self, field: str) -> str | None:
        """A code-like value: full-width digits folded, spaces and dashes removed, upper-cased."""
        value = self.text(field)
        return re.sub(r"[\s-]", "", unicodedata.normalize("NFKC", value)).upper() if value else None


def _check_cells(check: _RowCheck) -> None:
    """Control characters, formulas, lengths and required cells, for every column; shifted rows."""
    for column in COLUMNS:
        if column.field in check.failed:  # refused while the file was read (a number cell)
            continue
        value = check.row.get(column.field, "")
        if not value:
            if column.required:
                check.fail(column.field, Reason.REQUIRED)
            continue
        if unseen := control_character(value):
            check.fail(column.field, Reason.CONTROL_CHARACTER, unseen)
        elif looks_like_formula(value):
            check.fail(column.field, Reason.FORMULA, shown(value))
        elif len(value) > column.max_length:
            check.fail(column.field, Reason.TOO_LONG, f"{len(value)} > {column.max_length}")
    _check_extra(check, check.row.get(EXTRA))
    areas = ("hukou_area_code", "residence_area_code")
    if not any(check.row.get(field) or field in check.failed for field in areas):
        check.fail("hukou_area_code", Reason.REQUIRED, "hukou_area_code / residence_area_code")


def _check_extra(check: _RowCheck, extra: str | None) -> None:
    """Cells beyond the header: a shifted row, refused by their count, not their text (it may hold an ID)."""
    if not extra:
        return
    if unseen := control_character(extra):
        check.fail(None, Reason.CONTROL_CHARACTER, unseen)
    elif looks_like_formula(extra):
        check.fail(None, Reason.FORMULA, shown(extra))
    else:
        check.fail(None, Reason.EXTRA_CELLS, f"{extra.count(EXTRA_SEPARATOR) + 1} extra")


def _date(check: _RowCheck, field: str) -> date | None:
    text = check.text(field)
    if text is None:
        return None
    value, problem = read_date(text)
    if problem:
        check.fail(field, Reason.INVALID_DATE, problem)
    return value


def _id_number(check: _RowCheck) -> tuple[str | None, date | None]:
    """The normalised ID number and the birth date it encodes (GB 11643: checksum, real date)."""
    text = check.code("id_number")
    if text is None:
        return None, None
    if not _ID_SHAPE.fullmatch(text):
        check.fail("id_number", Reason.INVALID_ID, f"length {len(text)}" if len(text) != 18 else "format")
        return None, None
    if ric.calc_check_digit(text) != text[-1]:
        check.fail("id_number", Reason.INVALID_ID, "checksum")
        return None, None
    try:
        return text, ric.get_birth_date(text)
    except ValidationError:
        check.fail("id_number", Reason.INVALID_ID, "birth date")
        return None, None


def _gender(check: _RowCheck, id_number: str | None) -> str | None:
    """The gender column if given (it must agree with the ID's 17th digit: odd male), else the ID's."""
    from_id = ("M" if int(id_number[16]) % 2 else "F") if id_number else None
    text = check.text("gender")
    if text is None:
        return from_id
    gender = GENDERS.get(text.lower())
    if gender is None:
        check.fail("gender", Reason.INVALID_GENDER, shown(text))
    elif from_id and gender != from_id:
        check.fail("gender", Reason.GENDER_MISMATCH, shown(text))
    return gender


def _phone(check: _RowCheck) -> str | None:
    text = check.code("phone")
    if text is None:
        return None
    digits = re.sub(r"^(\+?86)(?=1\d{10}$)", "", text.replace("(", "").replace(")", ""))
    if not _MOBILE.fullmatch(digits):
        check.fail("phone", Reason.INVALID_PHONE)
        return None
    return digits


def _area(check: _RowCheck, field: str) -> str | None:
    """A 6-, 9- or 12-digit area code; statistical codes padded with zeros are cut to the level they name."""
    text = check.code(field)
    if text is None:
        return None
    if not text.isdigit() or len(text) not in (6, 9, 12) or text[:2] not in PROVINCE_CODES:
        check.fail(field, Reason.INVALID_AREA_CODE, shown(text))
        return None
    while len(text) > 6 and text.endswith("000"):
        text = text[:-3]  # 220102000000 is the county 220102
    return text


def _choice(check: _RowCheck, field: str, choices: dict, reason: Reason) -> str | None:
    text = check.text(field)
    if text is None:
        return None
    value = choices.get(text.strip().lower())
    if value is None:
        check.fail(field, reason, shown(text))
    return value


def _hardship(check: _RowCheck) -> tuple[str, ...]:
    """Hardship kinds, several separated by 、 ; , or spaces; '否' or an empty cell means none."""
    text = check.text("hardship")
    if text is None or text in NO_HARDSHIP:
        return ()
    kinds: list[str] = []
    for part in filter(None, _SEPARATORS.split(text)):
        kind = HARDSHIPS.get(part.lower())
        if kind is None:
            check.fail("hardship", Reason.INVALID_HARDSHIP, shown(part))
            return ()
        if kind not in kinds:
            kinds.append(kind)
    return tuple(kinds)


def _check_dates(check: _RowCheck, birth: date | None, graduation: date | None, leaving: date | None) -> None:
    """Cross-field date rules: the birth date column agrees with the ID; a plausible age; graduating in the
    cohort's year; leaving ≈ graduating."""
    given_birth = _date(check, "birth_date")
    if birth and given_birth and given_birth != birth:
        check.fail("birth_date", Reason.ID_BIRTH_MISMATCH, given_birth.isoformat())
    if birth and graduation:
        age = graduation.year - birth.year
        if not AGE_AT_GRADUATION[0] <= age <= AGE_AT_GRADUATION[1]:
            check.fail("id_number", Reason.INVALID_ID, f"age {age} at graduation")
    if graduation and check.cohort is not None and graduation.year != check.cohort:
        check.fail("graduation_date", Reason.COHORT_MISMATCH, f"graduated {graduation.year}, cohort {check.cohort}")
    if graduation and leaving and leaving < graduation - LEAVING_SLACK:
        check.fail("leaving_date", Reason.LEAVING_BEFORE_GRADUATION,
                   f"{leaving.isoformat()} < {graduation.isoformat()}")


def validate_row(row: dict, *, cohort: int | None = None) -> tuple[NewGraduate | None, list[RowError]]:
    """A ledger row ({field: text}, and REFUSED: problems found while reading it) as a NewGraduate of the cohort
    (graduated in that year, if given), or None and every problem found in it."""
    check = _RowCheck(row, cohort)
    for error in row.get(REFUSED, ()):
        check.fail(error.field, error.reason, error.detail)
    if "" in check.failed:  # the whole row could not be read (an undecodable line): nothing else to say
        return None, check.errors
    _check_cells(check)
    id_number, birth = _id_number(check)
    graduation, leaving = _date(check, "graduation_date"), _date(check, "leaving_date")
    _check_dates(check, birth, graduation, leaving)
    values = {
        "gender": _gender(check, id_number), "phone": _phone(check),
        "degree": _choice(check, "degree", DEGREES, Reason.INVALID_DEGREE),
        "hukou_area_code": _area(check, "hukou_area_code"),
        "residence_area_code": _area(check, "residence_area_code"), "hardship": _hardship(check),
    }
    if check.errors:
        return None, check.errors
    text = {field: check.text(field) for field in ("name", "school", "major_name", "major_code", "origin",
                                                   "archive_location", "hardship_detail")}
    return NewGraduate(id_number=id_number, birth_date=birth, graduation_date=graduation, leaving_date=leaving,
                       **text, **values), []


def valid_id_number(text: str | None) -> str | None:
    """The normalised ID number if it has the right shape and check digit, else None."""
    number = re.sub(r"[\s-]", "", unicodedata.normalize("NFKC", text or "")).upper()
    if _ID_SHAPE.fullmatch(number) and ric.calc_check_digit(number) == number[-1]:
        return number
    return None


def screen_rows(rows: Iterable[tuple[int, dict]], *, cohort: int
                ) -> Iterator[tuple[int, NewGraduate | None, list[RowError]]]:
    """validate_row over a file's rows for a cohort, and duplicates within the file: the first row with an ID
    number owns it, every later row with the same number is refused naming that first row (whatever else is
    wrong with either)."""
    first_row: dict[int, int] = {}  # the 17 digits fix the check digit, so they key a valid number exactly
    for number, row in rows:
        graduate, errors = validate_row(row, cohort=cohort)
        id_number = graduate.id_number if graduate else valid_id_number(row.get("id_number"))
        if id_number:
            first = first_row.setdefault(int(id_number[:17]), number)
            if first != number:
                errors = [*errors, RowError("id_number", Reason.DUPLICATE_IN_FILE, f"row {first}")]
                graduate = None
        yield number, graduate, errors
