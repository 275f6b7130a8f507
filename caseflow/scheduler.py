"""APScheduler wiring only: one interval job that runs the timer sweep."""

import logging
import os

from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask

from caseflow.domain.clock import system_now
from caseflow.services import setup, timers

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


def start(app: Flask) -> BackgroundScheduler | None:
    """Start the sweep in this process, once: never in the watcher process of Flask's reloader."""
    if app.debug and os.environ.get("WERKZEUG_RUN_MAIN") != "true":
        return None
    if "caseflow.scheduler" in app.extensions:
        return app.extensions["caseflow.scheduler"]
    scheduler = BackgroundScheduler(timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1})
    scheduler.add_job(_sweep_job, "interval", args=[app], id="timer-sweep",
                      seconds=app.config["CASEFLOW_SWEEP_SECONDS"], next_run_time=system_now())
    scheduler.start()
    app.extensions["caseflow.scheduler"] = scheduler
    log.info("timer sweep scheduled every %ss", app.config["CASEFLOW_SWEEP_SECONDS"])
    return scheduler
