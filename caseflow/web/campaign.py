"""The campaign page: the current cohorts' campaigns, each milestone's state per region, the monthly reports'
submission status, the year-end review list; opening a cohort's campaign."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from caseflow.errors import Conflict, InvalidInput, NotAllowed
from caseflow.services import campaign as campaigns
from caseflow.services import campaign_board
from caseflow.web import error_text, params
from caseflow.web.session import current_actor

bp = Blueprint("campaign", __name__, url_prefix="/campaigns")


@bp.before_request
def _viewers_only():
    campaign_board.check_viewer(current_actor())


@bp.get("/")
def index():
    actor = current_actor()
    page = campaign_board.list_campaigns(actor, page=params.page(request.args))
    # only the staff of a province (or of the whole installation) may open its campaign
    return render_template("campaign/index.html", page=page, province=actor.region_code[:2],
                           province_staff=len(actor.region_code) <= 2)


@bp.post("/open")
def open_campaign():
    form = request.form
    province = params.text(form, "province", max_length=2, default="") or ""
    cohort = params.whole(form, "cohort", low=2000, high=2100, default=0)
    try:
        opened = campaigns.open_campaign(province, cohort, actor=current_actor())
    except (Conflict, InvalidInput, NotAllowed) as exc:
        flash(error_text(exc), "warning")
        return redirect(url_for("campaign.index")), 303
    flash(_("The %(cohort)s campaign is open.", cohort=opened.cohort), "success")
    return redirect(url_for("campaign.show", campaign_id=opened.id)), 303


@bp.get("/<int:campaign_id>")
def show(campaign_id: int):
    view = campaign_board.show_campaign(campaign_id, current_actor(), page=params.page(request.args))
    return render_template("campaign/show.html", view=view)


@bp.get("/<int:campaign_id>/year-end")
def year_end(campaign_id: int):
    actor = current_actor()
    county = params.text(request.args, "county", max_length=12, default="") or ""
    view = campaign_board.show_campaign(campaign_id, actor)
    page = campaigns.still_seeking(county, view.campaign.cohort, actor, page=params.page(request.args))
    return render_template("campaign/year_end.html", view=view, county=county, page=page)


@bp.get("/submissions/<int:submission_id>")
def submission(submission_id: int):
    return render_template("campaign/submission.html",
                           view=campaign_board.show_submission(submission_id, current_actor()))
