"""The caseworker's inbox."""

from flask import Blueprint, redirect, render_template, request, url_for

from caseflow.services import inbox
from caseflow.web import params
from caseflow.web.session import current_actor

bp = Blueprint("inbox", __name__)


def _query() -> inbox.InboxQuery:
    args = request.args
    return inbox.InboxQuery(scope="team" if args.get("scope") == "team" else "mine", task=params.text(args, "task"),
                            stage=params.text(args, "stage"), hardship=args.get("hardship") == "1",
                            overdue=args.get("overdue") == "1", search=params.text(args, "q"),
                            sort=params.text(args, "sort", default="due"), page=params.page(args))


@bp.get("/")
def home():
    return redirect(url_for("inbox.index"))


@bp.get("/inbox")
def index():
    actor, query = current_actor(), _query()
    page = inbox.list_inbox(actor, query)
    return render_template("inbox/index.html", page=page, query=query, task_types=inbox.task_types(actor),
                           stages=inbox.STAGES)
