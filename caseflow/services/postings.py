"""The job-posting register: list with filters a page at a time, add, edit and close postings, and the open
postings a referral may name. Scoped to the actor's region; every change is audited."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, case, func, or_, select, update

from caseflow.domain.actor import Actor
from caseflow.domain.enums import Degree, EventAction, PostingState, RegionLevel
from caseflow.domain.forms import MAX_ID, RECORD_TYPES, FormSpec
from caseflow.domain.paging import paging
from caseflow.domain.permissions import Permission, roles_with
from caseflow.domain.postings import FieldError, NewPosting, Reason, is_open, posting_key, validate_posting
from caseflow.domain.schedule import beijing_day
from caseflow.errors import N_, Conflict, InvalidInput, NotAllowed, NotFound, OutOfRegion
from caseflow.extensions import db
from caseflow.models import Case, JobPosting, Referral, Region
from caseflow.services.clock import now as clock_now
from caseflow.services.scope import region_clause
from caseflow.services.workflow import committing, log_event

EDIT_ROLES = roles_with(Permission.EDIT_POSTINGS)
READ_ROLES = roles_with(Permission.READ_POSTINGS)
AREA_LEVELS = (RegionLevel.COUNTY, RegionLevel.STREET, RegionLevel.COMMUNITY)
NO_DEGREE = "none"  # the degree filter's value for postings that ask for no degree
CHOICE_LIMIT = 300  # postings offered in a referral form, nearest first
POSTING_ERRORS = N_("the posting has errors: %(fields)s")
NOT_FOUND = N_("job posting not found")
ALREADY_CLOSED = N_("job posting %(posting)s is already closed")


def today() -> date:
    """The app clock's Beijing day: a posting is open through its closing day in Beijing."""
    return beijing_day(clock_now())


def open_clause(day: date):
    return and_(JobPosting.closed_at.is_(None), JobPosting.open_until >= day)


def state_of(posting: JobPosting, day: date) -> PostingState:
    return PostingState.OPEN if is_open(posting.open_until, posting.closed_at is not None, day) else PostingState.CLOSED


def check_reader(actor: Actor) -> None:
    if not READ_ROLES & actor.roles:
        raise NotAllowed(N_("your role does not use the job-posting register"))


def check_editor(actor: Actor) -> None:
    if not EDIT_ROLES & actor.roles:
        raise NotAllowed(N_("only caseworkers, supervisors and administrators may change job postings"))


@dataclass(frozen=True)
class PostingQuery:
    area: str | None = None  # an area code inside the actor's region
    industry: str | None = None
    degree: str | None = None  # a Degree value, or NO_DEGREE
    state: PostingState | None = None
    text: str | None = None  # in the employer or the title
    page: int = 1


@dataclass
class PostingPage:
    rows: list[JobPosting]
    total: int
    page: int
    pages: int
    today: date


def _filters(actor: Actor, query: PostingQuery, day: date) -> list:
    area = query.area if query.area and query.area.startswith(actor.region_code) else actor.region_code
    clauses = [region_clause(JobPosting.area_code, area)]
    if query.industry:
        clauses.append(JobPosting.industry == query.industry)
    if query.degree == NO_DEGREE:
        clauses.append(JobPosting.min_degree.is_(None))
    elif query.degree in set(Degree):
        clauses.append(JobPosting.min_degree == query.degree)
    if query.state == PostingState.OPEN:
        clauses.append(open_clause(day))
    elif query.state == PostingState.CLOSED:
        clauses.append(or_(JobPosting.closed_at.is_not(None), JobPosting.open_until < day))
    if query.text:
        clauses.append(or_(JobPosting.employer.contains(query.text, autoescape=True),
                           JobPosting.title.contains(query.text, autoescape=True)))
    return clauses


def list_postings(actor: Actor, query: PostingQuery) -> PostingPage:
    """One page of the region's postings that pass the filters, newest first."""
    check_reader(actor)
    day = today()
    clauses = _filters(actor, query, day)
    total = db.session.scalar(select(func.count()).select_from(JobPosting).where(*clauses))
    shown = paging(total, query.page)
    rows = db.session.scalars(select(JobPosting).where(*clauses).order_by(JobPosting.id.desc())
                              .limit(shown.size).offset(shown.offset))
    return PostingPage(list(rows), total, shown.page, shown.pages, day)


def list_industries(actor: Actor) -> list[str]:
    """The industries named by the region's postings, for the list's filter."""
    return list(db.session.scalars(select(JobPosting.industry).distinct()
                                   .where(region_clause(JobPosting.area_code, actor.region_code),
                                          JobPosting.industry.is_not(None))
                                   .order_by(JobPosting.industry).limit(200)))


def list_areas(actor: Actor, levels=AREA_LEVELS) -> list[Region]:
    """The areas of the actor's region a posting may be placed in (or the list filtered by)."""
    return list(db.session.scalars(select(Region).where(region_clause(Region.code, actor.region_code),
                                                        Region.level.in_(list(levels))).order_by(Region.code)))


class KnownAreas:
    """Membership test against the region table: a county, street or community the installation knows."""

    def __init__(self) -> None:
        self._seen: dict[str, bool] = {}

    def __contains__(self, code: object) -> bool:
        if code not in self._seen:
            region = db.session.get(Region, str(code))
            self._seen[str(code)] = region is not None and region.level in AREA_LEVELS
        return self._seen[str(code)]


def get_posting_or_raise(posting_id: int, actor: Actor) -> JobPosting:
    """A posting of the actor's region; postings elsewhere do not exist for them."""
    check_reader(actor)
    posting = db.session.get(JobPosting, posting_id) if 0 < posting_id <= MAX_ID else None
    if posting is not None and not actor.covers(posting.area_code):
        raise OutOfRegion(NOT_FOUND, actor=actor, kind="posting", key=posting_id)
    if posting is None:
        raise NotFound(NOT_FOUND)
    return posting


def duplicate_of(posting: NewPosting, *, except_id: int | None = None) -> int | None:
    """The id of an open posting that is the same vacancy (employer, title, place and closing date)."""
    candidates = db.session.execute(select(JobPosting.id, JobPosting.employer, JobPosting.title).where(
        JobPosting.area_code == posting.area_code, JobPosting.open_until == posting.open_until,
        JobPosting.closed_at.is_(None), JobPosting.id != (except_id or 0)))
    return next((posting_id for posting_id, employer, title in candidates
                 if posting_key(employer, title, posting.area_code, posting.open_until) == posting.key()), None)


def _validated(values: Mapping[str, object], actor: Actor, *, except_id: int | None = None) -> NewPosting:
    posting, errors = validate_posting(values, today=today(), region_prefix=actor.region_code,
                                       known_areas=KnownAreas())
    if posting is not None and (same := duplicate_of(posting, except_id=except_id)):
        errors = [FieldError(None, Reason.DUPLICATE_EXISTING, f"#{same}")]
    if errors:
        raise InvalidInput(POSTING_ERRORS, fields=", ".join(e.field or "-" for e in errors),
                           errors={e.field or "_row": e.reason for e in errors},
                           details={e.field or "_row": e.detail for e in errors})
    return posting


def create_posting(values: Mapping[str, object], *, actor: Actor) -> JobPosting:
    """Add a posting to the register, in the actor's region."""
    check_editor(actor)
    new = _validated(values, actor)
    now = clock_now()
    with committing():
        posting = JobPosting(**new.values(), created_at=now, created_by=actor.user_id, updated_at=now)
        db.session.add(posting)
        db.session.flush()
        log_event(actor=actor, action=EventAction.POSTING_CREATED, now=now, posting=posting.id,
                  area=posting.area_code, title=posting.title, employer=posting.employer)
    return posting


def update_posting(posting_id: int, values: Mapping[str, object], *, actor: Actor) -> JobPosting:
    """Change a posting that has not been closed by hand; a new closing date may reopen an expired one."""
    check_editor(actor)
    posting = get_posting_or_raise(posting_id, actor)
    if posting.closed_at is not None:
        raise Conflict(N_("job posting %(posting)s is closed and can no longer be changed"), posting=posting_id)
    new = _validated(values, actor, except_id=posting_id)
    now = clock_now()
    with committing():
        changed = {k: str(v) for k, v in new.values().items() if getattr(posting, k) != v}
        for key, value in new.values().items():
            setattr(posting, key, value)
        posting.updated_at = now
        log_event(actor=actor, action=EventAction.POSTING_UPDATED, now=now, posting=posting.id,
                  area=posting.area_code, changed=changed)
    return posting


def close_posting(posting_id: int, *, actor: Actor) -> JobPosting:
    """Close a posting before its closing date: it is no longer pushed nor offered for referral."""
    check_editor(actor)
    posting = get_posting_or_raise(posting_id, actor)
    if posting.closed_at is not None:
        raise Conflict(ALREADY_CLOSED, posting=posting_id)
    now = clock_now()
    with committing():
        still_open = and_(JobPosting.id == posting.id, JobPosting.closed_at.is_(None))
        closed = db.session.execute(update(JobPosting).where(still_open)
                                    .values(closed_at=now, closed_by=actor.user_id, updated_at=now)
                                    .execution_options(synchronize_session=False))
        if closed.rowcount != 1:  # closed by someone else since it was read
            raise Conflict(ALREADY_CLOSED, posting=posting_id)
        log_event(actor=actor, action=EventAction.POSTING_CLOSED, now=now, posting=posting.id,
                  area=posting.area_code, open_until=posting.open_until.isoformat())
    db.session.refresh(posting)
    return posting


@dataclass(frozen=True)
class PostingChoice:
    """An open posting a referral on a case may name; `nearness` 0 in the case's county, 1 its city, 2 the
    province."""

    id: int
    label: str
    nearness: int
    offered: bool


def _nearness(case_row: Case):
    county = case_row.county_code or case_row.region_code[:6]
    return case((JobPosting.area_code.startswith(county, autoescape=True), 0),
                (JobPosting.area_code.startswith(county[:4], autoescape=True), 1), else_=2)


def referral_choices(case_row: Case) -> list[PostingChoice]:
    """The open postings of the case's province, nearest to the case first; those already offered are marked."""
    nearness = _nearness(case_row)
    rows = db.session.execute(
        select(JobPosting, nearness.label("nearness"), Referral.id.label("offered"))
        .outerjoin(Referral, and_(Referral.posting_id == JobPosting.id, Referral.case_id == case_row.id))
        .where(open_clause(today()), region_clause(JobPosting.area_code, case_row.region_code[:2]))
        .order_by(nearness, JobPosting.open_until, JobPosting.id).limit(CHOICE_LIMIT)).all()
    seen: dict[int, PostingChoice] = {}
    for posting, near, offered in rows:
        seen.setdefault(posting.id, PostingChoice(posting.id, f"{posting.title} · {posting.employer} · "
                                                  f"{posting.area_code}", near, offered is not None))
    return list(seen.values())


def referable_posting(posting_id: int, case_row: Case) -> JobPosting:
    """The posting a referral on the case names: it must exist, be open, and lie in the case's province."""
    posting = db.session.get(JobPosting, posting_id) if 0 < posting_id <= MAX_ID else None
    if posting is None:
        raise InvalidInput(N_("job posting %(posting)s does not exist"), posting=posting_id,
                           errors={"posting_id": "invalid"})
    if not posting.area_code.startswith(case_row.region_code[:2]):
        raise InvalidInput(N_("job posting %(posting)s is outside the case's province"), posting=posting_id,
                           errors={"posting_id": "invalid"})
    if state_of(posting, today()) != PostingState.OPEN:
        raise InvalidInput(N_("job posting %(posting)s is closed"), posting=posting_id,
                           errors={"posting_id": "invalid"})
    return posting


def form_choices(forms: Iterable[FormSpec], case_id: int | None) -> dict[str, list]:
    """What the forms' posting and referral fields offer on a case the caller has already authorised (its case
    file, or one of its tasks): the open postings near it, and its referrals with their postings."""
    types = {field.type for form in forms for field in form.fields}
    case_row = db.session.get(Case, case_id) if case_id and types & RECORD_TYPES else None
    if case_row is None:
        return {"posting_choices": [], "referral_choices": []}
    referrals = []
    if "referral" in types:
        referrals = [tuple(row) for row in db.session.execute(
            select(Referral, JobPosting).join(JobPosting, JobPosting.id == Referral.posting_id)
            .where(Referral.case_id == case_row.id).order_by(Referral.id))]
    return {"posting_choices": referral_choices(case_row) if "posting" in types else [],
            "referral_choices": referrals}
