"""The workflow console for administrators and process designers, the language switch, template helpers,
and the diagram viewer's files (installed from the npm registry into node_modules/)."""

import uuid

from flask import Blueprint, abort, flash, redirect, render_template, request, send_from_directory, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from caseflow.config import PROJECT_DIR
from caseflow.domain.enums import Role
from caseflow.domain.paging import page_links
from caseflow.domain.permissions import Permission
from caseflow.errors import N_, Conflict, NotAllowed
from caseflow.services import clock, deployment, health, incidents, instances
from caseflow.web import error_text, safe_next
from caseflow.web.session import current_actor

bp = Blueprint("home", __name__)
VIEWER_DIR = PROJECT_DIR / "node_modules" / "bpmn-js" / "dist"


def _console_actor():
    actor = current_actor()
    if not actor.may(Permission.WORKFLOW_CONSOLE):
        raise NotAllowed(N_("only administrators and process designers may use the workflow console"))
    return actor


@bp.get("/console")
def console():
    actor = _console_actor()
    return render_template("home/index.html", now=clock.now(), simulated=clock.is_simulated(),
                           incidents=incidents.list_incidents(actor), orphans=health.find_orphans(limit=50),
                           instances=instances.list_instances(actor, status=request.args.get("status") or None,
                                                              page=request.args.get("page", 1, type=int)),
                           versions=deployment.list_versions(), counts=instances.count_by_version())


@bp.get("/incidents")
def incident_list():
    actor = current_actor()
    resolved = request.args.get("resolved") == "1"
    return render_template("home/incidents.html", resolved=resolved,
                           page=incidents.list_incidents(actor, resolved=resolved,
                                                         page=request.args.get("page", 1, type=int)))


@bp.post("/incidents/<int:incident_id>/retry")
def retry_incident(incident_id: int):
    try:
        went_through = incidents.retry(incident_id, actor=current_actor())
    except Conflict as exc:
        flash(error_text(exc), "warning")
        return redirect(url_for("home.incident_list")), 303
    flash(_("The step went through; the case moves on.") if went_through
          else _("The step failed again; the incident stays open."), "success" if went_through else "warning")
    return redirect(url_for("home.incident_list")), 303


@bp.post("/incidents/<int:incident_id>/dismiss")
def dismiss_incident(incident_id: int):
    try:
        incidents.dismiss(incident_id, actor=current_actor())
    except Conflict as exc:
        flash(error_text(exc), "warning")
        return redirect(url_for("home.incident_list")), 303
    flash(_("The incident was closed."), "success")
    return redirect(url_for("home.incident_list")), 303


@bp.get("/vendor/bpmn-js/<path:name>")
def viewer_file(name: str):
    if not VIEWER_DIR.is_dir():
        abort(404)
    return send_from_directory(VIEWER_DIR, name, max_age=86400)


@bp.get("/lang/<name:code>")
def set_language(code: str):
    from caseflow.app import SUPPORTED_LOCALES

    if code in SUPPORTED_LOCALES:
        session["lang"] = code
    return redirect(safe_next(request.args.get("next"), "/"))


def page_url(number: int) -> str:
    """This page of the current list, with the request's filters kept."""
    return url_for(request.endpoint, **(request.view_args or {}), **{**request.args.to_dict(), "page": number})


@bp.app_context_processor
def _template_helpers():
    return {"uuid": lambda: uuid.uuid4().hex, "get_locale": get_locale, "current_user": current_user,
            "viewer_installed": VIEWER_DIR.is_dir(), "Role": Role, "page_url": page_url, "page_links": page_links}
