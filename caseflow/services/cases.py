"""Opening cases from handed-over graduates: graduate rows, hardship flags, the case, its caseworker and its
journey workflow, in bulk and inside the caller's transaction."""

import heapq
from collections.abc import Iterable, Iterator
from datetime import date, datetime, timedelta
from itertools import islice

from flask import current_app
from sqlalchemy import func, select

from caseflow import engine
from caseflow.domain.actor import Actor
from caseflow.domain.enums import CaseStatus, EventAction, RegionLevel, Role
from caseflow.domain.graduates import NewGraduate, county_of, route
from caseflow.domain.schedule import two_year_boundary
from caseflow.errors import N_, NotFound, OutOfRegion
from caseflow.extensions import db
from caseflow.models import Case, CaseStint, Graduate, HardshipFlag, Region, User
from caseflow.services import assignment, bulk_sql, protection
from caseflow.services.clock import now as clock_now
from caseflow.services.workflow import EVENT, insert_instances, spec_ref

JOURNEY = "graduate_journey"
CHUNK = 500
GRADUATE, FLAG, CASE, STINT = Graduate.__table__, HardshipFlag.__table__, Case.__table__, CaseStint.__table__


def add_years(day: date, years: int) -> date:
    """The same calendar day `years` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def served_provinces(profiles: dict[str, str] | None = None) -> frozenset[str]:
    """The provinces this installation serves: CASEFLOW_PROVINCES, else those its staff work in, else those
    whose service-package profile the reference regions carry."""
    configured = {code.strip() for code in current_app.config["CASEFLOW_PROVINCES"].split(",") if code.strip()}
    if configured:
        return frozenset(configured)
    staffed = {code[:2] for code in db.session.scalars(select(User.region_code).distinct().where(
        User.active.is_(True), ~User.has_role(Role.SYSTEM))) if len(code or "") >= 2}
    if staffed:
        return frozenset(staffed)
    if profiles is None:
        profiles = dict(db.session.execute(select(Region.code, Region.profile).where(
            Region.level == RegionLevel.PROVINCE, Region.profile.isnot(None))).all())
    return frozenset(profiles)


class Routing:
    """What handover needs to know about the installation's regions and caseworkers, loaded once per import.

    `province` is the importing province: graduates from outside the installation's provinces wait in its pool."""

    def __init__(self, now: datetime | None = None, *, province: str | None = None) -> None:
        self.now = now  # the use case's one 'now'; read from the app clock when first needed if not given
        regions = db.session.execute(select(Region.code, Region.level, Region.profile)).all()
        self.profiles = {code: profile for code, level, profile in regions
                         if level == RegionLevel.PROVINCE and profile}
        self.provinces = served_provinces(self.profiles)
        self.counties = {code for code, level, _ in regions
                         if level == RegionLevel.COUNTY and code[:2] in self.provinces}
        self.province = province or (min(self.provinces) if self.provinces else None)
        self.default_profile = current_app.config["CASEFLOW_DEFAULT_PROFILE"]
        self._queues: dict[str, list] = {}

    def profile(self, area_code: str | None) -> str:
        return self.profiles.get((area_code or "")[:2], self.default_profile)

    def pool(self, graduate: NewGraduate) -> tuple[str, str | None]:
        """(region, outside area) of a graduate no county of ours serves: the pool of their own province when we
        serve it, else the importing province's pool, flagged with the area they come from."""
        area = graduate.hukou_area_code or graduate.residence_area_code or ""
        if area[:2] in self.provinces or not self.province:
            return area[:2], None
        return self.province, county_of(area) or area or None

    def caseworker(self, county: str | None, area: str | None = None) -> str | None:
        """The caseworker of the county a new case goes to, by CASEFLOW_ASSIGNMENT_RULE (see assignment.pick);
        None if the county has none. `area` is the graduate's residence (street or community code)."""
        if county is None:
            return None
        if county not in self._queues:
            self._queues[county] = _caseload_heap(county)
        if getattr(self, "_staff", None) is None:
            self._staff = assignment.load_staff(self.now or clock_now())
        return assignment.pick(self._queues[county], area=area, staff=self._staff)


def _caseload_heap(county: str) -> list[tuple[int, str]]:
    open_cases = (select(func.count()).select_from(CASE)
                  .where(CASE.c.caseworker_id == User.id, CASE.c.closed_at.is_(None)).scalar_subquery())
    rows = db.session.execute(
        select(User.username, open_cases).where(User.has_role(Role.CASEWORKER), User.active.is_(True),
                                                User.region_code.startswith(county))
    ).all()
    heap = [(count, username) for username, count in rows]
    heapq.heapify(heap)
    return heap


def _journey_data(case_id: int, graduate: NewGraduate, profile: str) -> dict:
    config = current_app.config
    return {"case_id": case_id, "profile": profile, "hardship": bool(graduate.hardship),
            "leaving_date": graduate.leaving_date.isoformat(),
            "two_year_mark": two_year_boundary(graduate.leaving_date, config["CASEFLOW_DIFFICULTY_YEARS"]).isoformat(),
            "package_due_days": config["CASEFLOW_PACKAGE_DUE_DAYS"],
            "hardship_fallback": config["CASEFLOW_HARDSHIP_FALLBACK"],
            "post_placement_check": config["CASEFLOW_POST_PLACEMENT_CHECK"],
            "transfer_escalation_days": config["CASEFLOW_TRANSFER_ESCALATION_DAYS"]}


def _graduate_row(graduate: NewGraduate, cohort: int, batch_id: int | None) -> dict:
    return {"cohort": cohort, "id_hash": protection.id_hash(graduate.id_number),
            "id_encrypted": protection.encrypt(graduate.id_number), "id_masked": protection.mask_id(graduate.id_number),
            "name": graduate.name, "gender": graduate.gender, "birth_date": graduate.birth_date,
            "phone_encrypted": protection.encrypt(graduate.phone) if graduate.phone else None,
            "phone_masked": protection.mask_phone(graduate.phone) if graduate.phone else None,
            "school": graduate.school, "major_code": graduate.major_code, "major_name": graduate.major_name,
            "degree": graduate.degree, "graduation_date": graduate.graduation_date,
            "leaving_date": graduate.leaving_date, "origin": graduate.origin,
            "hukou_area_code": graduate.hukou_area_code, "residence_area_code": graduate.residence_area_code,
            "archive_location": graduate.archive_location, "import_batch_id": batch_id}


def _case_row(graduate_id: int, graduate: NewGraduate, county: str | None, caseworker_id: int | None, *,
              cohort: int, routing: Routing, now: datetime) -> dict:
    region, outside = (county, None) if county else routing.pool(graduate)
    return {"graduate_id": graduate_id, "cohort": cohort, "profile": routing.profile(county or region),
            "region_code": region, "county_code": county, "caseworker_id": caseworker_id,
            "status": CaseStatus.PENDING_CONTACT, "hardship_level": len(graduate.hardship), "handover_at": now,
            "first_contact_due": now + timedelta(days=current_app.config["CASEFLOW_FIRST_CONTACT_DAYS"]),
            "outside_area_code": outside, "updated_at": now}


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _user_ids(usernames: set[str]) -> dict[str, int]:
    if not usernames:
        return {}
    return dict(db.session.execute(select(User.username, User.id).where(User.username.in_(usernames))).all())


def _open_chunk(graduates: list[NewGraduate], *, cohort: int, actor: Actor, batch_id: int | None,
                routing: Routing, journey: tuple, now: datetime) -> int:
    graduate_ids = bulk_sql.insert_rows(GRADUATE, [_graduate_row(g, cohort, batch_id) for g in graduates],
                                        return_ids=True)
    flags = [{"graduate_id": gid, "kind": kind, "detail": g.hardship_detail, "evidence_source": "ledger"}
             for gid, g in zip(graduate_ids, graduates, strict=True) for kind in g.hardship]
    bulk_sql.insert_rows(FLAG, flags)
    counties = [route(g, routing.counties) for g in graduates]
    assignees = [routing.caseworker(c, g.residence_area_code) for c, g in zip(counties, graduates, strict=True)]
    user_ids = _user_ids({a for a in assignees if a})
    case_rows = [_case_row(gid, g, county, user_ids.get(assignee), cohort=cohort, routing=routing, now=now)
                 for gid, g, county, assignee in zip(graduate_ids, graduates, counties, assignees, strict=True)]
    case_ids = bulk_sql.insert_rows(CASE, case_rows, return_ids=True)
    bulk_sql.insert_rows(STINT, [{"case_id": case_id, "region_code": row["region_code"], "started_at": now,
                                  "county_code": row["county_code"], "profile": row["profile"]}
                                 for case_id, row in zip(case_ids, case_rows, strict=True)])
    version_id, sha, process_id, files = journey
    snapshots = engine.start_many(sha, process_id, files, [_journey_data(case_id, g, row["profile"])
                                                           for case_id, g, row in zip(case_ids, graduates, case_rows,
                                                                                      strict=True)])
    items = [{"version_id": version_id, "process_id": process_id, "region_code": row["region_code"],
              "correlation_key": f"case:{case_id}", "assignee": assignee, "case_id": case_id, "snapshot": snapshot}
             for case_id, row, assignee, snapshot in zip(case_ids, case_rows, assignees, snapshots, strict=True)]
    instance_ids = insert_instances(items, now=now, actor=actor)
    bulk_sql.set_by_id(CASE, "instance_id", list(zip(case_ids, instance_ids, strict=True)))
    bulk_sql.insert_rows(EVENT, [{"at": now, "actor": actor.user_id, "action": EventAction.CASE_OPENED,
                                  "instance_id": i, "case_id": c, "detail": {"batch": batch_id}}
                                 for c, i in zip(case_ids, instance_ids, strict=True)])
    return len(case_ids)


def journey_ref() -> tuple[int, str, str, dict | None]:
    """(version_id, sha, process_id, files) of the latest deployed graduate journey."""
    from caseflow.services.instances import latest_version_id

    version_id = latest_version_id(JOURNEY)
    return (version_id, *spec_ref(version_id))


def open_cases(graduates: Iterable[NewGraduate], *, cohort: int, actor: Actor, batch_id: int | None = None,
               now: datetime | None = None, province: str | None = None) -> int:
    """Open a case per graduate and start its journey, in the caller's transaction (no commit here).

    Each case goes to the county of its residence or household registration in the installation's provinces
    (else a province pool: its own, or the importing `province`'s, default the actor's) and to that county's
    least-loaded caseworker. Every case is stamped with one time: `now`, else the app clock read once.
    Returns how many cases were opened."""
    now = now or clock_now()
    routing, journey = Routing(now, province=province or actor.region_code[:2] or None), journey_ref()
    return sum(_open_chunk(chunk, cohort=cohort, actor=actor, batch_id=batch_id, routing=routing, journey=journey,
                           now=now)
               for chunk in _chunks(graduates, CHUNK))


def get_case_or_raise(case_id: int, actor: Actor) -> Case:
    """A case the actor may see; cases outside the actor's region do not exist for them."""
    case = db.session.get(Case, case_id)
    if case is not None and not actor.covers(case.region_code):
        raise OutOfRegion(N_("case not found"), actor=actor, kind="case", key=case_id, case_id=case_id)
    if case is None:
        raise NotFound(N_("case not found"))
    return case
