"""Pure account rules: role names in English and Chinese, staff rows checked cell by cell, temporary passwords,
the role → permission table, the lane → role table, and reading the package-requirement decision table."""

from pathlib import Path

from caseflow.domain.actor import LANES, Actor, lane_role
from caseflow.domain.decision_table import profiles_named, read_decision
from caseflow.domain.enums import Role
from caseflow.domain.permissions import GRANTS, Permission, permissions_of, roles_with
from caseflow.domain.signin import password_problem
from caseflow.domain.staff import Reason, parse_roles, screen_staff, temporary_password

ROOT = Path(__file__).resolve().parents[2]
REGIONS = {"42": "province", "4201": "city", "420102": "county", "22": "province", "220102": "county"}


def _screen(*rows: dict, taken=frozenset()):
    numbered = [(n + 2, {"username": "", "display_name": "x", "roles": "caseworker", "region_code": "420102",
                         **row}) for n, row in enumerate(rows)]
    return list(screen_staff(numbered, regions=REGIONS, region_prefix="42", taken=set(taken)))


def test_roles_are_read_in_english_and_chinese_with_any_separator():
    assert parse_roles("supervisor, mentor") == ({Role.SUPERVISOR, Role.MENTOR}, [])
    assert parse_roles("主管、创业就业指导师") == ({Role.SUPERVISOR, Role.MENTOR}, [])
    assert parse_roles("Process designer；Administrator") == ({Role.DESIGNER, Role.ADMIN}, [])
    assert parse_roles("就业服务专员 boss") == ({Role.CASEWORKER}, ["boss"])
    assert parse_roles("system") == (frozenset(), ["system"])  # nobody is given the system's role


def test_each_bad_cell_is_refused_with_its_reason_and_echoed_masked():
    results = _screen({"username": "ok_user"}, {"username": "@SUM(A1)"}, {"username": "tab\there"},
                      {"username": "x"}, {"username": "ok_user2", "roles": "king"},
                      {"username": "ok_user3", "region_code": "220102"}, {"username": "ok_user4", "region_code": "1"},
                      {"username": "ok_user5", "password": "ok_user5"}, {"username": "OK_USER"},
                      {"username": "taken1"}, {"username": "ok_user6", "display_name": "李 220102199001011234"},
                      {"username": ""})
    reasons = {number: {(e.field, e.reason) for e in errors} for number, _, errors in results}
    assert reasons[2] == set()
    assert reasons[3] == {("username", Reason.FORMULA)} and reasons[4] == {("username", Reason.CONTROL)}
    assert reasons[5] == {("username", Reason.BAD_USERNAME)} and reasons[6] == {("roles", Reason.UNKNOWN_ROLE)}
    assert reasons[7] == {("region_code", Reason.OUTSIDE_REGION)}
    assert reasons[8] == {("region_code", Reason.UNKNOWN_REGION)}
    assert reasons[9] == {("password", Reason.WEAK_PASSWORD)}
    assert reasons[10] == {("username", Reason.DUPLICATE_IN_FILE)}  # user names differ only in case
    assert reasons[11] == set()
    assert reasons[13] == {("username", Reason.REQUIRED)}
    weak = next(errors for number, _, errors in results if number == 9)
    assert weak[0].shown_value == ""  # a password is never echoed
    accepted = next(account for number, account, _ in results if number == 12)
    assert accepted.display_name == "李 220102199001011234"  # kept as typed; only reports mask


def test_a_taken_name_is_refused_whatever_its_case():
    [(_, account, errors)] = _screen({"username": "Jiangan_CW1"}, taken={"jiangan_cw1"})
    assert account is None and errors[0].reason == Reason.TAKEN


def test_temporary_passwords_pass_the_policy_and_differ():
    made = {temporary_password() for _ in range(50)}
    assert len(made) == 50
    assert all(password_problem(p, username="someone", current="") is None for p in made)


def test_administrators_may_do_everything_and_each_permission_has_a_role():
    assert GRANTS[Role.ADMIN] == frozenset(Permission)
    assert all(roles_with(permission) for permission in Permission)
    assert Permission.REVEAL_CASE_DATA not in permissions_of({Role.MENTOR, Role.ANALYST, Role.DESIGNER})
    lead = Actor("lead", frozenset({Role.SUPERVISOR, Role.MENTOR}), "420102")
    assert lead.may(Permission.REASSIGN_WORK) and lead.may(Permission.RECORD_ON_CASE)
    assert not lead.may(Permission.MANAGE_ACCOUNTS)


def test_lanes_name_roles_in_any_case():
    assert lane_role(" Caseworker ") == Role.CASEWORKER and lane_role("Supervisor") == Role.SUPERVISOR
    assert lane_role("Clerk") is None and lane_role(None) is None
    assert set(LANES.values()) == set(Role)


def test_the_package_requirement_table_gives_each_profile_its_rule():
    xml = (ROOT / "workflows" / "dmn" / "package_requirements.dmn").read_text(encoding="utf-8")
    table = read_decision(xml, "package_requirements")
    assert profiles_named(table) == ["jilin_1311", "hubei"]
    hubei = table.first_match({"profile": "hubei"})
    assert hubei.id == "package_requirements_r2" and hubei.outputs["required_training_or_internship"] == "1"
    assert table.first_match({"profile": "jilin_1311"}).outputs["required_internship"] == "1"
    assert table.first_match({"profile": "guangdong"}).id == "package_requirements_r3"  # the '-' rule
    assert read_decision(xml, "no_such_decision") is None
