"""APScheduler wiring only: an interval job that runs the timer sweep, one that runs queued ledger uploads
(services.ledger_upload) and one that runs queued cohort simulations (services.simulation) — in `flask caseflow
scheduler` in production, in the dev server's process for run.py."""

import logging
import os

from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask

from caseflow.domain.clock import system_now
from caseflow.services import ledger_upload, setup, simulation, timers

log = logging.getLogger(__name__)


def _sweep_job(app: Flask) -> None:
    with app.app_context():
        if not setup.is_migrated():
            log.warning("timer sweep waits: the database is not migrated yet (flask caseflow init-db)")
            return
        try:
            result = timers.sweep()
            if result.claimed:
                log.info("timer sweep: %s", result)
        except Exception:  # the next tick retries; one bad sweep must not kill the scheduler
            log.exception("timer sweep failed")


def _queue_job(app: Flask, run_pending, what: str) -> None:
    """Run what a queue holds (ledger uploads, simulations) once the database is migrated."""
    with app.app_context():
        if not setup.is_migrated():
            return
        try:
            run_pending()
        except Exception:  # a failure is recorded on the job or run itself; this keeps the scheduler alive regardless
            log.exception("%s failed", what)


def add_ledger_jobs(app: Flask, scheduler: BackgroundScheduler) -> None:
    """Poll the ledger upload jobs and the simulation runs every CASEFLOW_LEDGER_JOB_SECONDS (one at a time each
    in this process; a simulation has its own job so that a long one does not hold up uploads)."""
    scheduler.add_job(_queue_job, "interval", args=[app, ledger_upload.run_pending, "ledger upload jobs"],
                      id="ledger-uploads",
                      seconds=app.config["CASEFLOW_LEDGER_JOB_SECONDS"], next_run_time=system_now())
    scheduler.add_job(_queue_job, "interval", args=[app, simulation.run_pending, "simulation runs"], id="simulations",
                      seconds=app.config["CASEFLOW_LEDGER_JOB_SECONDS"], next_run_time=system_now())


def start_ledger_jobs(app: Flask) -> BackgroundScheduler:
    """Only the ledger upload jobs, in a background thread (`flask caseflow scheduler` sweeps timers itself)."""
    scheduler = BackgroundScheduler(timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1})
    add_ledger_jobs(app, scheduler)
    scheduler.start()
    return scheduler


def start(app: Flask) -> BackgroundScheduler | None:
    """Start the sweep in this process, once: never in the watcher process of Flask's reloader."""
    if app.debug and os.environ.get("WERKZEUG_RUN_MAIN") != "true":
        return None
    if "caseflow.scheduler" in app.extensions:
        return app.extensions["caseflow.scheduler"]
    scheduler = BackgroundScheduler(timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1})
    scheduler.add_job(_sweep_job, "interval", args=[app], id="timer-sweep",
                      seconds=app.config["CASEFLOW_SWEEP_SECONDS"], next_run_time=system_now())
    add_ledger_jobs(app, scheduler)
    scheduler.start()
    app.extensions["caseflow.scheduler"] = scheduler
    log.info("timer sweep scheduled every %ss", app.config["CASEFLOW_SWEEP_SECONDS"])
    return scheduler
