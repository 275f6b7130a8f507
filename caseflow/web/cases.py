"""The case file: one page per graduate, search, export, reveal, and recording from the case file."""

from flask import Blueprint, Response, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _

from caseflow.domain.schedule import beijing_day
from caseflow.errors import Conflict, InvalidInput
from caseflow.services import case_view, casefile, deployment, postings, regions, transfers
from caseflow.services.clock import now as clock_now
from caseflow.web import bpmn_label, error_text, params
from caseflow.web.session import current_actor

bp = Blueprint("cases", __name__, url_prefix="/cases")


@bp.get("")
def search():
    text = params.text(request.args, "q")
    page = case_view.search_cases(current_actor(), text, page=params.page(request.args))
    return render_template("cases/search.html", page=page, q=text or "")


@bp.get("/export.xlsx")
def export():
    data = case_view.export_cases(current_actor(), params.text(request.args, "q"))
    return Response(data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": "attachment; filename=cases.xlsx"})


def _counties(case) -> list:
    """Receiving counties to choose from: those the search names (anywhere in the country), else the case's
    province; an out-of-province graduate's own county first."""
    text = request.args.get("county_q") or (case.outside_area_code or "")[:6]
    return regions.search_counties(text, prefix=case.region_code[:2])


def _render(case_id: int, *, revealed=None, action_errors=None, status=200):
    view = case_view.case_file(case_id, actor=current_actor())
    moves = transfers.list_transfers(case_id, actor=current_actor())
    forms = {action: deployment.get_form_or_raise(form) for action, form in casefile.ACTIONS.items()}
    return render_template("cases/show.html", view=view, forms=forms, all_forms=deployment.list_forms(),
                           **postings.form_choices(forms.values(), case_id),
                           action_forms=casefile.ACTIONS, revealed=revealed, action_errors=action_errors or {},
                           today=beijing_day(clock_now()).isoformat(),
                           counties=_counties(view.case), county_q=request.args.get("county_q", ""),
                           outside_label=regions.county_label(view.case.outside_area_code),
                           transfers=[(t, regions.county_label(t.to_county)) for t in moves]), status


@bp.get("/<int:case_id>")
def show(case_id: int):
    return _render(case_id)


@bp.post("/<int:case_id>/reveal")
def reveal(case_id: int):
    try:
        revealed = case_view.reveal(case_id, reason=params.text(request.form, "reason", max_length=500, default=""),
                                    actor=current_actor())
    except InvalidInput as exc:
        flash(error_text(exc), "warning")
        return redirect(url_for("cases.show", case_id=case_id)), 303
    return _render(case_id, revealed=revealed)


@bp.post("/<int:case_id>/actions/<name:action>")
def record(case_id: int, action: str):
    try:
        casefile.record_on_case(case_id, action, request.form.to_dict(), actor=current_actor())
    except InvalidInput as exc:
        flash(error_text(exc), "warning")
        return _render(case_id, action_errors={action: exc.params.get("errors", {})}, status=400)
    flash(_("Recorded."), "success")
    return redirect(url_for("cases.show", case_id=case_id)), 303


@bp.post("/<int:case_id>/transfer")
def transfer(case_id: int):
    to_county = params.text(request.form, "to_county", max_length=12, default="")
    reason = params.text(request.form, "reason", max_length=200)  # the transfer record keeps 200
    try:
        transfers.request_transfer(case_id, to_county=to_county, reason=reason, actor=current_actor())
    except (InvalidInput, Conflict) as exc:
        flash(error_text(exc), "warning")
        return redirect(url_for("cases.show", case_id=case_id)), 303
    flash(_("Transfer requested: your supervisor approves it, then the receiving county's supervisor decides."),
          "success")
    return redirect(url_for("cases.show", case_id=case_id)), 303


@bp.get("/<int:case_id>/diagram.json")
def diagram(case_id: int):
    data = case_view.diagram(case_id, actor=current_actor())
    data["xml"] = case_view.localize_names(data["xml"], bpmn_label)
    data["path_names"] = [bpmn_label(name) for name in data["path_names"]]
    return jsonify(data)
