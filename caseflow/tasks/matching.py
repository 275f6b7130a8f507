"""Job matching: push 3–5 open postings that fit the graduate to the case (seed 000 §7)."""

from sqlalchemy import select

from caseflow.domain.enums import Degree, ReferralOutcome
from caseflow.extensions import db
from caseflow.models import Case, Classification, Graduate, JobPosting, OutboxMessage, Referral
from caseflow.tasks import operation

DEGREE_RANK = {degree.value: rank for rank, degree in enumerate(Degree)}
MIN_PUSH, MAX_PUSH = 3, 5


def _score(posting: JobPosting, graduate: Graduate, intent: Classification | None) -> int:
    """Rank a posting: major fit weighs most, then intended industry and intended place."""
    score = 0
    if posting.major_prefixes and graduate.major_code and any(
            graduate.major_code.startswith(prefix) for prefix in posting.major_prefixes):
        score += 4
    if intent and intent.intended_industry and posting.industry == intent.intended_industry:
        score += 2
    if intent and intent.intended_place and posting.area_code.startswith(intent.intended_place):
        score += 1
    return score


def _eligible(posting: JobPosting, graduate: Graduate) -> bool:
    wants_major = not posting.major_prefixes or (graduate.major_code or "").startswith(tuple(posting.major_prefixes))
    degree_ok = DEGREE_RANK.get(graduate.degree, 0) >= DEGREE_RANK.get(posting.min_degree or "", 0)
    return wants_major and degree_ok


def _candidates(area_prefix: str, today, already: set[int]) -> list[JobPosting]:
    query = select(JobPosting).where(JobPosting.open_until >= today, JobPosting.area_code.startswith(area_prefix))
    if already:
        query = query.where(JobPosting.id.not_in(already))
    return list(db.session.scalars(query.limit(500)))


def match_postings(case: Case, today, limit: int) -> list[JobPosting]:
    """Best-fitting open postings, widening from the intended place or county to the city, then the province,
    until at least three are found."""
    graduate = db.session.get(Graduate, case.graduate_id)
    intent = db.session.scalars(select(Classification).where(Classification.case_id == case.id)
                                .order_by(Classification.id.desc()).limit(1)).first()
    already = set(db.session.scalars(select(Referral.posting_id).where(Referral.case_id == case.id)))
    home = (intent.intended_place if intent and intent.intended_place else None) or case.region_code or ""
    chosen: dict[int, JobPosting] = {}
    for prefix in dict.fromkeys((home[:6], home[:4], home[:2])):
        if len(chosen) >= MIN_PUSH or not prefix:
            break
        pool = [p for p in _candidates(prefix, today, already | set(chosen)) if _eligible(p, graduate)]
        pool.sort(key=lambda p: (-_score(p, graduate, intent), p.open_until, p.id))
        for posting in pool[: limit - len(chosen)]:
            chosen[posting.id] = posting
    return list(chosen.values())


@operation("push_jobs")
def push_jobs(params: dict, context) -> dict:
    """Offer the graduate up to `limit` (3–5) matching postings, recorded as pushed referrals and notified."""
    limit = max(MIN_PUSH, min(MAX_PUSH, int(params.get("limit", MAX_PUSH))))
    case = db.session.get(Case, int(context.data["case_id"]))
    postings = match_postings(case, context.now.date(), limit)
    for posting in postings:
        db.session.add(Referral(case_id=case.id, posting_id=posting.id, pushed=True, sent_at=context.now,
                                outcome=ReferralOutcome.PENDING))
    if postings:
        db.session.add(OutboxMessage(instance_id=case.instance_id, name="jobs_pushed", created_at=context.now,
                                     correlation_key=f"case:{case.id}",
                                     payload={"case_id": case.id, "postings": [p.id for p in postings]}))
    return {"count": len(postings), "posting_ids": [p.id for p in postings]}
