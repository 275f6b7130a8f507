"""The process designer's workspace: processes and their versions, the modeler (bpmn-js, installed from the npm
registry into node_modules/ as the viewer is) with lint findings on the diagram, publish, export and diff."""

import io
from contextlib import nullcontext

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    send_from_directory,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _

from caseflow.config import PROJECT_DIR
from caseflow.domain.paging import paging
from caseflow.domain.permissions import Permission
from caseflow.errors import N_, InvalidInput, InvalidSpec, NotAllowed, NotFound
from caseflow.services import designer, instances, migration, simulation
from caseflow.web import error_text, params
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
@params.reads_its_own_body  # a diagram is longer than a form field; _file_body checks it
def save_draft(process_id: str):
    body = _file_body()
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


# ---- the properties panel's choices, the decision tables (dmn-js) and the forms editor ---------------------------

DMN_JS_DIR = PROJECT_DIR / "node_modules" / "dmn-js" / "dist"
MODELER_BUNDLE = PROJECT_DIR / "static" / "build" / "designer-modeler.js"
DMN_BUNDLE = PROJECT_DIR / "static" / "build" / "designer-dmn-modeler.js"


@bp.context_processor
def _installed() -> dict:
    return {"panel_installed": MODELER_BUNDLE.is_file(), "dmn_bundle_installed": DMN_BUNDLE.is_file()}


NEW_FORM = '{\n  "title": {"zh": "", "en": ""},\n  "fields": []\n}\n'


@bp.get("/<name:process_id>/options.json")
def options(process_id: str):
    """What the properties panel offers: the forms, service operations, roles and timer kinds lint accepts."""
    return jsonify(designer.options(process_id, actor=_designer()))


@bp.get("/<name:process_id>/file.json")
def model_file(process_id: str):
    """One BPMN or DMN file of the designer's workspace, with the lint of the whole draft."""
    workspace = designer.open_workspace(process_id, actor=_designer())
    name = request.args.get("name", "")
    files = designer.model_files(workspace.files)
    if name not in files:
        raise NotFound(N_("the process has no file %(file)s"), file=name[:100])
    return jsonify(process=process_id, file=name, xml=files[name], draft=workspace.is_draft,
                   findings=_findings(workspace.report))


@bp.get("/<name:process_id>/decisions")
def decisions(process_id: str):
    """The process's decision tables in dmn-js, saved into the designer's draft like the diagram."""
    workspace = designer.open_workspace(process_id, actor=_designer())
    tables = sorted(name for name in designer.model_files(workspace.files) if name.endswith(".dmn"))
    chosen = request.args.get("file") or (tables[0] if tables else None)
    if chosen is not None and chosen not in tables:
        raise NotFound(N_("the process has no file %(file)s"), file=chosen[:100])
    return render_template("designer/decisions.html", workspace=workspace, tables=tables, chosen=chosen,
                           findings=_findings(workspace.report), dmn_installed=DMN_JS_DIR.is_dir())


@bp.get("/dmn-js/<path:name>")
def dmn_file(name: str):
    """dmn-js's bundle and styles, installed from the npm registry into node_modules/ like the diagram viewer."""
    _designer()
    if not DMN_JS_DIR.is_dir():
        abort(404)
    return send_from_directory(DMN_JS_DIR, name, max_age=86400)


@bp.get("/<name:process_id>/forms")
def forms(process_id: str):
    """The process's forms as JSON beside a live preview of the form as a caseworker sees it."""
    workspace = designer.open_workspace(process_id, actor=_designer())
    keys = designer.process_forms(workspace)
    chosen = request.args.get("form") or (keys[0] if keys else "")
    if chosen and not designer.FORM_KEY.match(chosen):
        raise InvalidInput(N_("a form key is lower-case letters, digits and _ (not %(key)s)"), key=chosen[:80])
    text = designer.form_text(workspace, chosen) if chosen else None
    return render_template("designer/forms.html", workspace=workspace, keys=keys, chosen=chosen,
                           text=text if text is not None else NEW_FORM, new=text is None,
                           drafted=set(designer.draft_forms(workspace.files)), findings=_findings(workspace.report))


def _file_body() -> dict:
    """A JSON body carrying a whole file (a diagram, a decision table, a form): longer than the request guard lets
    a form field be, so checked here for control characters (within the request size limit); the services bound
    each file's own size."""
    try:
        body = request.get_json(silent=True)
    except RecursionError as exc:
        raise InvalidInput(params.TOO_DEEP) from exc
    if not isinstance(body, dict):
        return {}
    for key, value in body.items():
        if not isinstance(key, str) or params.CONTROL_IN_TEXT.search(key):
            raise InvalidInput(params.CONTROL_CHARACTER)
        if isinstance(value, str) and params.CONTROL_IN_TEXT.search(value):
            raise InvalidInput(params.CONTROL_CHARACTER)
    return body


def _form_body() -> tuple[str, str]:
    body = _file_body()
    if not isinstance(body.get("text"), str):
        raise InvalidInput(N_("send the form as JSON text in the field text"))
    return str(body.get("key") or ""), body["text"]


@bp.post("/<name:process_id>/forms/preview")
@params.reads_its_own_body
def preview_form(process_id: str):
    """The form rendered exactly as the task page renders it, or 400 naming what is wrong."""
    _designer()
    key, text = _form_body()
    try:
        form = designer.parse_form_text(key, text)
    except InvalidInput as exc:
        return jsonify(error="InvalidInput", message=error_text(exc)), 400
    locale = _file_body().get("locale")
    with force_locale(locale) if locale in ("zh", "en") else nullcontext():
        html = render_template("designer/form_preview.html", form=form)
    return jsonify(html=html)


@bp.post("/<name:process_id>/forms/<name:key>")
@params.reads_its_own_body
def save_form(process_id: str, key: str):
    actor = _designer()
    _, text = _form_body()
    try:
        workspace = designer.save_form(process_id, key, text, actor=actor)
    except InvalidInput as exc:
        return jsonify(error="InvalidInput", message=error_text(exc)), 400
    return jsonify(draft=True, ok=workspace.report.ok, findings=_findings(workspace.report))


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
