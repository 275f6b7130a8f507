"""Job matching: push 3–5 open postings that fit the graduate to the case (seed 000 §7). When fewer than the
minimum fit, the case records why and the caseworker is told. Limits and weights are configuration
(CASEFLOW_PUSH_MIN, CASEFLOW_PUSH_MAX, CASEFLOW_MATCH_WEIGHT_*)."""

from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import func, select

from caseflow.domain.actor import SYSTEM
from caseflow.domain.enums import Degree, EventAction, PushShortfall, ReferralOutcome
from caseflow.domain.schedule import beijing_day
from caseflow.extensions import db
from caseflow.models import Case, Classification, Graduate, JobPosting, OutboxMessage, Referral, User
from caseflow.services.scope import region_clause
from caseflow.services.workflow import log_event
from caseflow.tasks import operation

DEGREE_RANK = {degree.value: rank for rank, degree in enumerate(Degree)}
POOL_LIMIT = 500  # candidates read per widening step
COUNT_LIMIT = 5000  # postings read to explain a short push
SHORT_MESSAGE = "jobs_push_short"


@dataclass(frozen=True)
class MatchPolicy:
    minimum: int = 3
    maximum: int = 5
    major: int = 4
    industry: int = 2
    place: int = 1


def policy() -> MatchPolicy:
    """The installation's push limits and match weights."""
    config = current_app.config
    minimum = max(1, config["CASEFLOW_PUSH_MIN"])
    return MatchPolicy(minimum=minimum, maximum=max(minimum, config["CASEFLOW_PUSH_MAX"]),
                       major=config["CASEFLOW_MATCH_WEIGHT_MAJOR"], industry=config["CASEFLOW_MATCH_WEIGHT_INDUSTRY"],
                       place=config["CASEFLOW_MATCH_WEIGHT_PLACE"])


@dataclass(frozen=True)
class Seeker:
    """What matching knows of a graduate: major, degree, and the latest intended industry and place."""

    major_code: str
    degree: str | None
    industry: str | None
    place: str | None


def _score(posting: JobPosting, seeker: Seeker, weights: MatchPolicy) -> int:
    """Rank a posting: major fit weighs most, then intended industry and intended place (by default)."""
    score = 0
    if posting.major_prefixes and seeker.major_code.startswith(tuple(posting.major_prefixes)):
        score += weights.major
    if seeker.industry and posting.industry == seeker.industry:
        score += weights.industry
    if seeker.place and posting.area_code.startswith(seeker.place):
        score += weights.place
    return score


def _eligible(posting: JobPosting, seeker: Seeker) -> bool:
    wants_major = not posting.major_prefixes or seeker.major_code.startswith(tuple(posting.major_prefixes))
    degree_ok = DEGREE_RANK.get(seeker.degree or "", 0) >= DEGREE_RANK.get(posting.min_degree or "", 0)
    return wants_major and degree_ok


def _open(area_prefix: str, day: date):
    return select(JobPosting).where(JobPosting.closed_at.is_(None), JobPosting.open_until >= day,
                                    region_clause(JobPosting.area_code, area_prefix))


def _seeker(case: Case) -> Seeker:
    graduate = db.session.get(Graduate, case.graduate_id)
    intent = db.session.scalars(select(Classification).where(Classification.case_id == case.id)
                                .order_by(Classification.id.desc()).limit(1)).first()
    return Seeker(major_code=graduate.major_code or "", degree=graduate.degree,
                  industry=intent.intended_industry if intent else None,
                  place=intent.intended_place if intent else None)


def _home(case: Case, seeker: Seeker) -> str:
    return seeker.place or case.region_code or ""


def match_postings(case: Case, day: date, limit: int, weights: MatchPolicy | None = None) -> list[JobPosting]:
    """Best-fitting postings open on Beijing day `day` and not yet offered to the case, widening from the intended
    place or county to the city, then the province, until at least the minimum is found."""
    weights = weights or policy()
    seeker = _seeker(case)
    already = set(db.session.scalars(select(Referral.posting_id).where(Referral.case_id == case.id)))
    home = _home(case, seeker)
    chosen: dict[int, JobPosting] = {}
    for prefix in dict.fromkeys((home[:6], home[:4], home[:2])):
        if len(chosen) >= weights.minimum or not prefix:
            break
        query = _open(prefix, day)
        if already | set(chosen):
            query = query.where(JobPosting.id.not_in(already | set(chosen)))
        pool = [p for p in db.session.scalars(query.limit(POOL_LIMIT)) if _eligible(p, seeker)]
        pool.sort(key=lambda p: (-_score(p, seeker, weights), p.open_until, p.id))
        for posting in pool[: limit - len(chosen)]:
            chosen[posting.id] = posting
    return list(chosen.values())


def explain_shortfall(case: Case, day: date, minimum: int) -> tuple[PushShortfall, dict[str, int]]:
    """Why fewer than `minimum` postings were found for the case, over the widest area searched (the province):
    too few open postings, too few of them fitting the major or degree, or the others already offered (counted
    before this push's referrals are added)."""
    seeker = _seeker(case)
    prefix = _home(case, seeker)[:2]
    open_count = db.session.scalar(select(func.count()).select_from(_open(prefix, day).subquery()))
    already = set(db.session.scalars(select(Referral.posting_id).where(Referral.case_id == case.id)))
    fitting = [p.id for p in db.session.scalars(_open(prefix, day).limit(COUNT_LIMIT)) if _eligible(p, seeker)]
    counts = {"open": open_count, "fitting": len(fitting), "offered": len(already.intersection(fitting))}
    if open_count < minimum:
        return PushShortfall.NO_OPEN_POSTING, counts
    if len(fitting) < minimum:
        return PushShortfall.NO_FIT, counts
    return PushShortfall.ALL_OFFERED, counts


def _tell_caseworker(case: Case, now, detail: dict) -> None:
    """A notice in the outbox for the case's caseworker (the case file shows the same from its timeline)."""
    caseworker = db.session.get(User, case.caseworker_id) if case.caseworker_id else None
    db.session.add(OutboxMessage(instance_id=case.instance_id, name=SHORT_MESSAGE, created_at=now,
                                 correlation_key=f"case:{case.id}",
                                 payload={"case_id": case.id, "to": caseworker.username if caseworker else None,
                                          **detail}))


@operation("push_jobs")
def push_jobs(params: dict, context) -> dict:
    """Offer the graduate up to `limit` (within the configured minimum and maximum) matching open postings,
    recorded as pushed referrals and notified; a short push records why on the case and tells the caseworker."""
    weights = policy()
    limit = max(weights.minimum, min(weights.maximum, int(params.get("limit", weights.maximum))))
    case = db.session.get(Case, int(context.data["case_id"]))
    day = beijing_day(context.now)
    postings = match_postings(case, day, limit, weights)
    detail = {"found": len(postings), "minimum": weights.minimum, "postings": [p.id for p in postings]}
    if len(postings) < weights.minimum:
        reason, counts = explain_shortfall(case, day, weights.minimum)
        detail.update(shortfall=reason.value, **counts)
        _tell_caseworker(case, context.now, detail)
    for posting in postings:
        db.session.add(Referral(case_id=case.id, posting_id=posting.id, pushed=True, sent_at=context.now,
                                outcome=ReferralOutcome.PENDING))
    if postings:
        db.session.add(OutboxMessage(instance_id=case.instance_id, name="jobs_pushed", created_at=context.now,
                                     correlation_key=f"case:{case.id}",
                                     payload={"case_id": case.id, "postings": [p.id for p in postings]}))
    log_event(actor=SYSTEM, action=EventAction.JOBS_PUSHED, now=context.now, instance_id=case.instance_id,
              case_id=case.id, **detail)
    return {"count": len(postings), "posting_ids": [p.id for p in postings], "shortfall": detail.get("shortfall")}
