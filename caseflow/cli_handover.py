"""`flask caseflow import-ledger` and `flask caseflow load-regions`; caseflow/cli.py adds them to its group
with `cli_handover.register(group)`."""

from pathlib import Path

import click
from flask.cli import with_appcontext

from caseflow.domain.actor import SYSTEM
from caseflow.domain.ledger import REASON_LABELS, field_label
from caseflow.errors import CaseflowError
from caseflow.services import handover, regions


@click.command("import-ledger")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--cohort", type=int, required=True, help="Graduation year of the cohort, e.g. 2026.")
@click.option("--commit", "commit_batch", is_flag=True, help="Open the cases (else preview only).")
@click.option("--show", type=int, default=20, show_default=True, help="How many rejected rows to list.")
@click.option("--province", default=None, help="The importing province (2 digits, e.g. 22): graduates from outside "
              "the installation's provinces wait in its pool. Default: the lowest province served.")
@with_appcontext
def import_ledger(file: Path, cohort: int, commit_batch: bool, show: int, province: str | None) -> None:
    """Preview a real-name ledger (CSV or XLSX): counts and the first rejected rows; --commit imports it."""
    if province is not None and not (len(province) == 2 and province.isdigit()):
        raise click.BadParameter("a province is two digits, e.g. 22", param_hint="--province")
    try:
        batch = handover.preview_ledger(file, cohort=cohort, actor=SYSTEM)
        click.echo(f"batch {batch.id} ({batch.summary.get('format')}): {batch.total_rows} rows, "
                   f"{batch.accepted_rows} accepted, {batch.rejected_rows} rejected")
        for rejection in handover.list_rejections(batch.id, limit=show):
            click.echo(f"  row {rejection.row_number:>6}  {field_label(rejection.field) or '-'}  {rejection.reason}"
                       f" ({REASON_LABELS.get(rejection.reason, '')})  {rejection.detail or ''}")
        if commit_batch:
            batch = handover.commit_ledger(batch.id, actor=SYSTEM, province=province)
            click.echo(f"committed batch {batch.id}: {batch.accepted_rows} cases opened, "
                       f"{batch.rejected_rows} rows rejected")
    except CaseflowError as exc:
        raise click.ClickException(exc.text()) from exc


@click.command("load-regions")
@with_appcontext
def load_regions() -> None:
    """Insert or update the reference regions (provinces, cities, counties, streets)."""
    click.echo(f"{regions.load_reference_regions()} regions inserted or updated")


def register(group: click.Group) -> None:
    """Add the handover commands to the `flask caseflow` group."""
    group.add_command(import_ledger)
    group.add_command(load_regions)
