"""`flask caseflow …` commands: set up the database, deploy, run due timers, move the simulated clock."""

import time

import click
from flask import Flask
from flask.cli import AppGroup

from caseflow import cli_handover
from caseflow.domain.actor import SYSTEM
from caseflow.domain.clock import parse_delta
from caseflow.errors import InvalidSpec
from caseflow.services import clock, deployment, setup, timers

group = AppGroup("caseflow", help="Caseflow administration.")
cli_handover.register(group)


@group.command("init-db")
def init_db() -> None:
    """Apply migrations and deploy the workflows directory."""
    for version, created in setup.prepare_database():
        click.echo(f"{'deployed' if created else 'unchanged'} {version.process_id} {version.sha256[:12]}")


@group.command("deploy")
def deploy() -> None:
    """Validate and deploy every process in the workflows directory."""
    try:
        results = deployment.deploy_directory(actor=SYSTEM)
    except InvalidSpec as exc:
        raise click.ClickException(str(exc)) from exc
    for version, created in results:
        click.echo(f"{'deployed' if created else 'unchanged'} {version.process_id} {version.sha256[:12]}")


@group.command("sweep")
def sweep() -> None:
    """Wake every instance whose timer is due now, once."""
    click.echo(str(timers.sweep()))


@group.command("scheduler")
@click.option("--interval", type=int, default=None, help="Seconds between sweeps.")
def scheduler(interval: int | None) -> None:
    """Run the timer sweep in the foreground (the one scheduler process beside gunicorn workers)."""
    from flask import current_app

    every = interval or current_app.config["CASEFLOW_SWEEP_SECONDS"]
    click.echo(f"sweeping due timers every {every}s; Ctrl-C to stop")
    while True:
        result = timers.sweep()
        if result.claimed:
            click.echo(str(result))
        time.sleep(every)


clock_group = AppGroup("clock", help="The simulated clock (CASEFLOW_SIMULATED_CLOCK=1).")
group.add_command(clock_group)


@clock_group.command("show")
def clock_show() -> None:
    clock.refresh_simulated_clock()
    click.echo(f"{clock.now().isoformat()} (offset {clock.get_clock().offset})")


@clock_group.command("advance")
@click.argument("duration")
def clock_advance(duration: str) -> None:
    """Move simulated time forward, e.g. `30d`, `12h`, `2w`."""
    try:
        delta = parse_delta(duration)
        clock.refresh_simulated_clock()
        click.echo(f"now {clock.advance_clock(delta).isoformat()}")
    except (ValueError, RuntimeError) as exc:
        raise click.ClickException(str(exc)) from exc


def register(app: Flask) -> None:
    app.cli.add_command(group)
