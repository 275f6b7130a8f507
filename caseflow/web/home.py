"""The demo console: instances, ready tasks, task forms."""

import uuid

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from caseflow.domain.forms import validate
from caseflow.errors import Conflict
from caseflow.services import clock, deployment, instances
from caseflow.web import error_text
from caseflow.web.session import current_actor

bp = Blueprint("home", __name__)


@bp.get("/")
def index():
    actor = current_actor()
    return render_template("home/index.html", instances=instances.list_instances(actor),
                           tasks=instances.list_ready_tasks(actor), versions=deployment.list_versions(),
                           now=clock.now(), simulated=clock.is_simulated())


@bp.post("/instances")
def start():
    process_id = request.form.get("process_id", "demo_followup")
    instance_id = instances.start_instance(process_id, actor=current_actor(), data={"started_from": "console"})
    flash(_("Started instance %(id)s.", id=instance_id), "success")
    return redirect(url_for("home.index"))


@bp.get("/tasks/<task_id>")
def task_form(task_id: str):
    task = instances.get_task_or_raise(task_id, current_actor())
    form = deployment.get_form_or_raise(task.form_key)
    return render_template("home/task.html", task=task, form=form, values={}, errors={})


@bp.post("/tasks/<task_id>")
def complete(task_id: str):
    actor = current_actor()
    task = instances.get_task_or_raise(task_id, actor)
    form = deployment.get_form_or_raise(task.form_key)
    data, errors = validate(form, request.form)
    if errors:
        return render_template("home/task.html", task=task, form=form, values=request.form,
                               errors=errors), 400
    try:
        instances.complete_task(task_id, actor=actor, data=data,
                                idempotency_key=request.form.get("idempotency_key") or None)
    except Conflict as exc:
        flash(error_text(exc), "warning")
        return redirect(url_for("home.index")), 303
    flash(_("Completed: %(task)s", task=task.name), "success")
    return redirect(url_for("home.index")), 303


@bp.get("/lang/<code>")
def set_language(code: str):
    from caseflow.app import SUPPORTED_LOCALES

    if code in SUPPORTED_LOCALES:
        session["lang"] = code
    target = request.args.get("next", "/")
    return redirect(target if target.startswith("/") and not target.startswith("//") else "/")


@bp.app_context_processor
def _template_helpers():
    return {"uuid": lambda: uuid.uuid4().hex, "get_locale": get_locale}
