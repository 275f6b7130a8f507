"""The process designer's workspace: processes and their versions, the modeler (bpmn-js, installed from the npm
registry into node_modules/ as the viewer is) with lint findings on the diagram, publish, export and diff."""

import io

from flask import Blueprint, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _

from caseflow.domain.paging import paging
from caseflow.domain.permissions import Permission
from caseflow.errors import N_, InvalidInput, InvalidSpec, NotAllowed, NotFound
from caseflow.services import designer, instances, migration, simulation
from caseflow.web import error_text
from caseflow.web.session import current_actor

bp = Blueprint("designer", __name__, url_prefix="/designer")


def _designer(permission: Permission = Permission.DESIGN_PROCESSES):
    actor = current_actor()
    if not actor.may(permission):
        raise NotAllowed(N_("only process designers may edit and publish processes"))
    return actor


def _findings(report) -> list[dict]:
    return [finding.as_dict(_) for finding in report.findings]


@bp.get("/")
def index():
    _designer()
    versions = {process_id: designer.current_version(process_id) for process_id in designer.process_ids()}
    return render_template("designer/index.html", versions=versions)


@bp.get("/<name:process_id>")
def edit(process_id: str):
    workspace = designer.open_workspace(process_id, actor=_designer())
    return render_template("designer/edit.html", workspace=workspace, findings=_findings(workspace.report))


@bp.get("/<name:process_id>/draft.json")
def draft(process_id: str):
    workspace = designer.open_workspace(process_id, actor=_designer())
    return jsonify(process=process_id, file=workspace.main_file, xml=workspace.files[workspace.main_file],
                   draft=workspace.is_draft, findings=_findings(workspace.report))


@bp.post("/<name:process_id>/draft")
def save_draft(process_id: str):
    body = request.get_json(silent=True) or {}
    workspace = designer.save_draft(process_id, str(body.get("file") or ""), body.get("xml"), actor=_designer())
    return jsonify(draft=True, ok=workspace.report.ok, findings=_findings(workspace.report))


@bp.post("/<name:process_id>/discard")
def discard(process_id: str):
    designer.discard_draft(process_id, actor=_designer())
    flash(_("The draft was discarded."), "success")
    return redirect(url_for("designer.edit", process_id=process_id)), 303


@bp.post("/<name:process_id>/publish")
def publish(process_id: str):
    try:
        version, created = designer.publish(process_id, actor=_designer())
    except (InvalidSpec, InvalidInput) as exc:
        flash(error_text(exc), "warning")
        return redirect(url_for("designer.edit", process_id=process_id)), 303
    flash(_("Published version %(version)s.", version=version.sha256[:12]) if created
          else _("The draft equals version %(version)s; nothing new was published.", version=version.sha256[:12]),
          "success")
    return redirect(url_for("designer.versions", process_id=process_id)), 303


@bp.get("/<name:process_id>/versions")
def versions(process_id: str):
    actor = _designer()
    shown, rows = designer.versions_page(process_id, request.args.get("page", 1, type=int), actor=actor)
    diff = None
    old, new = request.args.get("old", type=int), request.args.get("new", type=int)
    if old and new:
        diff = designer.diff_versions(old, new, actor=actor)
    return render_template("designer/versions.html", process_id=process_id, page=shown, versions=rows,
                           counts=instances.count_by_version(), diff=diff, old=old, new=new)


@bp.get("/versions/<int:version_id>/export.zip")
def export(version_id: int):
    name, data = designer.export_zip(version_id, actor=_designer())
    return send_file(io.BytesIO(data), mimetype="application/zip", as_attachment=True, download_name=name)


def _migration_form(process_id: str) -> dict:
    source = request.values.get("from", type=int)
    target = request.values.get("to", type=int)
    return {"from_id": source, "to_id": target, "map_text": request.values.get("map", "")}


@bp.get("/<name:process_id>/migrate")
def migration_page(process_id: str):
    actor = _designer(Permission.MIGRATE_INSTANCES)
    form = _migration_form(process_id)
    shown, versions_list = designer.versions_page(process_id, 1, actor=actor, size=200)
    candidates, error = None, None
    if form["from_id"] and form["to_id"]:
        try:
            candidates = migration.dry_run(process_id, form["from_id"], form["to_id"],
                                           migration.parse_map(form["map_text"]), actor=actor)
        except (InvalidInput, NotFound) as exc:
            error = error_text(exc)
    refused = [c for c in candidates or () if not c.movable]
    page = paging(len(refused), request.args.get("page", 1, type=int))
    return render_template("designer/migrate.html", process_id=process_id, versions=versions_list, form=form,
                           candidates=candidates, refused=refused[page.offset:page.offset + page.size], page=page,
                           movable=sum(c.movable for c in candidates or ()), error=error,
                           counts=instances.count_by_version())


@bp.post("/<name:process_id>/migrate")
def migrate(process_id: str):
    actor = _designer(Permission.MIGRATE_INSTANCES)
    form = _migration_form(process_id)
    back = url_for("designer.migration_page", process_id=process_id, **{"from": form["from_id"], "to": form["to_id"],
                                                                       "map": form["map_text"] or None})
    try:
        outcome = migration.run(process_id, form["from_id"] or 0, form["to_id"] or 0,
                                migration.parse_map(form["map_text"]), actor=actor)
    except (InvalidInput, NotFound) as exc:
        flash(error_text(exc), "warning")
        return redirect(back), 303
    flash(_("Moved %(moved)s instances; %(refused)s could not move, %(failed)s changed meanwhile.",
            moved=outcome.moved, refused=outcome.refused, failed=outcome.failed), "success")
    return redirect(back), 303


# ---- cohort simulation ------------------------------------------------------------------------------------------

SIMULATION_FIELDS = ("graduates", "months", "seed", "caseworkers")
STATE_TEXT = {simulation.QUEUED: N_("waiting to run"), simulation.RUNNING: N_("running"),
              simulation.DONE: N_("done"), simulation.FAILED: N_("failed"), "interrupted": N_("interrupted")}


def _state_text(run) -> str:
    return _(STATE_TEXT["interrupted"] if simulation.is_interrupted(run) else STATE_TEXT.get(run.state, run.state))


@bp.context_processor
def _simulation_texts() -> dict:
    return {"state_text": _state_text, "interrupted": simulation.is_interrupted}


@bp.get("/<name:process_id>/simulate")
def simulate_form(process_id: str):
    workspace = designer.open_workspace(process_id, actor=_designer())
    return render_template("designer/simulate.html", workspace=workspace, form=dict(simulation.DEFAULTS),
                           limits=simulation.LIMITS, error=None)


@bp.post("/<name:process_id>/simulate")
def simulate(process_id: str):
    actor = _designer()
    form = {name: request.form.get(name, "").strip() for name in SIMULATION_FIELDS}
    try:
        run = simulation.request_run(process_id, form, actor=actor)
    except InvalidInput as exc:
        workspace = designer.open_workspace(process_id, actor=actor)
        return render_template("designer/simulate.html", workspace=workspace, form=form, limits=simulation.LIMITS,
                               error=error_text(exc)), 400
    return redirect(url_for("designer.simulation_run", run_id=run.id)), 303


@bp.get("/simulations")
def simulations():
    shown, runs = simulation.list_runs(request.args.get("page", 1, type=int), actor=_designer())
    return render_template("designer/simulations.html", page=shown, runs=runs)


@bp.get("/simulations/<int:run_id>")
def simulation_run(run_id: int):
    run = simulation.get_run(run_id, actor=_designer())
    return render_template("designer/simulation.html", run=run, rows=simulation.side_by_side(run),
                           months=simulation.monthly(run), error=error_text(simulation.run_error(run))
                           if run.error else None)


@bp.post("/simulations/<int:run_id>/retry")
def simulation_retry(run_id: int):
    simulation.retry(run_id, actor=_designer())
    return redirect(url_for("designer.simulation_run", run_id=run_id)), 303


@bp.get("/simulations/<int:run_id>/progress.json")
def simulation_progress(run_id: int):
    run = simulation.get_run(run_id, actor=_designer())
    return jsonify(id=run.id, state=run.state, progress=run.progress,
                   working=run.state in (simulation.QUEUED, simulation.RUNNING) and not simulation.is_interrupted(run))
