"""The push of matching postings (seed 000 §7): 3–5 open postings on the app clock's Beijing day; when fewer fit,
the case records why and the caseworker is told; the referral forms name open postings of the register."""

from datetime import UTC, date, datetime

import pytest
from helpers import graduate
from sqlalchemy import insert, select
from supervision_helpers import REACHED, actor, do, owner

from caseflow.domain.actor import SYSTEM
from caseflow.domain.enums import EventAction
from caseflow.errors import InvalidInput
from caseflow.extensions import db
from caseflow.models import Case, EventLog, JobPosting, OutboxMessage, Referral, ServiceRecord
from caseflow.services import casefile, cases, deployment, postings

LATER = date(2026, 12, 31)


def add_postings(n: int, *, area="220102", majors=(), degree=None, open_until=LATER, closed=False, industry="制造",
                 title="岗位") -> list[int]:
    rows = [{"employer": f"企业{title}{i}", "title": f"{title}{i}", "area_code": area, "industry": industry,
             "major_prefixes": list(majors), "min_degree": degree, "open_until": open_until,
             "closed_at": datetime(2026, 6, 1, tzinfo=UTC) if closed else None} for i in range(n)]
    ids = db.session.execute(insert(JobPosting).returning(JobPosting.id, sort_by_parameter_order=True), rows)
    db.session.commit()
    return list(ids.scalars())


def open_seeker(**changes) -> int:
    cases.open_cases([graduate(**changes)], cohort=2026, actor=SYSTEM)
    db.session.commit()
    return db.session.scalars(select(Case.id).order_by(Case.id.desc()).limit(1)).one()


def classify_seeking(case_id: int, **intent) -> None:
    do(case_id, "attempt", owner(case_id), **REACHED)
    do(case_id, "classify", owner(case_id), status="seeking", startup_intent=False, effective_on="2026-07-01",
       **intent)


def pushed(case_id: int) -> list[int]:
    return sorted(db.session.scalars(select(Referral.posting_id).where(Referral.case_id == case_id,
                                                                       Referral.pushed.is_(True))))


def push_event(case_id: int) -> EventLog:
    return db.session.scalars(select(EventLog).where(EventLog.case_id == case_id,
                                                     EventLog.action == EventAction.JOBS_PUSHED)).one()


def short_notices(case_id: int) -> list[dict]:
    return [m.payload for m in db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.name == "jobs_push_short", OutboxMessage.correlation_key == f"case:{case_id}"))]


def test_the_push_sends_at_most_five_fitting_open_postings_and_records_it(staff):
    ids = add_postings(7, majors=("0809",))
    case_id = open_seeker()
    classify_seeking(case_id)
    assert len(pushed(case_id)) == 5 and set(pushed(case_id)) <= set(ids)
    event = push_event(case_id)
    assert event.detail["found"] == 5 and "shortfall" not in event.detail
    assert short_notices(case_id) == []


def test_an_expired_or_closed_posting_is_not_pushed_and_shows_as_closed_on_the_beijing_day(staff, clock):
    clock.frozen_at = datetime(2026, 6, 30, 17, 0, tzinfo=UTC)  # 1 July 01:00 in Beijing, still 30 June in UTC
    fresh = add_postings(3, open_until=date(2026, 7, 1))
    expired = add_postings(1, open_until=date(2026, 6, 30), title="过期")
    closed = add_postings(1, closed=True, title="已关闭")
    case_id = open_seeker()
    classify_seeking(case_id)
    assert pushed(case_id) == fresh
    register = postings.list_postings(actor("nanguan_sup"), postings.PostingQuery(state="closed"))
    assert sorted(p.id for p in register.rows) == sorted(expired + closed)
    assert register.today == date(2026, 7, 1)
    still_open = postings.list_postings(actor("nanguan_sup"), postings.PostingQuery(state="open"))
    assert sorted(p.id for p in still_open.rows) == fresh


def test_too_few_open_postings_is_recorded_on_the_case_and_told_to_the_caseworker(staff):
    only = add_postings(1, area="220103")  # elsewhere in the city: the search widens to it
    add_postings(4, area="420102")  # another province: never pushed
    case_id = open_seeker()
    classify_seeking(case_id)
    assert pushed(case_id) == only
    detail = push_event(case_id).detail
    assert (detail["found"], detail["shortfall"], detail["open"]) == (1, "no_open_posting", 1)
    [notice] = short_notices(case_id)
    assert notice["to"] == owner(case_id) and notice["shortfall"] == "no_open_posting"


def test_postings_that_do_not_fit_major_or_degree_are_the_recorded_reason(staff):
    add_postings(3, majors=("0301",))  # law
    add_postings(2, degree="master")
    fits = add_postings(1, majors=("08",))
    case_id = open_seeker()  # a bachelor of 080901
    classify_seeking(case_id)
    assert pushed(case_id) == fits
    detail = push_event(case_id).detail
    assert (detail["shortfall"], detail["open"], detail["fitting"]) == ("no_fit", 6, 1)


def test_postings_already_offered_are_the_recorded_reason(staff, clock):
    ids = add_postings(5)
    case_id = open_seeker()
    for posting_id in ids[:3]:
        db.session.add(Referral(case_id=case_id, posting_id=posting_id, pushed=False, sent_at=clock.now(),
                                outcome="pending"))
    db.session.commit()
    classify_seeking(case_id)
    assert pushed(case_id) == ids[3:]
    detail = push_event(case_id).detail
    assert (detail["shortfall"], detail["fitting"], detail["offered"]) == ("all_offered", 5, 3)


def test_push_limits_and_match_weights_are_configuration(app, staff):
    app.config.update(CASEFLOW_PUSH_MIN=2, CASEFLOW_PUSH_MAX=2, CASEFLOW_MATCH_WEIGHT_MAJOR=0,
                      CASEFLOW_MATCH_WEIGHT_INDUSTRY=10)
    add_postings(4, majors=("0809",), industry="制造")
    software = add_postings(2, industry="软件", title="开发")
    case_id = open_seeker()
    classify_seeking(case_id, intended_industry="软件")
    assert pushed(case_id) == software  # the intended industry outweighs the major
    assert push_event(case_id).detail["minimum"] == 2 and short_notices(case_id) == []


def record_referral(case_id: int, posting_id, username: str | None = None) -> dict:
    return casefile.record_on_case(case_id, "record_service", {
        "kind": "job_referral", "response": "accepted", "delivered_on": "2026-07-02",
        "posting_id": str(posting_id)}, actor=actor(username or owner(case_id)))


def test_a_referral_names_an_open_posting_of_the_case_province_and_links_it(staff):
    case_id = open_seeker()
    [elsewhere] = add_postings(1, area="220103")
    record_referral(case_id, elsewhere)
    referral = db.session.scalars(select(Referral).where(Referral.case_id == case_id)).one()
    assert referral.posting_id == elsewhere and not referral.pushed and referral.service_record_id is not None


@pytest.mark.parametrize("which", ["missing", "closed", "expired", "other_province", "huge"])
def test_a_referral_to_a_posting_that_cannot_be_referred_is_refused_and_records_nothing(staff, which):
    case_id = open_seeker()
    posting_id = {"missing": lambda: 999_999, "huge": lambda: 10**30,
                  "closed": lambda: add_postings(1, closed=True)[0],
                  "expired": lambda: add_postings(1, open_until=date(2026, 6, 30))[0],
                  "other_province": lambda: add_postings(1, area="420102")[0]}[which]()
    with pytest.raises(InvalidInput) as refused:
        record_referral(case_id, posting_id)
    assert "posting_id" in refused.value.params["errors"]
    assert db.session.scalars(select(ServiceRecord).where(ServiceRecord.case_id == case_id)).all() == []
    assert db.session.scalars(select(Referral).where(Referral.case_id == case_id)).all() == []


def test_the_referral_form_offers_open_postings_nearest_first_and_marks_those_offered(staff, clock):
    case_id = open_seeker()
    city = add_postings(1, area="220103", title="市内")
    county = add_postings(2, area="220102", title="区内")
    add_postings(1, area="220102", closed=True)
    add_postings(1, area="420102")
    db.session.add(Referral(case_id=case_id, posting_id=county[1], pushed=True, sent_at=clock.now(),
                            outcome="pending"))
    db.session.commit()
    choices = postings.form_choices([deployment.get_form_or_raise("record_service")], case_id)["posting_choices"]
    assert [(c.id, c.nearness, c.offered) for c in choices] == [(county[0], 0, False), (county[1], 0, True),
                                                                (city[0], 1, False)]
    referrals = postings.form_choices([deployment.get_form_or_raise("referral_outcome")], case_id)
    assert [referral.posting_id for referral, _ in referrals["referral_choices"]] == [county[1]]
