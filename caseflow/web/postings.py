"""The job-posting register: the list with filters, add, edit, close, and import from CSV or XLSX."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from caseflow.domain.enums import Degree, PostingState, RegionLevel
from caseflow.domain.postings import COLUMNS, FIELDS, REASON_TEXT, has_control_characters
from caseflow.errors import Conflict, InvalidInput
from caseflow.extensions import csrf
from caseflow.services import posting_import, postings
from caseflow.web import error_text, params, safe_next, uploads
from caseflow.web.session import current_actor

bp = Blueprint("postings", __name__, url_prefix="/postings")
ALL_LEVELS = (RegionLevel.CITY, RegionLevel.COUNTY, RegionLevel.STREET, RegionLevel.COMMUNITY)


@bp.before_request
def _register_users_only():
    postings.check_reader(current_actor())


def _arg(args, name: str, length: int) -> str | None:
    """A filter as typed, or None when empty or unusable (too long, control characters)."""
    value = (args.get(name) or "").strip()
    return value if value and len(value) <= length and not has_control_characters(value) else None


def _query(args) -> postings.PostingQuery:
    state = args.get("state")
    return postings.PostingQuery(area=_arg(args, "area", 12), industry=_arg(args, "industry", 50),
                                 degree=_arg(args, "degree", 20),
                                 state=PostingState(state) if state in set(PostingState) else None,
                                 text=_arg(args, "q", 100), page=args.get("page", 1, type=int) or 1)


def _areas(actor) -> dict[str, str]:
    return {region.code: region.name for region in postings.list_areas(actor, ALL_LEVELS)}


@bp.get("")
def index():
    actor = current_actor()
    return render_template("postings/list.html", page=postings.list_postings(actor, _query(request.args)),
                           areas=_areas(actor), industries=postings.list_industries(actor), degrees=list(Degree),
                           args=request.args.to_dict(), may_edit=bool(postings.EDIT_ROLES & actor.roles),
                           PostingState=PostingState, state_of=postings.state_of)


def _render_form(values: dict, errors: dict, *, posting=None, status=200, details=None):
    actor = current_actor()
    return render_template("postings/form.html", values=values, errors=errors, details=details or {},
                           posting=posting, areas=_areas(actor), industries=postings.list_industries(actor),
                           degrees=list(Degree), reason_text=REASON_TEXT, columns=COLUMNS), status


def _submitted() -> dict[str, str]:
    return {field: request.form.get(field, "") for field in FIELDS}


@bp.get("/new")
def new():
    postings.check_editor(current_actor())
    return _render_form({}, {})


@bp.post("/new")
def create():
    try:
        posting = postings.create_posting(_submitted(), actor=current_actor())
    except InvalidInput as exc:
        return _render_form(_submitted(), exc.params.get("errors", {}), status=400,
                            details=exc.params.get("details"))
    flash(_("Job posting %(posting)s added.", posting=posting.id), "success")
    return redirect(url_for("postings.index")), 303


def _form_values(posting) -> dict[str, str]:
    values = {field: "" if getattr(posting, field) is None else str(getattr(posting, field)) for field in FIELDS}
    values["major_prefixes"] = ", ".join(posting.major_prefixes or [])
    return values


@bp.get("/<int:posting_id>/edit")
def edit(posting_id: int):
    actor = current_actor()
    postings.check_editor(actor)
    posting = postings.get_posting_or_raise(posting_id, actor)
    return _render_form(_form_values(posting), {}, posting=posting)


@bp.post("/<int:posting_id>/edit")
def update(posting_id: int):
    actor = current_actor()
    try:
        postings.update_posting(posting_id, _submitted(), actor=actor)
    except InvalidInput as exc:
        posting = postings.get_posting_or_raise(posting_id, actor)
        return _render_form(_submitted(), exc.params.get("errors", {}), posting=posting, status=400,
                            details=exc.params.get("details"))
    except Conflict as exc:
        flash(error_text(exc), "warning")
        return redirect(url_for("postings.index")), 303
    flash(_("Job posting %(posting)s saved.", posting=posting_id), "success")
    return redirect(url_for("postings.index")), 303


@bp.post("/<int:posting_id>/close")
def close(posting_id: int):
    try:
        postings.close_posting(posting_id, actor=current_actor())
    except Conflict as exc:
        flash(error_text(exc), "warning")
        return redirect(url_for("postings.index")), 303
    flash(_("Job posting %(posting)s closed.", posting=posting_id), "success")
    return redirect(safe_next(request.form.get("next"), url_for("postings.index"))), 303


def _render_import(report=None, *, message=None, status=200):
    config = current_app.config
    return render_template("postings/import.html", report=report, message=message, reason_text=REASON_TEXT,
                           columns={column.field: column.header for column in COLUMNS},
                           max_kb=config["CASEFLOW_POSTING_IMPORT_MAX_BYTES"] // 1024,
                           max_rows=config["CASEFLOW_POSTING_IMPORT_MAX_ROWS"]), status


@bp.get("/import")
def import_form():
    postings.check_editor(current_actor())
    return _render_import()


@bp.post("/import")
@params.reads_its_own_body
def import_file():
    actor = current_actor()
    postings.check_editor(actor)
    limit = current_app.config["CASEFLOW_POSTING_IMPORT_MAX_BYTES"]
    try:
        file_name, data = uploads.uploaded_file(limit)
    except uploads.UploadRefused as refused:
        return _render_import(message=refused.message, status=refused.status)
    try:
        report = posting_import.import_postings(data, file_name=file_name, actor=actor,
                                                check_only=request.form.get("check_only") == "1")
    except InvalidInput as exc:
        return _render_import(message=error_text(exc), status=400)
    return _render_import(report, status=400 if report.refused_rows and not report.check_only else 200)


csrf.exempt(import_file)  # import_file checks the token itself, once the upload's size bound is in place


@bp.get("/template.xlsx")
def template():
    """An empty import workbook with the template's header row and one example."""
    example = ["长春示例科技有限公司", "软件测试工程师", "220102", "软件", "0809", "本科", 5000, 8000,
               postings.today().replace(month=12, day=31).isoformat()]
    return uploads.xlsx_download([[column.header for column in COLUMNS], example],
                                 sheet="岗位", file_name="postings-template.xlsx")
