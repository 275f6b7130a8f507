"""Staff accounts as rules: user names, role names in English and Chinese, and the checks on each row of a staff
file (a whole city's staff imported at once). Pure: the caller passes what the database knows."""

import re
import secrets
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum

from caseflow.domain.enums import Role
from caseflow.domain.masking import shown
from caseflow.domain.signin import password_problem
from caseflow.errors import N_

USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{2,49}")
ASSIGNABLE = tuple(role for role in Role if role != Role.SYSTEM)
ROLE_LABELS = {Role.CASEWORKER: N_("Caseworker"), Role.MENTOR: N_("Mentor"), Role.SUPERVISOR: N_("Supervisor"),
               Role.ANALYST: N_("Analyst"), Role.DESIGNER: N_("Process designer"), Role.ADMIN: N_("Administrator"),
               Role.SYSTEM: N_("System")}
# Role names a staff file may use besides the role's own value and English label.
CHINESE_ROLES = {"就业服务专员": Role.CASEWORKER, "专员": Role.CASEWORKER, "创业就业指导师": Role.MENTOR,
                 "指导师": Role.MENTOR, "主管": Role.SUPERVISOR, "主任": Role.SUPERVISOR, "统计分析员": Role.ANALYST,
                 "分析员": Role.ANALYST, "流程设计员": Role.DESIGNER, "系统管理员": Role.ADMIN, "管理员": Role.ADMIN}
_ROLE_NAMES = {**{role.value: role for role in ASSIGNABLE}, "administrator": Role.ADMIN, **CHINESE_ROLES}
_ROLE_SEPARATORS = re.compile(r"[,，、;；/|+\s]+")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]")
MAX_NAME = 100
DEMO_PASSWORD = "caseflow-demo"  # the demo installation's password: never accepted as a real one
TEMPORARY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read out over the phone


class Reason(StrEnum):
    """Why a row of a staff file is refused."""

    REQUIRED = "required"
    FORMULA = "formula"
    CONTROL = "control"
    TOO_LONG = "too_long"
    BAD_USERNAME = "bad_username"
    DUPLICATE_IN_FILE = "duplicate_in_file"
    TAKEN = "taken"
    UNKNOWN_ROLE = "unknown_role"
    UNKNOWN_REGION = "unknown_region"
    OUTSIDE_REGION = "outside_region"
    WEAK_PASSWORD = "weak_password"
    EXTRA_CELLS = "extra_cells"


REASON_TEXT = {
    Reason.REQUIRED: N_("missing"),
    Reason.FORMULA: N_("a formula or text that a spreadsheet would run as one"),
    Reason.CONTROL: N_("control characters or line breaks"),
    Reason.TOO_LONG: N_("too long"),
    Reason.BAD_USERNAME: N_("a user name has 3 to 50 letters, digits, dots, dashes or underscores"),
    Reason.DUPLICATE_IN_FILE: N_("the same user name appears earlier in the file"),
    Reason.TAKEN: N_("this user name is taken"),
    Reason.UNKNOWN_ROLE: N_("not a role"),
    Reason.UNKNOWN_REGION: N_("not a known area code (load the regions first)"),
    Reason.OUTSIDE_REGION: N_("outside your region"),
    Reason.WEAK_PASSWORD: N_("the initial password breaks the password policy (at least 10 characters, not the "
                             "user name)"),
    Reason.EXTRA_CELLS: N_("text in a column without a header"),
}


@dataclass(frozen=True)
class Column:
    field: str
    header: str
    required: bool
    aliases: tuple[str, ...] = ()


COLUMNS = (
    Column("username", "用户名", True, ("登录名", "账号", "user name", "login")),
    Column("display_name", "姓名", True, ("名称", "display name", "name")),
    Column("roles", "角色", True, ("role",)),
    Column("region_code", "地区代码", True, ("区划代码", "region", "area code", "region code")),
    Column("password", "初始密码", False, ("密码", "initial password")),
)
EXTRA = "_extra"


@dataclass(frozen=True)
class FieldError:
    field: str | None
    reason: Reason
    shown_value: str = ""  # the cell as the report may echo it: numbers masked, never a password


@dataclass(frozen=True)
class StaffRow:
    username: str
    display_name: str
    roles: frozenset[Role]
    region_code: str
    password: str | None  # None: a temporary password is generated


def parse_roles(text: str) -> tuple[frozenset[Role], list[str]]:
    """The roles a cell or option names ('supervisor, mentor', '主管、创业就业指导师') and the names not understood."""
    roles, unknown = set(), []
    text = unicodedata.normalize("NFKC", text or "").lower().replace("process designer", "designer")
    for name in filter(None, _ROLE_SEPARATORS.split(text.strip())):
        role = _ROLE_NAMES.get(name)
        if role is None:
            unknown.append(name)
        else:
            roles.add(role)
    return frozenset(roles), unknown


def username_problem(username: str) -> str | None:
    """Why this user name is refused, or None."""
    return None if USERNAME.fullmatch(username or "") else REASON_TEXT[Reason.BAD_USERNAME]


def temporary_password() -> str:
    """A random password to hand out once (it must be changed at the first sign-in), e.g. 'k7mq-2xwp-9fhr'."""
    return "-".join("".join(secrets.choice(TEMPORARY_ALPHABET) for _ in range(4)) for _ in range(3))


def _cell_problem(value: str) -> Reason | None:
    if value.startswith(_FORMULA_START):
        return Reason.FORMULA
    if _CONTROL.search(value):
        return Reason.CONTROL
    return None


def _cell_errors(row: dict[str, str]) -> list[FieldError]:
    """Missing, formula-like, invisible or overlong cells (a password is never echoed)."""
    errors = []
    for column in COLUMNS:
        value = row.get(column.field, "")
        echo = "" if column.field == "password" else shown(value, 40)
        if column.required and not value:
            errors.append(FieldError(column.field, Reason.REQUIRED))
        elif value and (problem := _cell_problem(value)):
            errors.append(FieldError(column.field, problem, echo))
        elif len(value) > MAX_NAME:
            errors.append(FieldError(column.field, Reason.TOO_LONG, echo))
    if row.get(EXTRA):
        errors.append(FieldError(None, Reason.EXTRA_CELLS, shown(row[EXTRA], 40)))
    return errors


def _check_row(row: dict[str, str], *, regions: dict[str, str], region_prefix: str) -> list[FieldError]:
    errors = _cell_errors(row)
    if errors:
        return errors
    if username_problem(row["username"]):
        errors.append(FieldError("username", Reason.BAD_USERNAME, shown(row["username"], 40)))
    roles, unknown = parse_roles(row["roles"])
    if unknown or not roles:
        errors.append(FieldError("roles", Reason.UNKNOWN_ROLE, shown("、".join(unknown) or row["roles"], 40)))
    code = row["region_code"]
    if code not in regions:
        errors.append(FieldError("region_code", Reason.UNKNOWN_REGION, shown(code, 20)))
    elif not code.startswith(region_prefix):
        errors.append(FieldError("region_code", Reason.OUTSIDE_REGION, code))
    password = row.get("password") or ""
    if password and password_problem(password, username=row["username"], current="", forbidden=(DEMO_PASSWORD,)):
        errors.append(FieldError("password", Reason.WEAK_PASSWORD))
    return errors


def screen_staff(rows: Iterable[tuple[int, dict[str, str]]], *, regions: dict[str, str], region_prefix: str,
                 taken: set[str]) -> Iterator[tuple[int, StaffRow | None, list[FieldError]]]:
    """Check every row of a staff file: (row number, the account or None, its errors). `regions` maps every known
    area code to its level; `taken` holds the user names that exist already (lower case)."""
    seen: set[str] = set()
    for number, row in rows:
        errors = _check_row(row, regions=regions, region_prefix=region_prefix)
        key = row.get("username", "").lower()
        if key and key in seen:
            errors.append(FieldError("username", Reason.DUPLICATE_IN_FILE, shown(row["username"], 40)))
        elif key and key in taken:
            errors.append(FieldError("username", Reason.TAKEN, shown(row["username"], 40)))
        seen.add(key)
        if errors:
            yield number, None, errors
        else:
            yield number, StaffRow(row["username"], row["display_name"], parse_roles(row["roles"])[0],
                                   row["region_code"], row.get("password") or None), []
