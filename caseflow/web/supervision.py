"""The supervisor console: stalled lists, bulk reassignment, workload, approvals, indicators, the audit log."""

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from caseflow.domain.enums import EventAction, Role, StalledRule
from caseflow.domain.schedule import beijing_day
from caseflow.errors import Conflict, InvalidInput
from caseflow.services import audit, incidents, reassignment, report_book, reports, supervision, transfers
from caseflow.services.clock import now as clock_now
from caseflow.services.reassignment import CaseSelection
from caseflow.services.supervision import CaseFilter
from caseflow.web import error_text, params, safe_next, uploads
from caseflow.web.session import current_actor

bp = Blueprint("supervision", __name__, url_prefix="/supervision")


@bp.before_request
def _console_only():
    supervision.check_console(current_actor())


def _case_filter(args) -> CaseFilter:
    rule = args.get("rule")
    return CaseFilter(rule=StalledRule(rule) if rule in set(StalledRule) else None,
                      caseworker_id=params.whole(args, "caseworker"), unassigned=args.get("unassigned") == "1",
                      closed_this_month=args.get("closed") == "1", page=params.page(args))


@bp.get("/")
def console():
    actor = current_actor()
    open_incidents = incidents.list_incidents(actor) if Role.ANALYST not in actor.roles else None
    return render_template("supervision/console.html", counts=supervision.stalled_counts(actor),
                           workload=supervision.workload(actor), approvals=supervision.approval_counts(actor),
                           incidents=open_incidents)


@bp.get("/cases")
def cases():
    actor = current_actor()
    query = _case_filter(request.args)
    return render_template("supervision/cases.html", page=supervision.list_cases(actor, query),
                           counts=supervision.stalled_counts(actor), caseworkers=supervision.caseworkers(actor),
                           args=request.args.to_dict())


def _selection(form) -> CaseSelection:
    """The cases a supervisor picked: every case of a filter (with the count they saw), or each case with the
    caseworker they saw on it (`case=<id>:<user id or empty>`)."""
    if form.get("scope") == "all":
        return CaseSelection(filter=_case_filter(form), expected=params.whole(form, "expected", low=0))
    seen = {}
    for value in form.getlist("case"):
        case_id, _sep, owner = (part.strip() for part in value.partition(":"))
        seen[params.checked_int(case_id, "case")] = params.checked_int(owner, "case") if owner else None
    return CaseSelection(seen=seen)


@bp.post("/reassign")
def reassign():
    form = request.form
    back = url_for("supervision.cases", **{k: v for k, v in form.items() if k in ("rule", "caseworker", "unassigned")})
    selection, to_user_id = _selection(form), params.whole(form, "to", default=0, low=0)
    reason = params.text(form, "reason", max_length=500, default="")
    try:
        moved = reassignment.reassign_cases(selection, to_user_id=to_user_id, reason=reason, actor=current_actor())
    except (Conflict, InvalidInput) as exc:
        flash(error_text(exc), "warning")
        return redirect(back), 303
    flash(_("Cases reassigned: %(count)s.", count=moved), "success")
    return redirect(back), 303


@bp.get("/caseworkers/<int:user_id>")
def caseworker(user_id: int):
    actor = current_actor()
    page = supervision.list_caseworker_tasks(user_id, actor, overdue_only=request.args.get("overdue") == "1",
                                             page=params.page(request.args))
    return render_template("supervision/caseworker.html", user=page.user, page=page, today=beijing_day(clock_now()),
                           caseworkers=supervision.caseworkers(actor, county=page.user.region_code[:6]))


@bp.post("/tasks/<task:task_id>/reassign")
def reassign_task(task_id: str):
    form = request.form
    to_user_id = params.whole(form, "to", default=0, low=0)
    reason = params.text(form, "reason", max_length=500, default="")
    try:
        reassignment.reassign_task(task_id, to_user_id=to_user_id, reason=reason, actor=current_actor())
        flash(_("The task was reassigned."), "success")
    except (Conflict, InvalidInput) as exc:
        flash(error_text(exc), "warning")
    back = safe_next(form.get("back"), url_for("supervision.console"))
    return redirect(back if back.startswith("/supervision/") else url_for("supervision.console")), 303


@bp.post("/caseworkers/<int:user_id>/absence")
def absence(user_id: int):
    form = request.form
    clear = form.get("clear") == "1"
    away_from, away_until = (None, None) if clear else (params.day(form, "away_from"), params.day(form, "away_until"))
    substitute_id = params.whole(form, "substitute")
    try:
        reassignment.set_absence(user_id, away_from=away_from, away_until=away_until, substitute_id=substitute_id,
                                 actor=current_actor())
        flash(_("The absence was cleared.") if clear else _("The absence was recorded."), "success")
    except InvalidInput as exc:
        flash(error_text(exc), "warning")
    return redirect(url_for("supervision.caseworker", user_id=user_id)), 303


@bp.get("/approvals")
def approvals():
    page = supervision.list_approvals(current_actor(), kind=params.text(request.args, "kind"),
                                      page=params.page(request.args))
    return render_template("supervision/approvals.html", page=page)


@bp.get("/transferred-out")
def transferred_out():
    page = transfers.list_transferred_out(current_actor(), page=params.page(request.args))
    return render_template("supervision/transferred_out.html", page=page)


def _report():
    actor = current_actor()
    today = beijing_day(clock_now())
    return reports.indicators(actor, region=params.text(request.args, "region", max_length=12),
                              on=params.day(request.args, "on", default=today))


@bp.get("/report")
def report():
    return render_template("supervision/report.html", report=_report(), groups=report_book.GROUPS,
                           value=report_book.value, show=report_book.show, changed=report_book.changed)


@bp.get("/report/print")
def report_print():
    return render_template("supervision/report_print.html", report=_report(), groups=report_book.GROUPS,
                           value=report_book.value, show=report_book.show, changed=report_book.changed)


@bp.get("/report.xlsx")
def report_xlsx():
    data = _report()

    def label(figures):
        return _("Total") if figures is data.total else (figures.label or _("Not assigned"))
    book = report_book.workbook(data, translate=_, row_label=label, actor=current_actor())
    name = f"indicators-{data.region or 'all'}-{data.on.isoformat()}.xlsx"
    return Response(book, mimetype=uploads.XLSX, headers={"Content-Disposition": f"attachment; filename={name}"})


@bp.get("/audit")
def audit_log():
    args = request.args
    query = audit.AuditQuery(user=params.text(args, "user"), case_id=params.whole(args, "case"),
                             action=params.text(args, "action", max_length=40), date_from=params.day(args, "from"),
                             date_to=params.day(args, "to"), page=params.page(args))
    return render_template("supervision/audit.html", page=audit.list_events(current_actor(), query), query=query,
                           actions=list(EventAction), args=args.to_dict())
