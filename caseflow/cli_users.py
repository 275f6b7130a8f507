"""`flask caseflow users …`: accounts from the command line (the first administrator of a new installation)."""

import click
from flask.cli import AppGroup

from caseflow.domain.actor import SYSTEM
from caseflow.domain.enums import Role
from caseflow.errors import CaseflowError
from caseflow.services import accounts

users = AppGroup("users", help="Accounts: add staff, e.g. the first administrator.")


@users.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice([role.value for role in Role if role != Role.SYSTEM]), required=True)
@click.option("--region", "region_code", required=True, help="Area code the user acts in, e.g. 42 or 420102.")
@click.option("--name", "display_name", default=None, help="Display name, e.g. 王丽（江岸区就业服务专员）.")
@click.password_option(help="Prompted (twice) when not given; at least 10 characters.")
def add(username: str, role: str, region_code: str, display_name: str | None, password: str) -> None:
    """Create an account."""
    try:
        user = accounts.add_user(username, password=password, role=Role(role), region_code=region_code,
                                 display_name=display_name, actor=SYSTEM)
    except CaseflowError as exc:
        raise click.ClickException(exc.text()) from exc
    click.echo(f"added {user.username} ({user.role}, {user.region_code})")


def register(group: click.Group) -> None:
    group.add_command(users)
