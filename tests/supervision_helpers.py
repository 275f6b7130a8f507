"""Helpers for the supervision tests: open cases in the demo counties quickly, act as a demo user."""

from dataclasses import replace
from datetime import date

from sqlalchemy import select

from caseflow import synth
from caseflow.domain.actor import SYSTEM
from caseflow.domain.enums import HumanTaskState
from caseflow.extensions import db
from caseflow.models import Case, HumanTask, User
from caseflow.services import accounts, cases, instances

REACHED = {"channel": "phone", "outcome": "reached", "contacted_on": "2026-07-01"}


_SEEDS = iter(range(1000, 10**6))
LEFT_BY = date(2026, 6, 30)  # every graduate has left school by the first contact (1 July)


def open_in(county: str, n: int = 1, *, seed: int | None = None, hardship=(), leaving: date | None = None,
            residence: str | None = None) -> list[int]:
    """Open n cases living in `county` (or the street/community `residence`); return their ids in order."""
    before = db.session.scalar(select(Case.id).order_by(Case.id.desc()).limit(1)) or 0
    graduates = [replace(g, residence_area_code=residence or county, hukou_area_code=county, hardship=tuple(hardship),
                         leaving_date=leaving or min(g.leaving_date, LEFT_BY))
                 for g in synth.graduates(n, seed=seed or next(_SEEDS), province="22")]
    cases.open_cases(graduates, cohort=2026, actor=SYSTEM)
    db.session.commit()
    return list(db.session.scalars(select(Case.id).where(Case.id > before).order_by(Case.id)))


def actor(username: str):
    return accounts.actor_for(db.session.scalars(select(User).where(User.username == username)).one())


def task(case_id: int, bpmn_id: str) -> HumanTask:
    db.session.expire_all()
    return db.session.scalars(select(HumanTask).where(HumanTask.case_id == case_id, HumanTask.bpmn_id == bpmn_id,
                                                      HumanTask.state == HumanTaskState.READY)).one()


def do(case_id: int, bpmn_id: str, username: str, **data) -> None:
    """Complete the case's open task `bpmn_id` as the demo user."""
    instances.complete_task(task(case_id, bpmn_id).id, actor=actor(username), data=data)


def case(case_id: int) -> Case:
    db.session.expire_all()
    return db.session.get(Case, case_id)


def owner(case_id: int) -> str | None:
    """The username of the case's caseworker."""
    row = case(case_id)
    return db.session.get(User, row.caseworker_id).username if row.caseworker_id else None
