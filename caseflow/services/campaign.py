"""The yearly campaign of a cohort (seeds 000 §5, 004 §(六), §三(二)): opening it in a province starts the province's,
each city's and each county's campaign process on the province's calendar; the monthly reports they submit are
frozen as submitted; at the year end, counties below the target review the graduates still seeking."""

import json
from dataclasses import asdict, dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import exists, func, select

from caseflow import engine
from caseflow.domain.actor import Actor
from caseflow.domain.campaign import CITY, COUNTY, PROVINCE, CampaignCalendar, calendar_of
from caseflow.domain.decision_table import DecisionTable, read_decision
from caseflow.domain.enums import CaseStatus, EventAction, HumanTaskState, RegionLevel
from caseflow.domain.paging import Paging, paging
from caseflow.domain.permissions import Permission
from caseflow.domain.schedule import beijing_day
from caseflow.errors import N_, Conflict, InvalidInput, NotAllowed, NotFound
from caseflow.extensions import db
from caseflow.models import (
    Campaign,
    Case,
    Graduate,
    HumanTask,
    Placement,
    ProcessInstance,
    ProcessVersion,
    Region,
    ReportSubmission,
    User,
)
from caseflow.services.clock import now as clock_now
from caseflow.services.deployment import workflows_dir
from caseflow.services.instances import latest_version_id
from caseflow.services.records import instance_recorder
from caseflow.services.workflow import committing, insert_instance, log_event, spec_ref

DECISION = "campaign_calendar"
DMN_FILE = f"{DECISION}.dmn"
PROVINCE_PROCESS, CITY_PROCESS, COUNTY_PROCESS = "campaign", "campaign_city", "campaign_county"
PROCESS_LEVELS = {PROVINCE_PROCESS: PROVINCE, CITY_PROCESS: CITY, COUNTY_PROCESS: COUNTY}
ACCEPTED, RETURNED = "accepted", "returned"


def correlation_key(province: str, cohort: int) -> str:
    return f"campaign:{province}:{cohort}"


def calendar_table() -> DecisionTable:
    """The campaign-calendar decision table of the newest deployed version carrying it, else the workflows
    directory's copy (before anything is deployed)."""
    for files in db.session.scalars(select(ProcessVersion.files).order_by(ProcessVersion.id.desc())):
        if DMN_FILE in files and (table := read_decision(files[DMN_FILE], DECISION)):
            return table
    path = workflows_dir() / "dmn" / DMN_FILE
    table = read_decision(path.read_text(encoding="utf-8"), DECISION) if path.exists() else None
    if table is None:
        raise NotFound(N_("no decision table %(decision)s is deployed"), decision=DECISION)
    return table


def calendar_for(province: str, cohort: int) -> CampaignCalendar:
    """The province's calendar for a cohort, as the decision table's first matching rule says."""
    table = calendar_table()
    rule = table.first_match({table.inputs[0][1]: province})
    if rule is None:
        raise InvalidInput(N_("the campaign calendar has no rule for province %(province)s"), province=province)
    try:
        return calendar_of(cohort, {name: text.strip('"') for name, text in rule.outputs.items()})
    except (KeyError, ValueError) as exc:
        raise InvalidInput(N_("the campaign calendar's rule %(rule)s is not a valid calendar"), rule=rule.id) from exc


def stored_calendar(calendar: CampaignCalendar) -> dict:
    """What the campaign row keeps: the milestone dates and each level's report schedule."""
    return {**{name: day.isoformat() for name, day in calendar.milestones().items()},
            "reports": {COUNTY: calendar.report_schedule(COUNTY), CITY: calendar.report_schedule(CITY)}}


def _province(code: str, actor: Actor) -> Region:
    if not actor.may(Permission.OPEN_CAMPAIGN):
        raise NotAllowed(N_("only supervisors and administrators may open a cohort's campaign"))
    region = db.session.get(Region, (code or "").strip())
    if region is None or region.level != RegionLevel.PROVINCE:
        raise InvalidInput(N_("%(code)s is not a province's area code"), code=(code or "")[:12])
    if not actor.covers(region.code):
        raise NotAllowed(N_("only the province's own staff may open its campaign"))
    return region


def _children(province: str, level: str) -> list[Region]:
    return list(db.session.scalars(select(Region).where(Region.level == level, Region.code.startswith(province))
                                   .order_by(Region.code)))


def _start(process_id: str, data: dict, *, region: str, key: str, actor: Actor, now: datetime) -> int:
    version_id = latest_version_id(process_id)
    sha, process_id, files = spec_ref(version_id)
    snapshot = engine.start(sha, process_id, files, data)
    return insert_instance(version_id=version_id, process_id=process_id, snapshot=snapshot, region_code=region,
                           correlation_key=key, now=now, actor=actor)


def open_campaign(province: str, cohort: int, *, actor: Actor) -> Campaign:
    """Open a cohort's campaign in a province: the province's process, one per city and one per county, all
    on the province's calendar, in one transaction. A cohort is opened once per province."""
    region = _province(province, actor)
    if not isinstance(cohort, int) or not 2000 <= cohort <= 2100:
        raise InvalidInput(N_("%(cohort)s is not a cohort year"), cohort=cohort)
    key = correlation_key(region.code, cohort)
    if db.session.scalar(select(Campaign.id).where(Campaign.province == region.code, Campaign.cohort == cohort)):
        raise Conflict(N_("the %(cohort)s campaign of %(province)s is already open"), cohort=cohort,
                       province=region.name)
    calendar = calendar_for(region.code, cohort)
    now, dates = clock_now(), calendar.as_data()
    with committing():
        campaign = Campaign(province=region.code, cohort=cohort, calendar=stored_calendar(calendar), opened_at=now,
                            opened_by=actor.user_id)
        db.session.add(campaign)
        db.session.flush()
        common = {"province": region.code, "campaign_id": campaign.id, **dates, "report": {"number": 0}}
        _start(PROVINCE_PROCESS, common, region=region.code, key=key, actor=actor, now=now)
        for city in _children(region.code, RegionLevel.CITY):
            _start(CITY_PROCESS, {**common, "city": city.code, "reports": calendar.report_schedule(CITY)},
                   region=city.code, key=key, actor=actor, now=now)
        for county in _children(region.code, RegionLevel.COUNTY):
            _start(COUNTY_PROCESS, {**common, "city": county.parent_code or county.code[:4], "county": county.code,
                                    "reports": calendar.report_schedule(COUNTY)},
                   region=county.code, key=key, actor=actor, now=now)
        log_event(actor=actor, action=EventAction.CAMPAIGN_OPENED, now=now, province=region.code, cohort=cohort)
    return campaign


def campaign_of_instance(instance: ProcessInstance) -> Campaign:
    _, province, cohort = (instance.correlation_key or "::").split(":")
    campaign = db.session.scalar(select(Campaign).where(Campaign.province == province,
                                                        Campaign.cohort == int(cohort or 0)))
    if campaign is None:
        raise NotFound(N_("the task belongs to no campaign"))
    return campaign


def _frozen_figures(actor: Actor, region: str, now: datetime) -> tuple[str, dict]:
    """The region's report as the report service computes it now, as JSON (trend and navigation left out)."""
    from caseflow.services.reports import indicators

    on = beijing_day(now)
    report = indicators(actor, region=region, on=on)
    shown = {"region": report.region, "region_name": report.region_name, "on": on.isoformat(), "level": report.level,
             "target": report.target, "total": asdict(report.total), "rows": [asdict(row) for row in report.rows]}
    return on.isoformat(), json.loads(json.dumps(shown, default=str))


def _latest(instance_id: int) -> ReportSubmission | None:
    return db.session.scalar(select(ReportSubmission).where(ReportSubmission.instance_id == instance_id)
                             .order_by(ReportSubmission.id.desc()).limit(1))


def _month_due(campaign: Campaign, level: str, month: str) -> datetime | None:
    due = next((r["due"] for r in campaign.calendar["reports"][level] if r["month"] == month), None)
    return datetime.fromisoformat(due) if due else None


def _submit(instance_id: int, level: str, data: dict, actor: Actor, now: datetime) -> None:
    instance = db.session.get(ProcessInstance, instance_id)
    campaign = campaign_of_instance(instance)
    comment = (data.get("comment") or "").strip() or None
    previous = _latest(instance_id)
    if previous is not None and previous.review == RETURNED and not _corrected(previous.id):
        if comment is None:
            raise InvalidInput(N_("a resubmitted report needs a comment saying what was corrected"))
        month, corrects = previous.month, previous.id
    else:
        opened = db.session.scalar(select(HumanTask.created_at).where(
            HumanTask.instance_id == instance_id, HumanTask.state == HumanTaskState.READY,
            HumanTask.action == f"{level}_report").order_by(HumanTask.created_at.desc()).limit(1)) or now
        month, corrects = beijing_day(opened).strftime("%Y-%m"), None
    report_on, figures = _frozen_figures(actor, instance.region_code, now)
    db.session.add(ReportSubmission(
        campaign_id=campaign.id, instance_id=instance_id, region_code=instance.region_code, level=level, month=month,
        report_on=report_on, due_at=_month_due(campaign, level, month), submitted_at=now, submitted_by=actor.user_id,
        comment=comment, figures=figures, corrects_id=corrects))


def _corrected(submission_id: int) -> bool:
    return bool(db.session.scalar(select(exists().where(ReportSubmission.corrects_id == submission_id))))


@instance_recorder("county_report")
def record_county_report(instance_id: int, data: dict, actor: Actor, now: datetime) -> None:
    _submit(instance_id, COUNTY, data, actor, now)


@instance_recorder("city_report")
def record_city_report(instance_id: int, data: dict, actor: Actor, now: datetime) -> None:
    _submit(instance_id, CITY, data, actor, now)


@instance_recorder("report_review")
def record_review(instance_id: int, data: dict, actor: Actor, now: datetime) -> None:
    """The city's review of the county's latest submission: accepted, or returned with a reason."""
    submission = _latest(instance_id)
    if submission is None or submission.review is not None:
        raise Conflict(N_("there is no submitted report waiting for review"))
    reason = (data.get("reason") or "").strip() or None
    returned = data.get("decision") == "return"
    if returned and reason is None:
        raise InvalidInput(N_("a returned report needs a reason"))
    submission.review, submission.reviewed_at, submission.reviewed_by = (RETURNED if returned else ACCEPTED), now, \
        actor.user_id
    submission.return_reason = reason if returned else None


def correct_report(submission_id: int, *, comment: str, actor: Actor) -> ReportSubmission:
    """A correction of a submitted report: a new submission of the same month with today's figures and the reason;
    the corrected one stays as it was."""
    original = db.session.get(ReportSubmission, submission_id)
    if original is None or not actor.covers(original.region_code):
        raise NotFound(N_("report not found"))
    if not actor.may(Permission.SUBMIT_REPORTS):
        raise NotAllowed(N_("only supervisors may submit reports"))
    if not (comment or "").strip():
        raise InvalidInput(N_("a correction needs a comment saying why"))
    if _corrected(original.id):
        raise Conflict(N_("this report was already corrected; correct the newest submission"))
    now = clock_now()
    with committing():
        report_on, figures = _frozen_figures(actor, original.region_code, now)
        correction = ReportSubmission(
            campaign_id=original.campaign_id, instance_id=original.instance_id, region_code=original.region_code,
            level=original.level, month=original.month, report_on=report_on, due_at=original.due_at,
            submitted_at=now, submitted_by=actor.user_id, comment=comment.strip(), figures=figures,
            corrects_id=original.id)
        db.session.add(correction)
        log_event(actor=actor, action=EventAction.REPORT_CORRECTED, now=now, submission=original.id,
                  region=original.region_code, month=original.month)
    return correction


def year_end_rate(county: str, cohort: int, now: datetime) -> dict:
    """The county's help-into-employment rate for the cohort: graduates ever seeking with a verified placement ÷
    graduates ever seeking (DOMAIN.md), against CASEFLOW_EMPLOYMENT_TARGET."""
    cohort_cases = (Case.county_code == county, Case.cohort == cohort, Case.ever_seeking.is_(True))
    seeking = db.session.scalar(select(func.count()).select_from(Case).where(*cohort_cases)) or 0
    helped = db.session.scalar(select(func.count()).select_from(Case).where(
        *cohort_cases, exists().where(Placement.case_id == Case.id, Placement.recorded_at <= now))) or 0
    target = current_app.config["CASEFLOW_EMPLOYMENT_TARGET"]
    rate = helped / seeking if seeking else None
    return {"seeking": seeking, "helped": helped, "rate": rate, "target": target,
            "below_target": rate is not None and rate < target}


@dataclass
class StillSeeking:
    caseworker: str
    graduates: list[tuple[int, str, str]]  # case id, name, masked ID number


@dataclass
class SeekingPage:
    groups: list[StillSeeking]
    shown: Paging


SEEKING_PAGE_SIZE = 50


def still_seeking(county: str, cohort: int, actor: Actor, *, page: int = 1) -> SeekingPage:
    """A page of the cohort's graduates of the county still seeking work, grouped by caseworker (the year-end
    review)."""
    if not actor.covers(county) or not actor.may(Permission.VIEW_CAMPAIGNS):
        raise NotAllowed(N_("you may not see this county's campaign"))
    clauses = (Case.county_code == county, Case.cohort == cohort, Case.status == CaseStatus.SEEKING)
    shown = paging(db.session.scalar(select(func.count()).select_from(Case).where(*clauses)), page, SEEKING_PAGE_SIZE)
    rows = db.session.execute(
        select(Case.id, Graduate.name, Graduate.id_masked, User.display_name)
        .join(Graduate, Graduate.id == Case.graduate_id).outerjoin(User, User.id == Case.caseworker_id)
        .where(*clauses).order_by(User.display_name, Graduate.name, Case.id)
        .limit(shown.size).offset(shown.offset)).all()
    groups: dict[str, StillSeeking] = {}
    for case_id, name, masked, caseworker in rows:
        label = caseworker or "—"
        groups.setdefault(label, StillSeeking(label, [])).graduates.append((case_id, name, masked))
    return SeekingPage(list(groups.values()), shown)
