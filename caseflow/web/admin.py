"""Administration pages: staff accounts (list, add, import, roles and region, disable, enable, reset a password),
the BPMN lane → role table, each province's service-package profile, and the integrations' API tokens."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from caseflow.domain.decision_table import profiles_named
from caseflow.domain.enums import Role
from caseflow.domain.permissions import GRANTS, Permission
from caseflow.domain.permissions import LABELS as PERMISSION_LABELS
from caseflow.domain.staff import ASSIGNABLE, COLUMNS, REASON_TEXT, ROLE_LABELS
from caseflow.domain.staff_files import MAX_BYTES, MAX_ROWS
from caseflow.errors import Conflict, InvalidInput, NotAllowed
from caseflow.extensions import csrf
from caseflow.services import accounts, api_tokens, lanes, provinces, staff, staff_import
from caseflow.web import error_text, uploads
from caseflow.web.session import current_actor

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def _administrators_only():
    accounts.check_administrator(current_actor())


def _roles(form) -> set[Role]:
    return {Role(value) for value in form.getlist("roles") if value in {role.value for role in ASSIGNABLE}}


def _query(args) -> staff.UserQuery:
    role = args.get("role")
    text = (args.get("q") or "").strip()
    return staff.UserQuery(text=text[:50] or None, role=Role(role) if role in {r.value for r in ASSIGNABLE} else None,
                           region=(args.get("region") or "").strip()[:12] or None,
                           active={"1": True, "0": False}.get(args.get("active") or ""),
                           page=args.get("page", 1, type=int) or 1)


@bp.get("/users")
def users():
    actor = current_actor()
    return render_template("admin/users.html", page=staff.list_users(actor, _query(request.args)),
                           args=request.args.to_dict(), roles=ASSIGNABLE, role_labels=ROLE_LABELS)


def _user_form(template: str, *, status: int = 200, **context):
    actor = current_actor()
    return render_template(template, roles=ASSIGNABLE, role_labels=ROLE_LABELS,
                           regions=staff.list_regions(actor), **context), status


@bp.get("/users/new")
def new_user():
    return _user_form("admin/new_user.html", values={}, chosen=set())


@bp.post("/users/new")
def add_user():
    form = request.form
    try:
        user = accounts.add_user(form.get("username", ""), password=form.get("password", ""), roles=_roles(form),
                                 region_code=form.get("region_code", "").strip(),
                                 display_name=form.get("display_name"), actor=current_actor(),
                                 must_change_password=True)
    except (InvalidInput, Conflict, NotAllowed) as exc:
        flash(error_text(exc), "warning")
        values = {key: form.get(key, "") for key in ("username", "display_name", "region_code")}
        return _user_form("admin/new_user.html", values=values, chosen=_roles(form), status=exc.http_status)
    flash(_("Account %(name)s added; it must choose a new password at its first sign-in.", name=user.username),
          "success")
    return redirect(url_for("admin.user", username=user.username)), 303


@bp.get("/user/<username>")
def user(username: str):
    actor = current_actor()
    account = accounts.get_user_or_raise(username, actor)
    cases, tasks = staff.open_work(account)
    return _user_form("admin/user.html", account=account, open_cases=cases, open_tasks=tasks,
                      temporary=None)


@bp.post("/user/<username>")
def update_user(username: str):
    form = request.form
    try:
        staff.update_user(username, roles=_roles(form), region_code=form.get("region_code", "").strip() or None,
                          display_name=form.get("display_name"), actor=current_actor())
        flash(_("Account %(name)s saved.", name=username), "success")
    except (InvalidInput, Conflict, NotAllowed) as exc:
        flash(error_text(exc), "warning")
    return redirect(url_for("admin.user", username=username)), 303


@bp.post("/user/<username>/active")
def set_active(username: str):
    active = request.form.get("active") == "1"
    try:
        staff.set_active(username, active, actor=current_actor())
        flash(_("Account %(name)s enabled.", name=username) if active
              else _("Account %(name)s disabled; its sessions have ended.", name=username), "success")
    except Conflict as exc:
        flash(error_text(exc), "warning")
    return redirect(url_for("admin.user", username=username)), 303


@bp.post("/user/<username>/password")
def reset_password(username: str):
    actor = current_actor()
    temporary = staff.reset_password(username, actor=actor)
    account = accounts.get_user_or_raise(username, actor)
    cases, tasks = staff.open_work(account)
    return _user_form("admin/user.html", account=account, open_cases=cases, open_tasks=tasks, temporary=temporary)


def _render_import(report=None, *, message=None, status=200):
    return render_template("admin/import.html", report=report, message=message, reason_text=REASON_TEXT,
                           columns={column.field: column.header for column in COLUMNS}, column_list=COLUMNS,
                           max_kb=MAX_BYTES // 1024, max_rows=MAX_ROWS), status


@bp.get("/users/import")
def import_form():
    return _render_import()


@bp.post("/users/import")
def import_file():
    try:
        file_name, data = uploads.uploaded_file(MAX_BYTES)
    except uploads.UploadRefused as refused:
        return _render_import(message=refused.message, status=refused.status)
    try:
        report = staff_import.import_staff(data, file_name=file_name, actor=current_actor(),
                                           check_only=request.form.get("check_only") == "1")
    except InvalidInput as exc:
        return _render_import(message=error_text(exc), status=400)
    return _render_import(report, status=400 if report.refused_rows and not report.check_only else 200)


csrf.exempt(import_file)  # import_file checks the token itself, once the upload's size bound is in place


@bp.get("/users/template.xlsx")
def template():
    """An empty staff workbook with the template's header row and two examples."""
    examples = [["jiangan_cw1", "李娜（江岸区就业服务专员）", "就业服务专员", "420102", ""],
                ["jiangan_sup", "张伟（江岸区就业服务中心主任）", "主管、创业就业指导师", "420102", ""]]
    return uploads.xlsx_download([[column.header for column in COLUMNS], *examples],
                                 sheet="人员", file_name="staff-template.xlsx")


@bp.get("/lanes")
def lane_table():
    return render_template("admin/lanes.html", lanes=lanes.lane_table(current_actor()), grants=GRANTS,
                           permissions=list(Permission), permission_labels=PERMISSION_LABELS, role_labels=ROLE_LABELS)


@bp.get("/provinces")
def province_profiles():
    actor = current_actor()
    requirements = provinces.load_requirements()
    return render_template("admin/provinces.html", rows=provinces.list_profiles(actor, requirements),
                           requirements=requirements, profiles=profiles_named(requirements.table),
                           components=provinces.COMPONENT_OF_OUTPUT)


@bp.post("/provinces/<code>")
def set_profile(code: str):
    try:
        region = provinces.set_profile(code, request.form.get("profile"), actor=current_actor())
        flash(_("%(province)s now opens new cases under the profile %(profile)s.", province=region.name,
                profile=region.profile or _("(the default)")), "success")
    except (InvalidInput, NotAllowed) as exc:
        flash(error_text(exc), "warning")
    return redirect(url_for("admin.province_profiles")), 303


def _render_tokens(*, status: int = 200, secret: str | None = None, values: dict | None = None):
    actor = current_actor()
    return render_template("admin/tokens.html", page=api_tokens.list_tokens(actor,
                                                                            page=request.args.get("page", 1, type=int)),
                           roles=api_tokens.TOKEN_ROLES, role_labels=ROLE_LABELS, secret=secret,
                           values=values or {}), status


@bp.get("/tokens")
def tokens():
    return _render_tokens()


@bp.post("/tokens")
def add_token():
    form = request.form
    values = {key: form.get(key, "").strip() for key in ("name", "role", "region_code")}
    try:
        token, secret = api_tokens.add_token(values["name"], role=values["role"], region_code=values["region_code"],
                                             actor=current_actor())
    except (InvalidInput, Conflict) as exc:
        flash(error_text(exc), "warning")
        return _render_tokens(status=400 if isinstance(exc, InvalidInput) else 409, values=values)
    flash(_("Token %(name)s added. Copy its secret now: it is not shown again.", name=token.name), "success")
    return _render_tokens(status=201, secret=secret)


@bp.post("/tokens/<name>/revoke")
def revoke_token(name: str):
    try:
        api_tokens.revoke_token(name, actor=current_actor())
        flash(_("Token %(name)s revoked: it no longer works.", name=name[:50]), "success")
    except Conflict as exc:
        flash(error_text(exc), "warning")
    return redirect(url_for("admin.tokens")), 303
