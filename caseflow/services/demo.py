"""Demo data for a fresh installation: two provinces side by side — Jilin (profile jilin_1311) and Hubei (profile
hubei) — each with its reference regions, demo users, job postings and a few hundred synthetic graduates whose
cases stand at different stages of the journey, so both service-package profiles can be tried at once."""

import random
from dataclasses import dataclass, replace
from datetime import timedelta

from flask_migrate import upgrade
from sqlalchemy import insert, select

from caseflow import synth
from caseflow.domain.actor import SYSTEM
from caseflow.domain.enums import HumanTaskState, Role
from caseflow.extensions import db
from caseflow.models import Case, HumanTask, JobPosting, User
from caseflow.services import accounts, casefile, cases, clock, instances, provinces, regions, timers
from caseflow.services.accounts import actor_for
from caseflow.services.deployment import deploy_directory
from caseflow.services.workflow import committing

SEED = 2026
HANDOVER_DAYS_AGO = 35  # so that some first contacts are already overdue when the demo opens
PROGRESS_AFTER_DAYS = 12  # caseworkers got to the cases they have progressed twelve days after handover


@dataclass(frozen=True)
class DemoProvince:
    """A demo province: its profile, the counties whose cases its demo caseworkers progress, how many graduates
    and postings it gets, how many of its cases were progressed (each costs a few engine steps at start-up;
    the rest still wait for first contact), and the employer its placed graduates name."""

    code: str
    profile: str
    counties: tuple[str, ...]
    graduates: int
    postings: int
    progressed: int
    employer: str


DEMO_PROVINCES = (DemoProvince("22", "jilin_1311", ("220102", "220103"), 300, 120, 150, "长春一汽富维"),
                  DemoProvince("42", "hubei", ("420102", "420106"), 100, 80, 60, "东风汽车集团"))
DEMO_COUNTIES = tuple(county for province in DEMO_PROVINCES for county in province.counties)


def _task(case: Case, bpmn_id: str) -> HumanTask | None:
    return db.session.scalars(select(HumanTask).where(HumanTask.case_id == case.id, HumanTask.bpmn_id == bpmn_id,
                                                      HumanTask.state == HumanTaskState.READY)).first()


def _do(case: Case, bpmn_id: str, actor, **data) -> bool:
    task = _task(case, bpmn_id)
    if task is None:
        return False
    instances.complete_task(task.id, actor=actor, data=data)
    return True


def _contact(case, actor, day, outcome="reached", channel="phone"):
    return _do(case, "attempt", actor, channel=channel, outcome=outcome, contacted_on=day)


def _classify(case, actor, day, status, **extra):
    return _do(case, "classify", actor, status=status, startup_intent=extra.pop("startup_intent", False),
               effective_on=day, **extra)


def _services(case, actor, day, count):
    kinds = ["career_guidance", "job_referral", "job_referral", "training_offer", "job_referral"]
    for kind in kinds[:count]:
        _do(case, "deliver", actor, kind=kind, response="accepted", delivered_on=day)


def _hired_through_a_referral(case: Case, actor, day: str) -> None:
    pushed = casefile.list_referrals(case.id, actor=actor)
    if pushed:
        casefile.record_on_case(case.id, "referral_outcome", {"referral_id": str(pushed[-1].id), "outcome": "hired",
                                                              "outcome_on": day}, actor=actor)


def _advance_case(case: Case, actor, stage: int, day: str, employer: str, mentor=None) -> None:
    """Move one case to a stage of the journey, as its caseworker (and the county's mentor) would have."""
    if stage == 0:
        return  # first contact still to do
    if stage == 1:
        for channel in ("phone", "sms", "phone"):
            _contact(case, actor, day, outcome="no_answer", channel=channel)  # awaits the supervisor's approval
        return
    _contact(case, actor, day)
    if stage == 2:
        return  # reached, classification to do
    plans = {3: ("no_intent", {"no_intent_reason": "exam_preparation"}),
             4: ("employed", {"employer": employer, "placement_kind": "contract_job",
                             "verified_how": "labour_contract"}),
             5: ("seeking", {"startup_intent": True}), 6: ("seeking", {"intended_industry": "软件"})}
    status, extra = plans.get(stage, ("seeking", {}))
    _classify(case, actor, day, status, **extra)
    if stage == 5 and mentor is not None:  # startup training is the mentor's (创业就业指导师)
        _do(case, "training", mentor, course="syb", completed_on=day)
    elif stage == 9:
        _services(case, actor, day, 3)
        _hired_through_a_referral(case, actor, day)
    elif stage >= 6:
        _services(case, actor, day, stage - 5)
    elif stage == 4:
        _do(case, "verify", actor, closure_reason="contract_job", verified_how="劳动合同", closed_on=day)


def _postings(province: DemoProvince) -> None:
    """Open postings of the province, closing over the year ahead of the demo's handover."""
    db.session.execute(insert(JobPosting), synth.job_postings(province.postings, seed=SEED, province=province.code,
                                                               opened_on=clock.now().date()))


def _graduates(province: DemoProvince):
    """Synthetic graduates of the province, most of them living in its demo counties."""
    seed = SEED + int(province.code)  # one sequence per province: two provinces never draw the same person
    rng = random.Random(seed)
    for graduate in synth.graduates(province.graduates, seed=seed, province=province.code):
        if rng.random() < 0.8:
            graduate = replace(graduate, residence_area_code=rng.choice(province.counties))
        yield graduate


def _forward(days: int) -> None:
    """Let `days` pass on a simulated clock (a demo on real time does everything today)."""
    if clock.is_simulated():
        with committing():
            clock.advance_clock(timedelta(days=days))


def install_demo(*, simulated: bool) -> int:
    """Bring the demo installation up to date; on its first start (no case yet), on simulated time starting
    HANDOVER_DAYS_AGO days back: regions, each demo province's profile, users, postings and graduates handed
    over, and the cases their caseworkers progressed twelve days later. Returns how many cases were opened."""
    upgrade()
    fresh = db.session.scalar(select(Case.id).limit(1)) is None
    if fresh and simulated:
        with committing():
            clock.start_simulation(offset=-timedelta(days=HANDOVER_DAYS_AGO))
    deploy_directory(actor=SYSTEM)
    if not fresh:
        return 0
    regions.load_reference_regions()
    for province in DEMO_PROVINCES:
        provinces.set_profile(province.code, province.profile, actor=SYSTEM)
    accounts.seed_demo_users()
    with committing():
        for province in DEMO_PROVINCES:
            _postings(province)
            cases.open_cases(_graduates(province), cohort=2026, actor=SYSTEM)
    _forward(PROGRESS_AFTER_DAYS)
    _advance_demo_cases()
    _forward(HANDOVER_DAYS_AGO - PROGRESS_AFTER_DAYS)
    timers.sweep()
    return sum(province.graduates for province in DEMO_PROVINCES)


def _advance_demo_cases() -> None:
    day = clock.now().date().isoformat()
    users = {u.id: u for u in db.session.scalars(select(User))}
    mentors = {u.region_code: actor_for(u) for u in users.values() if Role.MENTOR in u.roles}
    for province in DEMO_PROVINCES:
        demo_cases = db.session.scalars(select(Case).where(Case.county_code.in_(province.counties))
                                        .order_by(Case.id).limit(province.progressed)).all()
        for n, case in enumerate(demo_cases):
            caseworker = users.get(case.caseworker_id)
            if caseworker is not None:
                _advance_case(case, actor_for(caseworker), n % 10, day, province.employer,
                              mentors.get(case.county_code))
