"""The job-posting register's rules: the fields of a posting, why a posting (typed in or imported) is refused,
and when a posting is open. A posting is open until its closing date (a Beijing day, inclusive) unless it was
closed by hand earlier."""

import re
import unicodedata
from collections.abc import Container, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from caseflow.domain.enums import Degree
from caseflow.domain.ledger import DEGREES, PROVINCE_CODES, looks_like_formula, parse_date
from caseflow.errors import N_

MAX_SALARY = 1_000_000  # yuan a month; anything above is a typo (a yearly figure, a stray digit)
MAX_OPEN_DAYS = 2 * 366  # a posting open for more than two years is not a current vacancy
MAX_MAJORS = 20
NO_LIMIT = frozenset({"不限", "无", "any", "none", "-", "—", "/"})
_MAJOR_SEPARATORS = re.compile(r"[、;；,，/\s]+")
_INVISIBLE = str.maketrans("", "", "\u200b\ufeff")
_NUMBER = re.compile(r"\d+(?:\.0+)?")
EXTRA = "_extra"  # key of an imported row's cells beyond the header


@dataclass(frozen=True)
class Column:
    field: str
    header: str  # the Chinese header of the import template
    aliases: tuple[str, ...] = ()
    required: bool = False
    max_length: int = 100


COLUMNS = (
    Column("employer", "用人单位", ("招聘单位", "单位名称", "企业名称"), required=True),
    Column("title", "岗位名称", ("岗位", "职位", "职位名称"), required=True),
    Column("area_code", "工作地区代码", ("工作地点代码", "地区代码", "area"), required=True, max_length=30),
    Column("industry", "行业", ("所属行业",), max_length=50),
    Column("major_prefixes", "专业代码", ("专业要求", "专业代码要求", "majors"), max_length=200),
    Column("min_degree", "最低学历", ("学历要求", "学历", "degree"), max_length=20),
    Column("salary_min", "月薪下限", ("薪资下限", "最低月薪"), max_length=20),
    Column("salary_max", "月薪上限", ("薪资上限", "最高月薪"), max_length=20),
    Column("open_until", "截止日期", ("招聘截止日期", "有效期至", "closes"), required=True, max_length=30),
)
FIELDS = tuple(column.field for column in COLUMNS)
BY_FIELD = {column.field: column for column in COLUMNS}


class Reason(StrEnum):
    """Why a posting or one of its fields was refused; stable codes, shown through REASON_TEXT."""

    REQUIRED = "required"
    TOO_LONG = "too_long"
    FORMULA = "formula"
    CONTROL_CHARACTERS = "control_characters"
    INVALID_AREA_CODE = "invalid_area_code"
    OUT_OF_REGION = "out_of_region"
    UNKNOWN_AREA = "unknown_area"
    INVALID_MAJORS = "invalid_majors"
    INVALID_DEGREE = "invalid_degree"
    INVALID_NUMBER = "invalid_number"
    SALARY_RANGE = "salary_range"
    INVALID_DATE = "invalid_date"
    DATE_PASSED = "date_passed"
    DATE_TOO_FAR = "date_too_far"
    EXTRA_CELLS = "extra_cells"
    DUPLICATE_IN_FILE = "duplicate_in_file"
    DUPLICATE_EXISTING = "duplicate_existing"


REASON_TEXT = {
    Reason.REQUIRED: N_("required"),
    Reason.TOO_LONG: N_("too long"),
    Reason.FORMULA: N_("a formula; type the value itself"),
    Reason.CONTROL_CHARACTERS: N_("contains control characters or line breaks"),
    Reason.INVALID_AREA_CODE: N_("not a 6-, 9- or 12-digit area code"),
    Reason.OUT_OF_REGION: N_("outside your region"),
    Reason.UNKNOWN_AREA: N_("no such county, street or community"),
    Reason.INVALID_MAJORS: N_("major codes are 2, 4 or 6 digits, separated by commas"),
    Reason.INVALID_DEGREE: N_("not a degree (associate, bachelor, master, doctorate)"),
    Reason.INVALID_NUMBER: N_("not a whole number of yuan between 0 and 1,000,000"),
    Reason.SALARY_RANGE: N_("the lowest salary is above the highest"),
    Reason.INVALID_DATE: N_("not a date"),
    Reason.DATE_PASSED: N_("the closing date has passed"),
    Reason.DATE_TOO_FAR: N_("closes more than two years from today"),
    Reason.EXTRA_CELLS: N_("cells beyond the last column (shifted row)"),
    Reason.DUPLICATE_IN_FILE: N_("the same posting appears earlier in the file"),
    Reason.DUPLICATE_EXISTING: N_("the same posting is already open in the register"),
}


@dataclass(frozen=True)
class FieldError:
    """One problem with one field of a posting (None: the whole row), and specifics to show beside it."""

    field: str | None
    reason: Reason
    detail: str | None = None


@dataclass(frozen=True)
class NewPosting:
    """A posting's validated values, ready for the register."""

    employer: str
    title: str
    area_code: str
    open_until: date
    industry: str | None = None
    major_prefixes: tuple[str, ...] = ()
    min_degree: str | None = None
    salary_min: int | None = None
    salary_max: int | None = None

    def key(self) -> tuple:
        """What makes two postings the same vacancy: employer, title, place and closing date."""
        return (_fold(self.employer), _fold(self.title), self.area_code, self.open_until)

    def values(self) -> dict:
        """Column values for the job_posting table."""
        return {"employer": self.employer, "title": self.title, "area_code": self.area_code,
                "industry": self.industry, "major_prefixes": list(self.major_prefixes),
                "min_degree": self.min_degree, "salary_min": self.salary_min, "salary_max": self.salary_max,
                "open_until": self.open_until}


def _fold(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold()


def posting_key(employer: str, title: str, area_code: str, open_until: date) -> tuple:
    return (_fold(employer), _fold(title), area_code, open_until)


def is_open(open_until: date, closed: bool, today: date) -> bool:
    """Open on Beijing day `today`: not closed by hand and the closing date not yet passed."""
    return not closed and open_until >= today


def has_control_characters(text: str) -> bool:
    """Control, format or unassigned characters (a NUL, a line break, a bidi override) have no place in a
    one-line field."""
    return any(unicodedata.category(char)[0] == "C" for char in text)


class _Check:
    """The errors found so far in one posting; a field that failed once is not checked again."""

    def __init__(self, values: Mapping[str, object]):
        self.raw = {field: _text(values.get(field)) for field in FIELDS}
        self.errors: list[FieldError] = []
        self.failed: set[str] = set()

    def fail(self, field: str | None, reason: Reason, detail: str | None = None) -> None:
        self.errors.append(FieldError(field, reason, detail))
        self.failed.add(field or "")

    def text(self, field: str) -> str | None:
        return None if field in self.failed else (self.raw[field] or None)

    def code(self, field: str) -> str | None:
        """A code-like value: full-width characters folded, inner spaces removed."""
        value = self.text(field)
        return re.sub(r"\s+", "", unicodedata.normalize("NFKC", value)) if value else None


def _text(value) -> str:
    return "" if value is None else str(value).translate(_INVISIBLE).strip()


def _check_cells(check: _Check) -> None:
    for column in COLUMNS:
        value = check.raw[column.field]
        if looks_like_formula(value):
            check.fail(column.field, Reason.FORMULA, value[:50])
        elif has_control_characters(value):
            check.fail(column.field, Reason.CONTROL_CHARACTERS)
        elif len(value) > column.max_length:
            check.fail(column.field, Reason.TOO_LONG, f"{len(value)} > {column.max_length}")
        elif column.required and not value:
            check.fail(column.field, Reason.REQUIRED)


def _area(check: _Check, region_prefix: str, known_areas: Container[str] | None) -> str | None:
    """A county, street or community code inside the actor's region (statistical codes padded with zeros are cut
    to the level they name)."""
    text = check.code("area_code")
    if text is None:
        return None
    if not text.isdigit() or len(text) not in (6, 9, 12) or text[:2] not in PROVINCE_CODES:
        check.fail("area_code", Reason.INVALID_AREA_CODE, text[:12])
        return None
    while len(text) > 6 and text.endswith("000"):
        text = text[:-3]
    if not text.startswith(region_prefix):
        check.fail("area_code", Reason.OUT_OF_REGION, text)
    elif known_areas is not None and text not in known_areas:
        check.fail("area_code", Reason.UNKNOWN_AREA, text)
    else:
        return text
    return None


def _majors(check: _Check) -> tuple[str, ...]:
    """Major-code prefixes (discipline 2 digits, class 4, major 6); a number cell that lost its leading zero
    (809 for 0809) gets it back. Empty or 不限: any major."""
    text = check.text("major_prefixes")
    if text is None or text.casefold() in NO_LIMIT:
        return ()
    prefixes: list[str] = []
    for part in filter(None, _MAJOR_SEPARATORS.split(unicodedata.normalize("NFKC", text))):
        code = part.zfill(len(part) + len(part) % 2)
        if not code.isdigit() or len(code) not in (2, 4, 6):
            check.fail("major_prefixes", Reason.INVALID_MAJORS, part[:20])
            return ()
        if code not in prefixes:
            prefixes.append(code)
    if len(prefixes) > MAX_MAJORS:
        check.fail("major_prefixes", Reason.INVALID_MAJORS, f"{len(prefixes)} > {MAX_MAJORS}")
        return ()
    return tuple(prefixes)


def _degree(check: _Check) -> str | None:
    text = check.text("min_degree")
    if text is None or text.casefold() in NO_LIMIT:
        return None
    degree = DEGREES.get(text.casefold())
    if degree is None:
        check.fail("min_degree", Reason.INVALID_DEGREE, text[:20])
        return None
    return Degree(degree).value


def _salary(check: _Check, field: str) -> int | None:
    """Whole yuan a month: 5000, 5000.0 (a number cell) or 5,000; nothing negative, fractional or absurd."""
    text = check.code(field)
    if text is None or text.casefold() in NO_LIMIT or text == "面议":
        return None
    digits = text.replace(",", "")
    if not _NUMBER.fullmatch(digits) or int(digits.partition(".")[0]) > MAX_SALARY:
        check.fail(field, Reason.INVALID_NUMBER, text[:20])
        return None
    return int(digits.partition(".")[0])


def _closing(check: _Check, today: date) -> date | None:
    text = check.code("open_until")
    if text is None:
        return None
    day = parse_date(text)
    if day is None:
        check.fail("open_until", Reason.INVALID_DATE, text[:30])
    elif day < today:
        check.fail("open_until", Reason.DATE_PASSED, day.isoformat())
    elif day > today + timedelta(days=MAX_OPEN_DAYS):
        check.fail("open_until", Reason.DATE_TOO_FAR, day.isoformat())
    else:
        return day
    return None


def validate_posting(values: Mapping[str, object], *, today: date, region_prefix: str,
                     known_areas: Container[str] | None = None) -> tuple[NewPosting | None, list[FieldError]]:
    """A posting typed in or imported, as NewPosting; or None and every problem found. `today` is the Beijing
    day of the app clock; the area must lie in `region_prefix` (and among `known_areas` when given)."""
    check = _Check(values)
    _check_cells(check)
    area = _area(check, region_prefix, known_areas)
    salary_min, salary_max = _salary(check, "salary_min"), _salary(check, "salary_max")
    if salary_min is not None and salary_max is not None and salary_min > salary_max:
        check.fail("salary_min", Reason.SALARY_RANGE, f"{salary_min} > {salary_max}")
    parsed = {"major_prefixes": _majors(check), "min_degree": _degree(check), "open_until": _closing(check, today)}
    if check.errors:
        return None, check.errors
    return NewPosting(employer=check.raw["employer"], title=check.raw["title"], area_code=area,
                      industry=check.text("industry"), salary_min=salary_min, salary_max=salary_max,
                      **parsed), []


def screen_postings(rows: Iterable[tuple[int, Mapping[str, object]]], *, today: date, region_prefix: str,
                    known_areas: Container[str] | None = None
                    ) -> Iterator[tuple[int, NewPosting | None, list[FieldError]]]:
    """validate_posting over a file's rows; a later row with the same employer, title, place and closing date
    as an earlier one is refused naming the first."""
    first_row: dict[tuple, int] = {}
    for number, row in rows:
        posting, errors = validate_posting(row, today=today, region_prefix=region_prefix, known_areas=known_areas)
        if row.get(EXTRA):
            errors = [*errors, FieldError(None, Reason.EXTRA_CELLS, str(row[EXTRA])[:50])]
            posting = None
        if posting is not None:
            first = first_row.setdefault(posting.key(), number)
            if first != number:
                errors, posting = [FieldError(None, Reason.DUPLICATE_IN_FILE, f"row {first}")], None
        yield number, posting, errors

