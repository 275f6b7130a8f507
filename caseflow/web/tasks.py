"""Task forms: open, save a draft, complete; claim and release team tasks."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from caseflow.errors import Conflict, InvalidInput
from caseflow.services import case_view, deployment, inbox, instances, postings
from caseflow.services.clock import now as clock_now
from caseflow.web import bpmn_label, error_text
from caseflow.web.session import current_actor

bp = Blueprint("tasks", __name__, url_prefix="/tasks")


def _render(task, values, errors, status=200):
    form = deployment.task_form(task)
    subject = case_view.task_subject(task)
    return render_template("tasks/form.html", task=task, form=form, values=values, errors=errors, subject=subject,
                           **postings.form_choices([form], task.case_id),
                           due_state=inbox.due_badge(task.due_at, clock_now())), status


@bp.get("/<task:task_id>")
def show(task_id: str):
    task = instances.get_task_or_raise(task_id, current_actor())
    return _render(task, dict(task.draft or {}), {})


@bp.post("/<task:task_id>")
def complete(task_id: str):
    actor = current_actor()
    task = instances.get_task_or_raise(task_id, actor)
    case_id = task.case_id
    try:  # the service validates the form; its field errors come back to the same page
        instances.complete_task(task_id, actor=actor, data=request.form,
                                idempotency_key=request.form.get("idempotency_key") or None)
    except InvalidInput as exc:
        if "errors" not in exc.params:
            flash(error_text(exc), "warning")
        return _render(task, request.form, exc.params.get("errors", {}), 400)
    except Conflict as exc:
        flash(error_text(exc), "warning")
        return redirect(url_for("inbox.index")), 303
    flash(_("Completed: %(task)s", task=bpmn_label(task.name)), "success")
    return redirect(url_for("cases.show", case_id=case_id) if case_id else url_for("inbox.index")), 303


@bp.post("/<task:task_id>/draft")
def save_draft(task_id: str):
    inbox.save_draft(task_id, request.form.to_dict(), actor=current_actor())
    flash(_("Draft saved."), "success")
    return redirect(url_for("tasks.show", task_id=task_id)), 303


@bp.post("/<task:task_id>/claim")
def claim(task_id: str):
    try:
        inbox.claim_task(task_id, actor=current_actor())
    except Conflict as exc:
        flash(error_text(exc), "warning")
        return redirect(url_for("inbox.index", scope="team")), 303
    flash(_("The task is now in your inbox."), "success")
    return redirect(url_for("tasks.show", task_id=task_id)), 303


@bp.post("/<task:task_id>/release")
def release(task_id: str):
    inbox.release_task(task_id, actor=current_actor())
    flash(_("The task is back in the team queue."), "success")
    return redirect(url_for("inbox.index")), 303
