"""Cohort simulation for the process designer: run a synthetic cohort through the graduate journey as the current
version has it and as the designer's draft would have it, each in a scratch database on a simulated clock, and
compare their indicators month by month.

Each run builds a second Flask app bound to a fresh temporary SQLite file: the schema is migrated there, the
journey's files deployed, regions, caseworkers and postings set up, the cohort handed over, and then day after day
the clock moves on, the real timer sweep runs and a deterministic behaviour model completes the real tasks through
the real services (instances.complete_task), acting as caseworkers, supervisors and graduates. The indicators at
each month's end come from the monthly report (services.reports). Only the run's row (simulation_run) is written
to the installation's own database; the scratch database is deleted when the run ends.

The behaviour is decided per graduate and task, never by the order things happen in: a graduate reached on day 5,
classified seeking and placed after four months in one run is so in the other, so the difference between the two
columns is what the process makes of the same people and the same caseworkers."""

import hashlib
import json
import logging
import shutil
import tempfile
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy import func, select, update

from caseflow import synth
from caseflow.domain.actor import SYSTEM, Actor
from caseflow.domain.clock import Clock
from caseflow.domain.enums import CaseStatus, HumanTaskState, RegionLevel, Role
from caseflow.domain.graduates import NewGraduate
from caseflow.domain.paging import PAGE_SIZE, paging
from caseflow.domain.permissions import Permission
from caseflow.domain.schedule import beijing_day
from caseflow.domain.supervision import beijing_midnight
from caseflow.errors import N_, CaseflowError, Conflict, InvalidInput, NotAllowed, NotFound
from caseflow.extensions import db
from caseflow.models import (
    Case,
    Graduate,
    HumanTask,
    JobPosting,
    MissedVisit,
    ProcessVersion,
    Region,
    SimulationRun,
    User,
)
from caseflow.services import lint
from caseflow.services.clock import now as clock_now
from caseflow.services.workflow import committing

log = logging.getLogger(__name__)

JOURNEY = "graduate_journey"
START = datetime(2026, 7, 1, 1, 0, tzinfo=UTC)  # 09:00 Beijing on 1 July 2026, the day after graduation
QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
LIMITS = {"graduates": (1, 5000), "months": (1, 24), "caseworkers": (1, 20), "seed": (0, 2**31 - 1)}
DEFAULTS = {"province": "22", "graduates": 200, "months": 12, "seed": 2026, "caseworkers": 2}
PROVINCES = {"22": "jilin_1311", "42": "hubei"}
FULL_PACKAGE = ("career_guidance", "job_referral", "job_referral", "job_referral", "training_offer",
                "internship_offer")
EMPLOYER = "模拟就业单位"
# A simulated day: the timers are swept and the model acts once a day, each day a second later than the day
# before, so a timer due a whole number of days after something the model did has passed when the sweep comes
# (SpiffWorkflow fires a timer only once its time is past, and a sweep exactly at it would leave it a day).
DAY = timedelta(days=1, seconds=1)
SKIP: dict = {}  # the model's answer for a task it leaves open for good
# the summary figures shown side by side, in this order, with their labels
SUMMARY_LABELS = {
    "tasks": N_("Caseworker tasks completed"),
    "tasks_per_caseworker_month": N_("Tasks per caseworker per month"),
    "package_complete": N_("Seeking graduates with the package complete (at the end)"),
    "seeking": N_("Graduates seeking work (at the end)"),
    "package_rate": N_("Package completion"),
    "visits_made": N_("Follow-up visits made"),
    "visits_due": N_("Follow-up visits due"),
    "follow_up_rate": N_("Follow-up compliance"),
    "ever_seeking": N_("Graduates classified seeking"),
    "helped": N_("Of them placed"),
    "help_rate": N_("Help-into-employment rate"),
    "boundary_reached": N_("Cases that reached the two-year boundary"),
    "open_unplaced_at_end": N_("Open unplaced cases at the end, to reach the boundary later"),
    "open_cases": N_("Open cases at the end"),
}
SUMMARY_KEYS = tuple(SUMMARY_LABELS)
RATES = frozenset({"package_rate", "follow_up_rate", "help_rate"})
NOT_FOUND = N_("simulation run not found")
NOT_IN_JOURNEY = N_("a simulation runs the graduate journey; process %(process)s is not part of it")


def _require(actor: Actor) -> None:
    if not actor.may(Permission.DESIGN_PROCESSES):
        raise NotAllowed(N_("only process designers may edit and publish processes"))


# ---- the behaviour model ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Behaviour:
    """What one graduate and their caseworker do: when the first contact attempt is made and whether it reaches
    them, how they are classified, which package services they take (in order, one every `service_every` days
    from the day after classification), which monthly visits
    (1 = the visit of the month of classification) their caseworker misses, and after how many days from the
    handover a visit finds them employed (None: never within the run)."""

    reachable: bool = True
    contact_day: int = 1
    status: str = "seeking"
    services: tuple[str, ...] = FULL_PACKAGE
    service_every: int = 3
    missed_visits: frozenset[int] = frozenset()
    placed_after_days: int | None = None

    def as_dict(self) -> dict:
        data = asdict(self)
        data["services"], data["missed_visits"] = list(self.services), sorted(self.missed_visits)
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "Behaviour":
        known = {name: data[name] for name in cls.__dataclass_fields__ if name in data}
        if "services" in known:
            known["services"] = tuple(known["services"])
        if "missed_visits" in known:
            known["missed_visits"] = frozenset(int(n) for n in known["missed_visits"])
        return cls(**known)


def _draw(seed: int, who: str, what: str) -> float:
    """A number in [0, 1) fixed by the seed, the graduate and the question (the same in both runs)."""
    digest = hashlib.sha256(f"{seed}:{who}:{what}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def behaviour_of(graduate: NewGraduate, seed: int) -> Behaviour:
    """The behaviour of a synthetic graduate, drawn from the seed and their ID number."""
    who = graduate.id_number

    def draw(what: str) -> float:
        return _draw(seed, who, what)

    roll = draw("status")
    status = "employed" if roll < 0.2 else "no_intent" if roll < 0.3 else "seeking"
    services = FULL_PACKAGE if draw("package") < 0.7 else FULL_PACKAGE[:int(draw("services") * len(FULL_PACKAGE))]
    placed = 20 + int(draw("placed_day") * 340) if draw("placed") < 0.6 else None
    return Behaviour(reachable=draw("reachable") < 0.95, contact_day=1 + int(draw("contact_day") * 14),
                     status=status, services=services, placed_after_days=placed,
                     service_every=2 + int(draw("service_every") * 8),
                     missed_visits=frozenset(n for n in range(1, 25) if draw(f"visit{n}") < 0.15))


@dataclass
class CaseMemory:
    """What the model remembers of a case during a run: the contact attempts and services so far, the day of the
    classification, and the number of the visit at hand (1: the visit of the classification's month)."""

    attempts: int = 0
    services: int = 0
    classified_on: date | None = None
    visit_number: int = 0


class Model:
    """Acts on the ready tasks of the scratch database once a simulated day."""

    def __init__(self, behaviours: dict[str, Behaviour], start: date) -> None:
        self.behaviours = behaviours
        self.start = start
        self.memory: dict[int, CaseMemory] = {}
        self.refused: Counter = Counter()
        self.skipped: set[str] = set()
        self.left: Counter = Counter()  # tasks the model leaves open for good, by BPMN id

    def _attempt(self, memory: CaseMemory, who: Behaviour, day: str, days_in: int, age: int) -> dict | None:
        if days_in < who.contact_day:
            return None
        memory.attempts += 1
        channel = "sms" if memory.attempts % 2 == 0 else "phone"
        return {"channel": channel, "outcome": "reached" if who.reachable else "no_answer", "contacted_on": day}

    @staticmethod
    def _classification(status: str, day: str) -> dict:
        data = {"status": status, "startup_intent": False, "effective_on": day}
        if status == "employed":
            data.update(employer=EMPLOYER, placement_kind="contract_job", verified_how="labour_contract")
        elif status == "no_intent":
            data["no_intent_reason"] = "exam_preparation"
        return data

    def _classify(self, memory: CaseMemory, who: Behaviour, day: str, days_in: int, age: int) -> dict | None:
        memory.classified_on = date.fromisoformat(day)
        return self._classification(who.status, day)

    def _reclassify(self, memory: CaseMemory, who: Behaviour, day: str, days_in: int, age: int) -> dict | None:
        return self._classification("no_intent", day)

    def _deliver(self, memory: CaseMemory, who: Behaviour, day: str, days_in: int, age: int) -> dict | None:
        """One service every few days, in the order of the graduate's list; none once the list is done."""
        if memory.services >= len(who.services) or age < (who.service_every if memory.services else 1):
            return None
        memory.services += 1
        return {"kind": who.services[memory.services - 1], "response": "accepted", "delivered_on": day}

    def _visit(self, memory: CaseMemory, who: Behaviour, day: str, days_in: int, age: int) -> dict | None:
        """The visit of the month of classification the day after it falls due, later ones the day they fall due
        (visits are numbered by their month, made or not); a missed one is left for the month's end."""
        if memory.visit_number in who.missed_visits:
            return SKIP
        if age < 1 and memory.visit_number == 1:
            return None
        data = {"channel": "phone", "status": "seeking", "visited_on": day}
        if who.placed_after_days is not None and days_in >= who.placed_after_days:
            data.update(status="employed", employer=EMPLOYER, placement_kind="contract_job",
                        verified_how="labour_contract", placed_on=day)
        return data

    def _data(self, task, case_id: int, who: Behaviour, today: date) -> dict | None:
        """The form a task is completed with today, SKIP to leave it for good, or None to leave it for now."""
        day, age = today.isoformat(), (today - beijing_day(task.created_at)).days
        memory = self.memory.setdefault(case_id, CaseMemory())
        if task.bpmn_id == "visit_task":  # visit n falls in the (n-1)th month after the classification's
            first = memory.classified_on or today
            created = beijing_day(task.created_at)
            memory.visit_number = (created.year - first.year) * 12 + created.month - first.month + 1
        decide = {"attempt": self._attempt, "classify": self._classify, "reclassify": self._reclassify,
                  "deliver": self._deliver, "visit_task": self._visit}.get(task.bpmn_id)
        if decide is not None:
            return decide(memory, who, day, (today - self.start).days, age)
        if age < 1:
            return None  # everything else the next day
        simple = {"verify": {"closure_reason": "contract_job", "verified_how": "劳动合同", "closed_on": day},
                  "approve_closure": {"decision": "approve"}, "approve_unreachable": {"decision": "approve"},
                  "approve_plan": {"decision": "approve"}, "check": {"still_employed": "yes", "checked_on": day},
                  "review_overdue": {"action": "accept_delay"}, "offer_subsidy": {"response": "declined"},
                  "plan": {"goals": "就业", "measures": "岗位推荐", "mentor": "指导师", "planned_on": day}}
        return simple.get(task.bpmn_id, SKIP)

    def act(self, today: date) -> int:
        """Complete what the caseworkers, supervisors and graduates do today; returns how many tasks."""
        from caseflow.services import instances

        rows = db.session.execute(select(*TASK_COLUMNS).join(Case, Case.id == HumanTask.case_id)
                                  .where(HumanTask.state == HumanTaskState.READY)
                                  .order_by(HumanTask.created_at, HumanTask.id)).all()
        db.session.rollback()
        done = 0
        for task in rows:  # plain rows: a completion's commit expires nothing the loop reads
            if task.id in self.skipped:
                continue
            who = self.behaviours.get(str(task.graduate_id))
            if who is None:
                continue
            data = self._data(task, task.case_id, who, today)
            if data is SKIP:
                self.skipped.add(task.id)
                self.left[task.bpmn_id] += 1
            if data is None or data is SKIP:
                continue
            try:
                instances.complete_task(task.id, actor=_actor_for(task), data=data)
                done += 1
            except CaseflowError as exc:  # a draft may ask for something the model does not give
                db.session.rollback()
                self.refused[f"{task.bpmn_id}: {exc.text()}"] += 1
                self.skipped.add(task.id)
        return done


TASK_COLUMNS = (HumanTask.id, HumanTask.bpmn_id, HumanTask.created_at, HumanTask.case_id, HumanTask.lane,
                HumanTask.assignee, HumanTask.region_code, Case.graduate_id)


def _actor_for(task) -> Actor:
    """Who completes a task: its assignee, else someone of its lane in its region."""
    role = {"caseworker": Role.CASEWORKER, "supervisor": Role.SUPERVISOR, "mentor": Role.MENTOR}.get(
        (task.lane or "").lower(), Role.CASEWORKER)
    return Actor(task.assignee or f"sim_{role.value}", frozenset({role}), task.region_code or "")


# ---- one run in a scratch database ------------------------------------------------------------------------------

@dataclass
class Cohort:
    """The cohort of a run: the province, the graduates (with their behaviours, keyed by position) and how many
    caseworkers each county has."""

    province: str
    graduates: list[NewGraduate]
    behaviours: list[Behaviour]
    caseworkers: int = DEFAULTS["caseworkers"]


def synthetic_cohort(province: str, graduates: int, seed: int, caseworkers: int) -> Cohort:
    people = list(synth.graduates(graduates, seed=seed, province=province))
    return Cohort(province, people, [behaviour_of(g, seed) for g in people], caseworkers)


@dataclass
class RunFigures:
    months: list[dict] = field(default_factory=list)
    summary: dict = field(default_factory=dict)
    refused: dict = field(default_factory=dict)
    left_open: dict = field(default_factory=dict)
    seconds: float = 0.0


def _scratch_app(directory: Path, clock: Clock) -> Flask:
    """A second app of this installation's configuration, bound to a fresh SQLite file, on its own clock."""
    from caseflow import create_app
    from caseflow.engine import clockpatch

    config = {key: value for key, value in current_app.config.items() if key.startswith("CASEFLOW_")}
    config.update({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{directory / 'simulation.db'}", "TESTING": True,
                   "SECRET_KEY": current_app.config["SECRET_KEY"], "CASEFLOW_CLOCK": clock,
                   "CASEFLOW_SCHEDULER": False, "CASEFLOW_SIMULATED_CLOCK": False, "CASEFLOW_PROVINCES": "",
                   "CASEFLOW_UPLOAD_DIR": str(directory / "uploads")})
    restore = clockpatch.now_function()  # create_app installs the engine's clock for the process; keep ours
    try:
        return create_app(config)
    finally:
        clockpatch.install(restore)


def _set_up(cohort: Cohort, files: dict[str, str]) -> tuple[dict[str, Behaviour], int]:
    """In the scratch app: schema, journey, regions, staff, postings, and the cohort handed over."""
    from flask_migrate import upgrade

    from caseflow.services import cases, deployment, provinces, regions

    upgrade()
    deployment.deploy(files, JOURNEY, actor=SYSTEM)
    regions.load_reference_regions()
    provinces.set_profile(cohort.province, PROVINCES.get(cohort.province, "jilin_1311"), actor=SYSTEM)
    counties = sorted(set(db.session.scalars(select(Region.code).where(
        Region.level == RegionLevel.COUNTY, Region.code.startswith(cohort.province)))))
    with committing():
        staff = [(f"sim_cw_{county}_{n}", Role.CASEWORKER, county) for county in counties
                  for n in range(1, cohort.caseworkers + 1)]
        staff += [(f"sim_sup_{county}", Role.SUPERVISOR, county) for county in counties]
        for username, role, region in staff:
            db.session.add(User(username=username, display_name=username, password_hash="-", roles=frozenset({role}),
                                region_code=region))
        db.session.flush()
        db.session.execute(JobPosting.__table__.insert(), synth.job_postings(
            200, seed=7, province=cohort.province, opened_on=beijing_day(clock_now())))
        cases.open_cases(cohort.graduates, cohort=2026, actor=SYSTEM, province=cohort.province)
    by_order = list(db.session.scalars(select(Graduate.id).order_by(Graduate.id)))
    behaviours = {str(gid): behaviour for gid, behaviour in zip(by_order, cohort.behaviours, strict=True)}
    caseworkers = db.session.scalar(select(func.count(func.distinct(Case.caseworker_id))))
    return behaviours, caseworkers


def _month_end(day: date) -> date:
    following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


def _month_figures(month_end: date, province: str, caseworkers: int) -> dict:
    """The indicators of the month ending `month_end`, from the monthly report and the task and visit records."""
    from caseflow.services import reports

    report = reports.indicators(Actor("simulation", frozenset({Role.SUPERVISOR}), province), region=province,
                                on=month_end)
    total = report.total
    since, until = beijing_midnight(month_end.replace(day=1)), beijing_midnight(month_end + timedelta(days=1))
    completed = select(func.count()).select_from(HumanTask).where(
        HumanTask.state == HumanTaskState.COMPLETED, HumanTask.completed_at >= since, HumanTask.completed_at < until)
    tasks = db.session.scalar(completed.where(HumanTask.lane == Role.CASEWORKER))
    visits = db.session.scalar(completed.where(HumanTask.bpmn_id == "visit_task"))
    missed = db.session.scalar(select(func.count()).select_from(MissedVisit).where(
        MissedVisit.month == month_end.strftime("%Y-%m")))
    return {"month": month_end.strftime("%Y-%m"), "tasks": tasks, "caseworkers": caseworkers,
            "tasks_per_caseworker": round(tasks / caseworkers, 4) if caseworkers else None,
            "handed_over": total.handed_over, "ever_seeking": total.ever_seeking, "helped": total.helped,
            "seeking": total.seeking, "package_complete": total.package_complete, "visits_made": visits,
            "visits_missed": missed, "difficulty_candidates": total.difficulty_candidates,
            "open_cases": total.open_cases, "placed": total.placed}


def _boundary(end: date) -> dict:
    """Cases reaching the two-year boundary: within the run (candidates), and those still open and not placed at
    its end whose boundary lies after it (they would reach it unless placed first)."""
    from caseflow.domain.schedule import two_year_boundary

    years = current_app.config["CASEFLOW_DIFFICULTY_YEARS"]
    rows = db.session.execute(select(Graduate.leaving_date, Case.status).join(Case, Case.graduate_id == Graduate.id)
                              .where(Case.closed_at.is_(None))).all()
    after = beijing_midnight(end + timedelta(days=1))
    later = sum(1 for leaving, status in rows
                if status != CaseStatus.PLACED and two_year_boundary(leaving, years) >= after)
    return {"open_unplaced_at_end": later}


def _simulate(clock: Clock, cohort: Cohort, files: dict[str, str], months: int, progress) -> RunFigures:
    """In the scratch app: set up, then day by day move the clock, sweep the timers and let the model act; the
    month's figures when a month has ended."""
    from caseflow.services import timers

    behaviours, caseworkers = _set_up(cohort, files)
    model = Model(behaviours, beijing_day(START))
    figures = RunFigures()
    day, last = beijing_day(START), _month_end(_add_months(beijing_day(START), months - 1))
    model.act(day)
    while day <= last:
        clock.advance(DAY)
        timers.sweep()
        day = beijing_day(clock.now())
        if day.day == 1:
            figures.months.append(_month_figures(day - timedelta(days=1), cohort.province, caseworkers))
            if progress is not None:
                progress(len(figures.months) / months)
        if day <= last:
            model.act(day)
    figures.summary = {**_summary(figures.months), **_boundary(last)}
    figures.refused, figures.left_open = dict(model.refused), dict(model.left)
    return figures


def run_one(cohort: Cohort, files: dict[str, str], months: int, *, progress=None) -> RunFigures:
    """Run the cohort through the journey made of `files` for `months` calendar months from START, in a scratch
    database deleted afterwards; `progress(fraction)` is called after each simulated month."""
    import time

    started = time.perf_counter()  # a duration for the report, never a time Caseflow records
    directory = Path(tempfile.mkdtemp(prefix="caseflow-sim-"))
    clock = Clock(frozen_at=START)
    try:
        app = _scratch_app(directory, clock)
        with app.app_context():
            try:
                figures = _simulate(clock, cohort, files, months, progress)
            finally:
                db.session.remove()
                db.engine.dispose()
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    figures.seconds = round(time.perf_counter() - started, 2)
    return figures


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    return date(day.year + month // 12, month % 12 + 1, 1)


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _summary(months: list[dict]) -> dict:
    """The indicators over the whole run: the last month's standing, the months' tasks and visits summed."""
    last = months[-1]
    tasks = sum(m["tasks"] for m in months)
    made, missed = sum(m["visits_made"] for m in months), sum(m["visits_missed"] for m in months)
    caseworkers = last["caseworkers"]
    return {"tasks": tasks, "tasks_per_caseworker_month": round(tasks / caseworkers / len(months), 4)
            if caseworkers else None,
            "package_complete": last["package_complete"], "seeking": last["seeking"],
            "package_rate": _ratio(last["package_complete"], last["seeking"]),
            "visits_made": made, "visits_due": made + missed, "follow_up_rate": _ratio(made, made + missed),
            "ever_seeking": last["ever_seeking"], "helped": last["helped"],
            "help_rate": _ratio(last["helped"], last["ever_seeking"]),
            "boundary_reached": last["difficulty_candidates"], "open_cases": last["open_cases"]}


def journey_files() -> tuple[ProcessVersion, dict[str, str]]:
    """The current journey version and its BPMN and DMN files."""
    from caseflow.services.designer import current_version, model_files

    version = current_version(JOURNEY)
    if version is None:
        raise NotFound(N_("no process with id %(process)s"), process=JOURNEY)
    return version, model_files(version.files)


def draft_journey(current: dict[str, str], process_id: str, draft: dict[str, str]) -> dict[str, str]:
    """The journey's files with a draft of one of its processes in place of that process's files."""
    if process_id not in lint.process_ids(current):
        raise InvalidInput(NOT_IN_JOURNEY, process=process_id)
    return {**current, **draft}


def compare(cohort: Cohort, current: dict[str, str], draft: dict[str, str], months: int, *, progress=None) -> dict:
    """Both runs and their summaries side by side."""
    def half(offset: float):
        return None if progress is None else (lambda fraction: progress(offset + fraction / 2))

    base = run_one(cohort, current, months, progress=half(0.0))
    changed = run_one(cohort, draft, months, progress=half(0.5))
    return {"current": asdict(base), "draft": asdict(changed),
            "span": {"start": beijing_day(START).isoformat(), "months": months,
                     "end": _month_end(_add_months(beijing_day(START), months - 1)).isoformat()}}


# ---- runs asked for by designers (the main database) ------------------------------------------------------------

def _parameters(raw: dict) -> dict:
    """Checked cohort parameters: a clear error naming the one out of range."""
    values = dict(DEFAULTS)
    for name, (low, high) in LIMITS.items():
        value = raw.get(name, values[name])
        try:
            value = int(value)
        except (TypeError, ValueError):
            raise InvalidInput(N_("%(field)s must be a whole number"), field=name) from None
        if not low <= value <= high:
            raise InvalidInput(N_("%(field)s must be between %(low)s and %(high)s"), field=name, low=low,
                               high=high)
        values[name] = value
    province = str(raw.get("province", values["province"]))
    if province not in PROVINCES:
        raise InvalidInput(N_("province must be one of %(choices)s"), choices=", ".join(sorted(PROVINCES)))
    values["province"] = province
    profiles = raw.get("profiles")
    if profiles is not None:
        values["profiles"] = profiles
    return values


def request_run(process_id: str, raw: dict, *, actor: Actor) -> SimulationRun:
    """Queue a simulation of the actor's draft of `process_id` (or of the current version when there is none)."""
    from caseflow.services.designer import open_workspace

    _require(actor)
    parameters = _parameters(raw)
    workspace = open_workspace(process_id, actor=actor)
    version, current = journey_files()
    draft_journey(current, process_id, workspace.files)  # refuses a process outside the journey
    draft = workspace.files if workspace.is_draft else None
    now = clock_now()
    with committing():
        run = SimulationRun(process_id=process_id, requested_by=actor.user_id, requested_at=now,
                            base_version_id=version.id, draft_files=workspace.files if draft is not None else None,
                            draft_sha256=hashlib.sha256(json.dumps(workspace.files, sort_keys=True).encode())
                            .hexdigest() if draft is not None else None,
                            parameters=parameters, state=QUEUED, progress=0)
        db.session.add(run)
    return run


def get_run(run_id: int, *, actor: Actor) -> SimulationRun:
    """A run the actor asked for (others' runs do not exist for them)."""
    _require(actor)
    run = db.session.get(SimulationRun, run_id)
    if run is None or run.requested_by != actor.user_id:
        raise NotFound(NOT_FOUND)
    return run


def list_runs(page: int | None, *, actor: Actor, size: int = PAGE_SIZE):
    """The actor's runs, newest first, a page at a time: (paging, runs)."""
    _require(actor)
    clause = SimulationRun.requested_by == actor.user_id
    total = db.session.scalar(select(func.count()).select_from(SimulationRun).where(clause))
    shown = paging(total, page, size)
    rows = db.session.scalars(select(SimulationRun).where(clause).order_by(SimulationRun.id.desc())
                              .offset(shown.offset).limit(shown.size))
    return shown, list(rows)


def is_interrupted(run: SimulationRun, now: datetime | None = None) -> bool:
    """A run whose process stopped: running, without a heartbeat for CASEFLOW_LEDGER_JOB_STALE_SECONDS."""
    if run.state != RUNNING:
        return False
    stale = (now or clock_now()) - timedelta(seconds=current_app.config["CASEFLOW_LEDGER_JOB_STALE_SECONDS"])
    return run.heartbeat_at is None or run.heartbeat_at < stale


def retry(run_id: int, *, actor: Actor) -> SimulationRun:
    """Queue again a run that failed or was interrupted (it starts over; nothing retries on its own)."""
    run = get_run(run_id, actor=actor)
    if run.state != FAILED and not is_interrupted(run):
        raise Conflict(N_("simulation run %(run)s is %(state)s; only a failed or interrupted run can be run again"),
                       run=run_id, state=run.state)
    with committing():
        again = db.session.execute(update(SimulationRun).where(SimulationRun.id == run_id,
                                                               SimulationRun.state == run.state)
                                   .values(state=QUEUED, progress=0, heartbeat_at=None, error=None, results=None,
                                           finished_at=None))
        if again.rowcount != 1:
            raise Conflict(N_("simulation run %(run)s is %(state)s; only a failed or interrupted run can be run "
                              "again"), run=run_id, state=run.state)
    db.session.expire_all()
    return get_run(run_id, actor=actor)


def _cohort_of(parameters: dict) -> Cohort:
    cohort = synthetic_cohort(parameters["province"], parameters["graduates"], parameters["seed"],
                              parameters["caseworkers"])
    profiles = parameters.get("profiles")
    if profiles:  # explicit behaviours for the first graduates (tests, hand-computed cohorts)
        for n, profile in enumerate(profiles[:len(cohort.behaviours)]):
            cohort.behaviours[n] = Behaviour.from_dict(profile)
    return cohort


def _beat(run_id: int, fraction: float) -> None:
    with committing():
        db.session.execute(update(SimulationRun).where(SimulationRun.id == run_id)
                           .values(progress=min(99, int(fraction * 100)), heartbeat_at=clock_now()))


def execute(run_id: int) -> SimulationRun:
    """Run a claimed run to its end and store its results (or why it failed)."""
    from caseflow.services.designer import model_files

    run = db.session.get(SimulationRun, run_id)
    parameters, process_id, draft_files = dict(run.parameters), run.process_id, run.draft_files
    current = model_files(db.session.get(ProcessVersion, run.base_version_id).files)
    db.session.rollback()  # no transaction of ours stays open while the progress is written beside it
    app = current_app._get_current_object()

    def progress(fraction: float) -> None:  # written from inside the scratch app: back to ours for the row
        with app.app_context():
            _beat(run_id, fraction)

    try:
        draft = draft_journey(current, process_id, draft_files) if draft_files else current
        results = compare(_cohort_of(parameters), current, draft, parameters["months"], progress=progress)
        state, error = DONE, None
    except CaseflowError as exc:
        db.session.rollback()
        results, state = None, FAILED
        error = {"message": exc.message, "params": {k: str(v) for k, v in exc.params.items()}}
    except Exception as exc:  # the job must not take the scheduler down; the run says it failed
        log.exception("simulation run %s failed", run_id)
        db.session.rollback()
        results, state = None, FAILED
        error = {"message": N_("the simulation stopped on an unexpected error (%(problem)s)"),
                 "params": {"problem": type(exc).__name__}}
    with committing():
        run = db.session.get(SimulationRun, run_id)
        run.state, run.results, run.error = state, results, error
        run.progress, run.finished_at = 100 if state == DONE else run.progress, clock_now()
    return run


def _claim(run_id: int) -> bool:
    with committing():
        claimed = db.session.execute(update(SimulationRun).where(SimulationRun.id == run_id,
                                                                 SimulationRun.state == QUEUED)
                                     .values(state=RUNNING, heartbeat_at=clock_now()))
    return claimed.rowcount == 1


def run_pending(limit: int | None = None) -> int:
    """Run queued simulations, oldest first (the scheduler's job); returns how many ran."""
    ran = 0
    while limit is None or ran < limit:
        run_id = db.session.scalar(select(SimulationRun.id).where(SimulationRun.state == QUEUED)
                                   .order_by(SimulationRun.id).limit(1))
        db.session.rollback()
        if run_id is None:
            break
        if _claim(run_id):
            execute(run_id)
            ran += 1
    return ran


# ---- what the run page shows ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Row:
    key: str
    label: str
    current: float | None
    draft: float | None
    rate: bool

    @property
    def difference(self) -> float | None:
        if self.current is None or self.draft is None:
            return None
        return round(self.draft - self.current, 4)


def side_by_side(run: SimulationRun) -> list[Row]:
    """The summary indicators of a finished run: current version, draft, and the difference."""
    if not run.results:
        return []
    before, after = run.results["current"]["summary"], run.results["draft"]["summary"]
    return [Row(key, label, before.get(key), after.get(key), key in RATES) for key, label in SUMMARY_LABELS.items()]


def monthly(run: SimulationRun) -> list[dict]:
    """Month by month: tasks per caseworker and visits, current version against draft."""
    if not run.results:
        return []
    return [{"month": before["month"], "current": before, "draft": after}
            for before, after in zip(run.results["current"]["months"], run.results["draft"]["months"], strict=False)]


def run_error(run: SimulationRun) -> CaseflowError | None:
    """A failed run's reason, as an error the page shows in the user's language."""
    if not run.error:
        return None
    return CaseflowError(run.error["message"], **run.error.get("params", {}))
