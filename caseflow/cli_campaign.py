"""`flask caseflow campaign open|show`: open a cohort's yearly campaign in a province and read its calendar;
caseflow/cli.py adds the group with `cli_campaign.register(group)`."""

import click
from flask.cli import AppGroup

from caseflow.domain.actor import SYSTEM
from caseflow.errors import CaseflowError
from caseflow.services import campaign as campaigns

campaign_group = AppGroup("campaign", help="The yearly campaign of a graduating cohort.")


def _province(value: str) -> str:
    if not (len(value) == 2 and value.isdigit()):
        raise click.BadParameter("a province is two digits, e.g. 22", param_hint="--province")
    return value


@campaign_group.command("open")
@click.option("--province", required=True, help="The province's area code (2 digits, e.g. 22).")
@click.option("--cohort", type=int, required=True, help="Graduation year of the cohort, e.g. 2026.")
def open_command(province: str, cohort: int) -> None:
    """Open the cohort's campaign in the province: its, its cities' and its counties' processes start."""
    try:
        opened = campaigns.open_campaign(_province(province), cohort, actor=SYSTEM)
    except CaseflowError as exc:
        raise click.ClickException(exc.text()) from exc
    click.echo(f"campaign {opened.id}: cohort {opened.cohort} opened in province {opened.province}")
    _echo_calendar(opened.calendar)


@campaign_group.command("calendar")
@click.option("--province", required=True, help="The province's area code (2 digits, e.g. 22).")
@click.option("--cohort", type=int, required=True, help="Graduation year of the cohort, e.g. 2026.")
def calendar_command(province: str, cohort: int) -> None:
    """Show the dates the campaign would run on, as the campaign_calendar decision table gives them."""
    try:
        _echo_calendar(campaigns.stored_calendar(campaigns.calendar_for(_province(province), cohort)))
    except CaseflowError as exc:
        raise click.ClickException(exc.text()) from exc


def _echo_calendar(calendar: dict) -> None:
    for name in ("notices", "handover", "receipt", "year_end"):
        click.echo(f"  {name:<9} {calendar[name]}")
    for level, reports in calendar["reports"].items():
        click.echo(f"  {level} reports: " + ", ".join(f"{r['month']} (due {r['due'][:10]})" for r in reports))


def register(group: AppGroup) -> None:
    group.add_command(campaign_group)
