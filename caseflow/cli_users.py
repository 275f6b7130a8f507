"""`flask caseflow users …`, `flask caseflow provinces …` and `flask caseflow tokens …`: accounts, province profiles
and integrations' API tokens from the command line (a new installation's first administrator, a city's staff, the
province's service-package profile, a token for the social-insurance bureau)."""

import os
from pathlib import Path

import click
from flask.cli import AppGroup

from caseflow.domain.actor import SYSTEM
from caseflow.domain.enums import Role
from caseflow.domain.staff import ASSIGNABLE, REASON_TEXT, parse_roles
from caseflow.domain.staff_files import MAX_BYTES
from caseflow.errors import CaseflowError
from caseflow.services import accounts, api_tokens, provinces, staff, staff_import
from caseflow.services.region_names import region_name

users = AppGroup("users", help="Accounts: add staff (the first administrator too), import a staff file, list, "
                               "disable, enable, set roles, reset a password.")
province_group = AppGroup("provinces", help="Provinces: their service-package profile and the rule it selects.")
ROLE_HELP = f"One or more of {', '.join(ASSIGNABLE)} (or their Chinese names), separated by commas."


def _roles(text: str):
    roles, unknown = parse_roles(text)
    if unknown or not roles:
        raise click.BadParameter(f"unknown role {', '.join(unknown) or text!r}; {ROLE_HELP}", param_hint="--role")
    return roles


def _fail(exc: CaseflowError) -> click.ClickException:
    return click.ClickException(exc.text())


@users.command("add")
@click.argument("username")
@click.option("--role", "role_text", required=True, help=ROLE_HELP)
@click.option("--region", "region_code", required=True, help="Area code the user acts in, e.g. 42 or 420102.")
@click.option("--name", "display_name", default=None, help="Display name, e.g. 王丽（江岸区就业服务专员）.")
@click.option("--temporary", is_flag=True, help="The user must choose a new password at the first sign-in.")
@click.password_option(help="Prompted (twice) when not given; at least 10 characters.")
def add(username: str, role_text: str, region_code: str, display_name: str | None, temporary: bool,
        password: str) -> None:
    """Create an account (the first administrator: --role admin --region <province>)."""
    try:
        user = accounts.add_user(username, password=password, roles=_roles(role_text), region_code=region_code,
                                 display_name=display_name, actor=SYSTEM, must_change_password=temporary)
    except CaseflowError as exc:
        raise _fail(exc) from exc
    click.echo(f"added {user.username} ({', '.join(sorted(user.roles))}, {user.region_code} "
               f"{region_name(user.region_code)})")


def _write_passwords(path: Path, temporary: list[tuple[str, str]]) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write("username,temporary_password\n")
        handle.writelines(f"{username},{password}\n" for username, password in temporary)


@users.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--commit", "commit_file", is_flag=True, help="Add the accounts (else check only).")
@click.option("--passwords-out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the made-up temporary passwords to this file (mode 600) instead of the screen.")
@click.option("--show", type=int, default=50, show_default=True, help="How many refusals to list.")
def import_users(file: Path, commit_file: bool, passwords_out: Path | None, show: int) -> None:
    """Check a staff file (CSV or XLSX: 用户名, 姓名, 角色, 地区代码, 初始密码); --commit adds every account or none."""
    try:
        with file.open("rb") as handle:  # bounded: a file past the limit is refused, not read whole
            data = handle.read(MAX_BYTES + 1)
        report = staff_import.import_staff(data, file_name=file.name, actor=SYSTEM, check_only=not commit_file)
    except CaseflowError as exc:
        raise _fail(exc) from exc
    click.echo(f"{report.total} rows: {report.accepted} accepted, {report.refused_rows} refused")
    for number, error in report.refused[:show]:
        click.echo(f"  row {number:>5}  {error.field or '-'}  {error.reason} ({REASON_TEXT[error.reason]})"
                   f"  {error.shown_value}")
    if report.refused_rows and commit_file:
        raise click.ClickException("nothing was imported: correct the refused rows and import the whole file again")
    if not commit_file:
        click.echo("checked only: add --commit to import")
        return
    click.echo(f"imported {report.imported} accounts; each must choose a new password at the first sign-in")
    if report.temporary and passwords_out:
        _write_passwords(passwords_out, report.temporary)
        click.echo(f"{len(report.temporary)} temporary passwords written to {passwords_out}")
    elif report.temporary:
        click.echo("temporary passwords (shown once):")
        for username, password in report.temporary:
            click.echo(f"  {username:<24} {password}")


@users.command("list")
@click.option("--role", "role", type=click.Choice([role.value for role in ASSIGNABLE]), default=None)
@click.option("--region", default=None, help="Only accounts inside this area code.")
@click.option("--search", default=None, help="Part of the user name or display name.")
def list_users(role: str | None, region: str | None, search: str | None) -> None:
    """List accounts: user name, roles, region, state."""
    page_number, shown = 1, 0
    while True:
        page = staff.list_users(SYSTEM, staff.UserQuery(text=search, role=Role(role) if role else None,
                                                        region=region, page=page_number))
        for row in page.rows:
            user = row.user
            state = "disabled" if not user.active else ("must-change-password" if user.must_change_password
                                                        else "active")
            click.echo(f"{user.username:<24} {','.join(row.roles):<28} {user.region_code:<9} "
                       f"{region_name(user.region_code):<10} {state:<20} {user.display_name}")
        shown += len(page.rows)
        if page.page >= page.pages:
            break
        page_number += 1
    click.echo(f"{shown} account(s)")


def _set_active(username: str, active: bool) -> None:
    try:
        user = staff.set_active(username, active, actor=SYSTEM)
        cases, tasks = staff.open_work(user)
    except CaseflowError as exc:
        raise _fail(exc) from exc
    click.echo(f"{user.username} {'enabled' if active else 'disabled; its sessions have ended'}")
    if not active and (cases or tasks):
        click.echo(f"  it still holds {cases} open cases and {tasks} open tasks: reassign them in the supervisor "
                   "console")


@users.command("disable")
@click.argument("username")
def disable(username: str) -> None:
    """Stop an account from signing in; its sessions end at once."""
    _set_active(username, False)


@users.command("enable")
@click.argument("username")
def enable(username: str) -> None:
    """Let a disabled account sign in again."""
    _set_active(username, True)


@users.command("set-role")
@click.argument("username")
@click.argument("roles", nargs=-1, required=True)
@click.option("--region", "region_code", default=None, help="Move the account to this area code as well.")
def set_role(username: str, roles: tuple[str, ...], region_code: str | None) -> None:
    """Give an account these roles (all it will hold), e.g. `set-role wang supervisor mentor`."""
    try:
        user = staff.update_user(username, roles=_roles(",".join(roles)), region_code=region_code, actor=SYSTEM)
    except CaseflowError as exc:
        raise _fail(exc) from exc
    click.echo(f"{user.username}: {', '.join(sorted(user.roles))} in {user.region_code} "
               f"{region_name(user.region_code)}")


@users.command("reset-password")
@click.argument("username")
@click.option("--password", default=None, help="The new password (else one is made up and shown once).")
def reset_password(username: str, password: str | None) -> None:
    """Give an account a new password it must change at the next sign-in; its sessions end."""
    try:
        given = staff.reset_password(username, actor=SYSTEM, new=password)
    except CaseflowError as exc:
        raise _fail(exc) from exc
    click.echo(f"{username}: the password was reset; it must be changed at the next sign-in")
    if password is None:
        click.echo(f"temporary password (shown once): {given}")


@province_group.command("list")
def list_provinces() -> None:
    """Every province, its profile and the decision-table rule (with its requirement) that applies."""
    requirements = provinces.load_requirements()
    click.echo(f"decision table: {requirements.source}")
    for row in provinces.list_profiles(SYSTEM, requirements):
        needed = ", ".join(f"{component} {count}" for component, count in row.requirement.items())
        rule = f"{row.rule.id} ({row.rule.description})" if row.rule else "no rule matches"
        click.echo(f"{row.region.code:<4} {row.region.name:<8} {row.profile}{' (default)' if row.is_default else ''}"
                   f"  →  {rule}: {needed}")


@province_group.command("set-profile")
@click.argument("code")
@click.argument("profile", required=False, default="")
def set_profile(code: str, profile: str) -> None:
    """Give a province the profile its new cases get, e.g. `set-profile 42 hubei` ('' for the default)."""
    try:
        region = provinces.set_profile(code, profile, actor=SYSTEM)
    except CaseflowError as exc:
        raise _fail(exc) from exc
    click.echo(f"{region.code} {region.name}: profile {region.profile or '(default)'}")




tokens = AppGroup("tokens", help="API tokens for integrations (/api/v1): add, list, revoke.")
TOKEN_ROLE_HELP = "One of " + ", ".join(api_tokens.TOKEN_ROLES) + " (system: delivers messages only)."


@tokens.command("add")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice([role.value for role in api_tokens.TOKEN_ROLES]),
              help=TOKEN_ROLE_HELP)
@click.option("--region", "region_code", required=True, help="Area code the integration acts in, e.g. 42 or 420102.")
def add_token(name: str, role: str, region_code: str) -> None:
    """Create a token for an integration; its secret is printed once and never stored."""
    try:
        token, secret = api_tokens.add_token(name, role=role, region_code=region_code, actor=SYSTEM)
    except CaseflowError as exc:
        raise _fail(exc) from exc
    click.echo(f"added token {token.name} ({token.role}, {token.region_code} {region_name(token.region_code)})")
    click.echo(f"secret (shown only now; send it as 'Authorization: Bearer <secret>'):\n{secret}")


@tokens.command("list")
def list_tokens() -> None:
    """List tokens: name, role, region, the secret's first characters, created, revoked."""
    page_number, shown = 1, 0
    while True:
        page = api_tokens.list_tokens(SYSTEM, page=page_number)
        for token in page.rows:
            state = f"revoked {token.revoked_at:%Y-%m-%d %H:%M} by {token.revoked_by}" if token.revoked_at \
                else "active"
            click.echo(f"{token.name:<28} {token.role:<11} {token.region_code:<9} {token.prefix}…  "
                       f"created {token.created_at:%Y-%m-%d %H:%M} by {token.created_by}  {state}")
        shown += len(page.rows)
        if page.page >= page.pages:
            break
        page_number += 1
    click.echo(f"{shown} token(s)")


@tokens.command("revoke")
@click.argument("name")
def revoke_token(name: str) -> None:
    """Revoke a token: it stops working at once and stays listed."""
    try:
        token = api_tokens.revoke_token(name, actor=SYSTEM)
    except CaseflowError as exc:
        raise _fail(exc) from exc
    click.echo(f"revoked token {token.name}")


def register(group: click.Group) -> None:
    group.add_command(users)
    group.add_command(province_group)
    group.add_command(tokens)
