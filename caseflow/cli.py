"""`flask caseflow …` commands: set up the database, deploy, run due timers, move the simulated clock."""

import time

import click
from flask import Flask
from flask.cli import AppGroup

from caseflow import cli_campaign, cli_handover, cli_users
from caseflow.domain.actor import SYSTEM
from caseflow.domain.clock import parse_delta
from caseflow.errors import CaseflowError, InvalidSpec
from caseflow.services import clock, deployment, health, incidents, setup, timers
from caseflow.services.workflow import committing

group = AppGroup("caseflow", help="Caseflow administration.")
cli_handover.register(group)
cli_users.register(group)
cli_campaign.register(group)


@group.command("init-db")
@click.option("--simulated-clock", is_flag=True, default=None,
              help="Run this installation on simulated time (training, demos); default: CASEFLOW_SIMULATED_CLOCK.")
def init_db(simulated_clock: bool | None) -> None:
    """Apply migrations and deploy the workflows directory."""
    from flask import current_app

    simulated = current_app.config["CASEFLOW_SIMULATED_CLOCK"] if simulated_clock is None else simulated_clock
    for version, created in setup.prepare_database(simulated_clock=simulated):
        click.echo(f"{'deployed' if created else 'unchanged'} {version.process_id} {version.sha256[:12]}")
    if clock.is_simulated():
        click.echo(f"simulated clock: {clock.now().isoformat()}")


@group.command("deploy")
def deploy() -> None:
    """Validate and deploy every process in the workflows directory."""
    try:
        results = deployment.deploy_directory(actor=SYSTEM)
    except InvalidSpec as exc:
        raise click.ClickException(str(exc)) from exc
    for version, created in results:
        click.echo(f"{'deployed' if created else 'unchanged'} {version.process_id} {version.sha256[:12]}")


@group.command("lint")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False))
@click.option("--warnings/--no-warnings", default=True, help="List warnings too (untranslated names).")
def lint_command(files: tuple[str, ...], warnings: bool) -> None:
    """Lint BPMN/DMN FILES (default: the workflows directory) against Caseflow's rules; exit 1 on any error."""
    from pathlib import Path

    from caseflow.services import lint

    directory = deployment.workflows_dir()
    paths = [Path(f) for f in files] or sorted(p for p in directory.glob("*/*") if p.suffix in (".bpmn", ".dmn"))
    report = lint.lint_paths(paths)
    for finding in report.findings:
        if finding.severity == lint.WARNING and not warnings:
            continue
        where = ":".join(filter(None, (finding.file, finding.element)))
        click.echo(f"{finding.severity}: {where}: {finding.text()}")
    click.echo(f"{len(report.errors)} errors, {len(report.findings) - len(report.errors)} warnings")
    if not report.ok:
        raise SystemExit(1)


@group.command("migrate")
@click.argument("process_id")
@click.option("--from", "from_id", type=int, required=True, help="The version id the instances run on now.")
@click.option("--to", "to_id", type=int, help="The version id to move them to (default: the latest).")
@click.option("--map", "maps", multiple=True, help="A renamed element: old_id=new_id (repeatable).")
@click.option("--dry-run", is_flag=True, help="Only list which instances can move and why others cannot.")
@click.option("--batch", "batch_size", type=click.IntRange(1, 10000), default=200, show_default=True)
def migrate_command(process_id: str, from_id: int, to_id: int | None, maps: tuple[str, ...], dry_run: bool,
                    batch_size: int) -> None:
    """Move the running instances of PROCESS_ID from one version to another (as the system)."""
    from caseflow.errors import CaseflowError
    from caseflow.services import instances, migration

    try:
        mapping = migration.parse_map("\n".join(maps))
        to_id = to_id or instances.latest_version_id(process_id)
        if dry_run:
            candidates = migration.dry_run(process_id, from_id, to_id, mapping, actor=SYSTEM)
            for candidate in candidates:
                reasons = "; ".join(refusal.text() for refusal in candidate.refusals)
                click.echo(f"instance {candidate.instance_id}: {'can move' if candidate.movable else reasons}")
            movable = sum(c.movable for c in candidates)
            click.echo(f"{movable} of {len(candidates)} running instances can move to version {to_id}")
            return
        outcome = migration.run(process_id, from_id, to_id, mapping, actor=SYSTEM, batch_size=batch_size,
                                progress=lambda o, total: click.echo(
                                    f"{o.moved + o.refused + o.failed}/{total}: moved {o.moved}, "
                                    f"refused {o.refused}, failed {o.failed}"))
    except CaseflowError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"moved {outcome.moved}, refused {outcome.refused}, failed {outcome.failed}")


@group.command("sweep")
def sweep() -> None:
    """Wake every instance whose timer is due now, once."""
    click.echo(str(timers.sweep()))


@group.command("scheduler")
@click.option("--interval", type=int, default=None, help="Seconds between sweeps.")
def scheduler(interval: int | None) -> None:
    """Run the timer sweep in the foreground and the ledger upload jobs beside it (the one scheduler process
    beside gunicorn workers)."""
    from flask import current_app

    from caseflow import scheduler as jobs

    every = interval or current_app.config["CASEFLOW_SWEEP_SECONDS"]
    jobs.start_ledger_jobs(current_app._get_current_object())
    click.echo(f"sweeping due timers every {every}s, ledger uploads every "
               f"{current_app.config['CASEFLOW_LEDGER_JOB_SECONDS']}s; Ctrl-C to stop")
    while True:
        result = timers.sweep()
        if result.claimed:
            click.echo(str(result))
        time.sleep(every)


@group.command("simulate")
@click.option("--process", "process_id", default="graduate_journey", show_default=True,
              help="The process whose draft is simulated (the journey or one it calls).")
@click.option("--designer", help="Whose draft of the process to compare with the current version (default: the "
                                 "current version against itself, a baseline).")
@click.option("--province", type=click.Choice(["22", "42"]), default="22", show_default=True)
@click.option("--graduates", type=click.IntRange(1, 5000), default=200, show_default=True)
@click.option("--months", type=click.IntRange(1, 24), default=12, show_default=True)
@click.option("--seed", type=int, default=2026, show_default=True)
@click.option("--caseworkers", type=click.IntRange(1, 20), default=2, show_default=True,
              help="Caseworkers per county.")
@click.option("--json", "as_json", is_flag=True, help="Print the whole result as JSON.")
def simulate(process_id: str, designer: str | None, as_json: bool, **options) -> None:
    """Run a synthetic cohort through the current journey and a designer's draft in scratch databases and print
    their indicators side by side (nothing is written to this installation's database)."""
    import json

    from sqlalchemy import select

    from caseflow.extensions import db
    from caseflow.models import ProcessDraft
    from caseflow.services import simulation

    _, current = simulation.journey_files()
    draft = current
    if designer:
        row = db.session.scalars(select(ProcessDraft).where(ProcessDraft.process_id == process_id,
                                                            ProcessDraft.designer == designer)).first()
        if row is None:
            raise click.ClickException(f"{designer} has no draft of {process_id}")
        try:
            draft = simulation.draft_journey(current, process_id, dict(row.files))
        except CaseflowError as exc:
            raise click.ClickException(exc.text()) from exc
    cohort = simulation.synthetic_cohort(options["province"], options["graduates"], options["seed"],
                                         options["caseworkers"])
    try:
        results = simulation.compare(cohort, current, draft, options["months"],
                                     progress=lambda f: click.echo(f"{f:6.0%}", err=True))
    except CaseflowError as exc:
        raise click.ClickException(exc.text()) from exc
    if as_json:
        click.echo(json.dumps(results, ensure_ascii=False, indent=1))
        return
    click.echo(f"{'indicator':<28}{'current':>12}{'draft':>12}")
    for key in simulation.SUMMARY_KEYS:
        before, after = results["current"]["summary"].get(key), results["draft"]["summary"].get(key)
        click.echo(f"{key:<28}{before!s:>12}{after!s:>12}")
    click.echo(f"seconds: {results['current']['seconds']} + {results['draft']['seconds']}")


@group.command("check")
@click.option("--deep", is_flag=True, help="Also restore every open instance and compare it with the inbox.")
def check(deep: bool) -> None:
    """List instances that break the runtime invariant (a ready task, a due timer or an awaited message)."""
    violations = health.check_instances() if deep else health.find_orphans()
    for violation in violations:
        click.echo(f"instance {violation.instance_id} (case {violation.case_id}): {violation.problem}"
                   f"{' - ' + violation.detail if violation.detail else ''}")
    click.echo(f"{len(violations)} problem(s)")
    if violations:
        raise SystemExit(1)


@group.command("incidents")
@click.option("--retry", "retry_id", type=int, help="Retry the halted instance of this incident.")
@click.option("--dismiss", "dismiss_id", type=int, help="Close this incident without retrying.")
def incidents_command(retry_id: int | None, dismiss_id: int | None) -> None:
    """List open incidents (failed workflow steps), or retry / dismiss one."""
    try:
        if retry_id is not None:
            click.echo("the step went through" if incidents.retry(retry_id, actor=SYSTEM) else "it failed again")
        elif dismiss_id is not None:
            incidents.dismiss(dismiss_id, actor=SYSTEM)
            click.echo(f"incident {dismiss_id} dismissed")
    except CaseflowError as exc:
        raise click.ClickException(exc.text()) from exc
    page = incidents.list_incidents(SYSTEM, page=1)
    for incident in page.rows:
        click.echo(f"#{incident.id} {incident.occurred_at:%Y-%m-%d %H:%M} {incident.kind} instance "
                   f"{incident.instance_id} case {incident.case_id} {incident.element or ''} ×{incident.attempts}: "
                   f"{incident.error[:160]}")
    click.echo(f"{page.total} open incident(s)")


clock_group = AppGroup("clock", help="The installation's clock (simulated installations can move it forward).")
group.add_command(clock_group)


@clock_group.command("show")
def clock_show() -> None:
    """The app's time, as every process of this installation sees it."""
    kind = "simulated" if clock.is_simulated() else "real"
    click.echo(f"{clock.now().isoformat()} ({kind}, offset {clock.get_clock().offset})")


@clock_group.command("advance")
@click.argument("duration")
def clock_advance(duration: str) -> None:
    """Move simulated time forward, e.g. `30d`, `12h`, `2w`; the next sweep fires what fell due."""
    try:
        delta = parse_delta(duration)
        with committing():
            moved = clock.advance_clock(delta)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    except CaseflowError as exc:
        raise click.ClickException(exc.text()) from exc
    click.echo(f"now {moved.isoformat()}")


def register(app: Flask) -> None:
    app.cli.add_command(group)
