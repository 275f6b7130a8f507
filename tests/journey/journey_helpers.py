"""Helpers for journey tests: a small province: Jilin (1311) and Hubei profiles, two counties each with a caseworker and
a supervisor, some open job postings; and helpers to drive a case through its tasks."""

from datetime import timedelta

from helpers import graduate as helpers_graduate
from sqlalchemy import select

from caseflow.domain.actor import SYSTEM, Actor
from caseflow.domain.enums import HumanTaskState, RegionLevel, Role
from caseflow.domain.graduates import NewGraduate
from caseflow.extensions import db
from caseflow.models import Case, HumanTask
from caseflow.services import cases, instances, timers

CW_A = Actor("cw_a", frozenset({Role.CASEWORKER}), "220102")
SV_A = Actor("sv_a", frozenset({Role.SUPERVISOR}), "220102")
CW_B = Actor("cw_b", frozenset({Role.CASEWORKER}), "220103")
SV_B = Actor("sv_b", frozenset({Role.SUPERVISOR}), "220103")
CW_H = Actor("cw_h", frozenset({Role.CASEWORKER}), "420102")
SV_H = Actor("sv_h", frozenset({Role.SUPERVISOR}), "420102")
REGIONS = [("22", "吉林省", RegionLevel.PROVINCE, None, "jilin_1311"),
           ("2201", "长春市", RegionLevel.CITY, "22", None),
           ("220102", "南关区", RegionLevel.COUNTY, "2201", None),
           ("220103", "宽城区", RegionLevel.COUNTY, "2201", None),
           ("42", "湖北省", RegionLevel.PROVINCE, None, "hubei"),
           ("4201", "武汉市", RegionLevel.CITY, "42", None),
           ("420102", "江岸区", RegionLevel.COUNTY, "4201", None)]


graduate = helpers_graduate


def open_case(new_graduate: NewGraduate, cohort: int = 2026) -> int:
    cases.open_cases([new_graduate], cohort=cohort, actor=SYSTEM)
    db.session.commit()
    return db.session.scalars(select(Case.id).order_by(Case.id.desc()).limit(1)).one()


def ready(case_id: int) -> list[HumanTask]:
    db.session.expire_all()
    case = db.session.get(Case, case_id)
    return list(db.session.scalars(select(HumanTask).where(HumanTask.instance_id == case.instance_id,
                                                           HumanTask.state == HumanTaskState.READY)
                                   .order_by(HumanTask.created_at, HumanTask.id)))


def ready_ids(case_id: int) -> list[str]:
    return sorted(task.bpmn_id for task in ready(case_id))


def do(case_id: int, bpmn_id: str, actor: Actor, **data) -> None:
    """Complete the case's ready task `bpmn_id` as `actor`."""
    matches = [task for task in ready(case_id) if task.bpmn_id == bpmn_id]
    assert matches, f"{bpmn_id} is not ready; ready: {ready_ids(case_id)}"
    instances.complete_task(matches[0].id, actor=actor, data=data)


def advance(clock, days: int) -> None:
    clock.advance(timedelta(days=days))
    timers.sweep()


def case_row(case_id: int) -> Case:
    db.session.expire_all()
    return db.session.get(Case, case_id)
