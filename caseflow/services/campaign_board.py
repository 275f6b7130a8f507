"""The campaign page: the current cohorts' campaigns, each milestone's state per region, and which counties and
cities submitted their monthly reports (on time, late, returned) or not."""

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select

from caseflow.domain.actor import Actor
from caseflow.domain.campaign import CITY, COUNTY, end_of_day
from caseflow.domain.enums import HumanTaskState
from caseflow.domain.paging import Paging, paging
from caseflow.domain.permissions import Permission
from caseflow.domain.schedule import at_visit_time
from caseflow.errors import N_, NotAllowed, NotFound
from caseflow.extensions import db
from caseflow.models import Campaign, HumanTask, ProcessInstance, ReportSubmission
from caseflow.services.campaign import PROCESS_LEVELS, correlation_key
from caseflow.services.clock import now as clock_now
from caseflow.services.scope import region_clause

# The milestone user tasks of the campaign diagrams and the tasks their missed deadline opens at the level above
# (workflows/bpmn/campaign*.bpmn); the page shows each one's state per region.
MILESTONES: dict[str, tuple[str, str]] = {"notices": ("send_notices", "notices_overdue"),
                                          "handover": ("hand_down_ledger", "handover_overdue"),
                                          "receipt": ("confirm_ledger", "receipt_overdue")}
YEAR_END_REVIEW = "year_end_review"
# what deploy checks each campaign process still has (services/deployment.py)
RELIED_ON: dict[str, set[str]] = {
    "campaign": {"hand_down_ledger", "handover_overdue"},
    "campaign_county": {"send_notices", "notices_overdue", "confirm_ledger", "receipt_overdue", YEAR_END_REVIEW},
}
PAGE_SIZE = 20


def check_viewer(actor: Actor) -> None:
    if not actor.may(Permission.VIEW_CAMPAIGNS):
        raise NotAllowed(N_("only supervisors, analysts and administrators may see the campaigns"))


def _province_clause(actor: Actor):
    return Campaign.province.startswith(actor.region_code[:2]) if actor.region_code else Campaign.id.isnot(None)


@dataclass
class CampaignPage:
    rows: list[Campaign]
    shown: Paging


def list_campaigns(actor: Actor, *, page: int = 1) -> CampaignPage:
    """The campaigns of the actor's province (all of them for the installation's staff), newest cohort first."""
    check_viewer(actor)
    total = db.session.scalar(select(func.count()).select_from(Campaign).where(_province_clause(actor)))
    shown = paging(total, page, PAGE_SIZE)
    rows = db.session.scalars(select(Campaign).where(_province_clause(actor))
                              .order_by(Campaign.cohort.desc(), Campaign.province)
                              .limit(shown.size).offset(shown.offset)).all()
    return CampaignPage(list(rows), shown)


@dataclass
class Milestone:
    state: str  # open | done | done_late | missed | escalated
    due: date
    completed_at: datetime | None = None


@dataclass
class ReportState:
    state: str  # pending | missing | submitted | late | returned | accepted
    submission: ReportSubmission | None = None
    corrections: int = 0


@dataclass
class RegionRow:
    code: str
    level: str
    milestones: dict[str, Milestone] = field(default_factory=dict)
    reports: dict[str, ReportState] = field(default_factory=dict)
    year_end: str | None = None  # review (below target) | met | None before the year end


@dataclass
class CampaignView:
    campaign: Campaign
    months: list[str]  # report months whose county task has opened
    rows: list[RegionRow]
    shown: Paging


def _milestone(tasks: dict[str, HumanTask], name: str, day: str, now: datetime) -> Milestone | None:
    task_id, overdue_id = MILESTONES[name]
    task = tasks.get(task_id)
    if task is None:
        return None
    due = end_of_day(date.fromisoformat(day))
    if task.state == HumanTaskState.COMPLETED:
        return Milestone("done" if task.completed_at <= due else "done_late", due.date(), task.completed_at)
    if overdue_id in tasks:
        return Milestone("escalated", due.date())
    return Milestone("missed" if now > due else "open", due.date())


def _report(submissions: list[ReportSubmission], due: datetime, now: datetime) -> ReportState:
    if not submissions:
        return ReportState("missing" if now > due else "pending")
    latest = submissions[-1]
    if latest.review in ("accepted", "returned"):
        state = latest.review
    else:
        first = submissions[0]
        state = "late" if first.due_at and first.submitted_at > first.due_at else "submitted"
    return ReportState(state, latest, len(submissions) - 1)


def _of_campaign(campaign: Campaign, actor: Actor) -> tuple:
    return (ProcessInstance.correlation_key == correlation_key(campaign.province, campaign.cohort),
            region_clause(ProcessInstance.region_code, actor.region_code))


def _row(instance: ProcessInstance, campaign: Campaign, months: list[str], now: datetime) -> RegionRow:
    level = PROCESS_LEVELS[instance.process_id]
    tasks: dict[str, HumanTask] = {}
    for task in db.session.scalars(select(HumanTask).where(HumanTask.instance_id == instance.id)
                                   .where(HumanTask.state != HumanTaskState.CANCELLED).order_by(HumanTask.created_at)):
        tasks.setdefault(task.bpmn_id, task)
    row = RegionRow(instance.region_code, level)
    for name in MILESTONES:
        if (state := _milestone(tasks, name, campaign.calendar[name], now)) is not None:
            row.milestones[name] = state
    if level in (COUNTY, CITY):
        submitted: dict[str, list[ReportSubmission]] = {}
        for submission in db.session.scalars(select(ReportSubmission).where(ReportSubmission.instance_id == instance.id)
                                             .order_by(ReportSubmission.id)):
            submitted.setdefault(submission.month, []).append(submission)
        for report in campaign.calendar["reports"][level]:
            if report["month"] in months and datetime.fromisoformat(report["at"]) <= now:
                row.reports[report["month"]] = _report(submitted.get(report["month"], []),
                                                       datetime.fromisoformat(report["due"]), now)
    if level == COUNTY and now >= at_visit_time(date.fromisoformat(campaign.calendar["year_end"])):
        row.year_end = "review" if YEAR_END_REVIEW in tasks else "met"
    return row


def show_campaign(campaign_id: int, actor: Actor, *, page: int = 1) -> CampaignView:
    """One campaign as the actor's region sees it: a page of its regions with their milestones and reports."""
    check_viewer(actor)
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None or not (actor.covers(campaign.province) or campaign.province == actor.region_code[:2]):
        raise NotFound(N_("campaign not found"))
    now = clock_now()
    months = [r["month"] for r in campaign.calendar["reports"][COUNTY] if datetime.fromisoformat(r["at"]) <= now]
    clauses = _of_campaign(campaign, actor)
    shown = paging(db.session.scalar(select(func.count()).select_from(ProcessInstance).where(*clauses)), page,
                   PAGE_SIZE)
    instances = db.session.scalars(select(ProcessInstance).where(*clauses).order_by(ProcessInstance.region_code)
                                   .limit(shown.size).offset(shown.offset))
    rows = [_row(instance, campaign, months, now) for instance in instances]
    return CampaignView(campaign, months, rows, shown)


@dataclass
class SubmissionView:
    submission: ReportSubmission
    groups: list[tuple[str, list[tuple[str, str]]]]  # group title, (label, figure as shown) — msgids
    history: list[ReportSubmission]  # every submission of the region's month, oldest first


def show_submission(submission_id: int, actor: Actor) -> SubmissionView:
    """A submitted report as it was frozen, with the other submissions of its month (returns, corrections)."""
    from caseflow.services.report_book import GROUPS, show
    from caseflow.services.reports import Figures

    check_viewer(actor)
    submission = db.session.get(ReportSubmission, submission_id)
    if submission is None or not actor.covers(submission.region_code):
        raise NotFound(N_("report not found"))
    known = {item for item in Figures.__dataclass_fields__}
    figures = Figures(**{k: v for k, v in submission.figures["total"].items() if k in known})
    target = submission.figures.get("target")
    groups = [(group.title, [(column.label, show(target if column.key == "target" else column.value(figures),
                                                 column.kind)) for column in group.columns])
              for group in GROUPS]
    history = list(db.session.scalars(select(ReportSubmission).where(
        ReportSubmission.instance_id == submission.instance_id, ReportSubmission.month == submission.month)
        .order_by(ReportSubmission.id)))
    return SubmissionView(submission, groups, history)
