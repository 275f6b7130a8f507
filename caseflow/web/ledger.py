"""The real-name ledger uploaded in the browser: upload, the background job's progress (a page that polls a small
JSON endpoint, or refreshes itself without JavaScript), the preview with every refused row, commit, discard and
resume. Every use case is in services.ledger_upload."""

from flask import Blueprint, Response, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _

from caseflow.domain.enums import ImportStatus
from caseflow.domain.ledger import Reason, field_label
from caseflow.domain.table_files import FILE_TOO_LARGE
from caseflow.errors import N_, Conflict, InvalidInput
from caseflow.extensions import csrf
from caseflow.services import ledger_upload
from caseflow.services.clock import now as clock_now
from caseflow.web import error_text, params, uploads
from caseflow.web.session import current_actor

bp = Blueprint("ledger", __name__, url_prefix="/ledger")

REASON_TEXT = {
    Reason.REQUIRED: N_("A required cell is empty"),
    Reason.INVALID_ID: N_("Invalid ID number"),
    Reason.ID_BIRTH_MISMATCH: N_("Birth date does not match the ID number"),
    Reason.INVALID_DATE: N_("Invalid date"),
    Reason.INVALID_DEGREE: N_("Invalid degree"),
    Reason.INVALID_GENDER: N_("Invalid gender"),
    Reason.GENDER_MISMATCH: N_("Gender does not match the ID number"),
    Reason.INVALID_AREA_CODE: N_("Invalid area code"),
    Reason.INVALID_PHONE: N_("Invalid mobile number"),
    Reason.INVALID_HARDSHIP: N_("Invalid hardship kind"),
    Reason.FORMULA: N_("The cell holds a formula and was refused"),
    Reason.LEAVING_BEFORE_GRADUATION: N_("Left school more than a year before graduating"),
    Reason.TOO_LONG: N_("Too long"),
    Reason.EXTRA_CELLS: N_("Cells beyond the header (shifted columns)"),
    Reason.DUPLICATE_IN_FILE: N_("ID number repeated in the file"),
    Reason.DUPLICATE_EXISTING: N_("Already handed over (this cohort, or an open case of another)"),
    Reason.CONTROL_CHARACTER: N_("Control or invisible formatting character"),
    Reason.NUMBER_CELL: N_("Number cell loses digits: format the column as text and type it again"),
    Reason.ENCODING: N_("The line's encoding differs from the rest of the file"),
    Reason.COHORT_MISMATCH: N_("Graduation year is not the cohort's"),
    Reason.OUTSIDE_REGION: N_("The case would belong to a region outside yours"),
}
STATUS_TEXT = {
    ImportStatus.QUEUED: N_("Checking"), ImportStatus.FAILED: N_("File refused"),
    ImportStatus.PREVIEWED: N_("Previewed, waiting for commit"), ImportStatus.COMMITTED: N_("Committed"),
    ImportStatus.DISCARDED: N_("Discarded"),
}
JOB_TEXT = {
    ("preview", "queued"): N_("Waiting to be checked"), ("preview", "running"): N_("Checking rows"),
    ("commit", "queued"): N_("Waiting to be committed"), ("commit", "running"): N_("Opening cases"),
}


def status_text(upload: ledger_upload.Upload) -> str:
    if upload.interrupted:
        return _("Interrupted")
    if upload.working:
        return _(JOB_TEXT[(upload.job.kind, upload.job.state)])
    return _(STATUS_TEXT.get(upload.batch.status, upload.batch.status))


def job_error(upload: ledger_upload.Upload) -> str | None:
    if not upload.job.error:
        return None
    message, values = upload.job.error.get("message", ""), upload.job.error.get("params", {})
    return _(message, **values)


@bp.before_request
def _importers_only():
    ledger_upload.check_importer(current_actor())


@bp.context_processor
def _helpers():
    return {"status_text": status_text, "job_error": job_error, "reason_text": REASON_TEXT,
            "field_label": field_label}


def _render_index(message: str | None = None, status: int = 200):
    interrupted = request.args.get("interrupted") == "1"
    page = ledger_upload.list_uploads(current_actor(), request.args.get("page", 1, type=int) or 1,
                                      interrupted_only=interrupted)
    stuck = ledger_upload.list_uploads(current_actor(), interrupted_only=True).paging.total
    return render_template("ledger/index.html", page=page, interrupted=interrupted, stuck=stuck, message=message,
                           cohort=request.form.get("cohort") or clock_now().year,
                           max_mb=current_app.config["CASEFLOW_LEDGER_UPLOAD_MAX_BYTES"] >> 20), status


@bp.get("")
def index():
    return _render_index()


@bp.post("/upload")
@params.reads_its_own_body
def upload():
    actor = current_actor()
    ledger_upload.check_importer(actor)
    limit = current_app.config["CASEFLOW_LEDGER_UPLOAD_MAX_BYTES"]
    try:
        file_name, data = uploads.uploaded_file(limit)
    except uploads.UploadRefused as refused:
        return _render_index(refused.message, refused.status)
    if len(data) > limit:
        return _render_index(_(FILE_TOO_LARGE, limit=limit // 1024), 413)
    cohort = request.form.get("cohort", type=int)
    try:
        batch = ledger_upload.start_upload(data, file_name=file_name, cohort=cohort or 0, actor=actor)
    except InvalidInput as exc:
        return _render_index(error_text(exc), 400)
    flash(_("The ledger is uploaded; it is being checked in the background."), "success")
    return redirect(url_for("ledger.show", batch_id=batch.id))


csrf.exempt(upload)  # upload checks the token itself, once the upload's size bound is in place


@bp.get("/<int:batch_id>")
def show(batch_id: int):
    actor = current_actor()
    upload = ledger_upload.get_upload(batch_id, actor)
    refused = ledger_upload.rejections_page(batch_id, actor, request.args.get("page", 1, type=int) or 1)
    return render_template("ledger/show.html", upload=upload, refused=refused,
                           reasons=sorted((upload.batch.summary or {}).get("reasons", {}).items()))


@bp.get("/<int:batch_id>/progress.json")
def progress(batch_id: int):
    upload = ledger_upload.get_upload(batch_id, current_actor())
    return jsonify({**upload.progress(), "status_text": status_text(upload)})


@bp.get("/<int:batch_id>/refused.xlsx")
def report(batch_id: int):
    content = ledger_upload.rejection_report(batch_id, current_actor())
    return Response(content, mimetype=uploads.XLSX,
                    headers={"Content-Disposition": f"attachment; filename=ledger-{batch_id}-refused.xlsx"})


def _act(action, batch_id: int, done: str):
    try:
        action(batch_id, current_actor())
    except Conflict as exc:
        flash(error_text(exc), "warning")
    else:
        flash(done, "success")
    return redirect(url_for("ledger.show", batch_id=batch_id))


@bp.post("/<int:batch_id>/commit")
def commit(batch_id: int):
    return _act(ledger_upload.request_commit, batch_id, _("The commit is queued; the cases open in the background."))


@bp.post("/<int:batch_id>/discard")
def discard(batch_id: int):
    return _act(ledger_upload.discard, batch_id, _("The upload is discarded and its file deleted."))


@bp.post("/<int:batch_id>/resume")
def resume(batch_id: int):
    return _act(ledger_upload.resume, batch_id, _("The job is queued again."))
