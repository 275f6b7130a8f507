"""Small helpers shared by the integration and web tests."""

from pathlib import Path

from sqlalchemy import func, select

from caseflow.domain.enums import HumanTaskState
from caseflow.extensions import db
from caseflow.models import EventLog, HumanTask

TESTS_DIR = Path(__file__).resolve().parent
CONTACT = {"channel": "phone", "outcome": "reached", "contacted_on": "2026-07-01"}


def ready_tasks(instance_id: int) -> list[HumanTask]:
    db.session.expire_all()
    return list(db.session.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id,
                                                           HumanTask.state == HumanTaskState.READY)))


def only_ready_task(instance_id: int) -> HumanTask:
    tasks = ready_tasks(instance_id)
    assert len(tasks) == 1, tasks
    return tasks[0]


def count_events(action: str, instance_id: int | None = None) -> int:
    query = select(func.count()).select_from(EventLog).where(EventLog.action == action)
    if instance_id is not None:
        query = query.where(EventLog.instance_id == instance_id)
    return db.session.scalar(query)


def graduate(id_number="220102200301011234", *, hukou="220102", residence=None, hardship=(), leaving=None,
             major_code="080901", name="张三"):
    """A valid NewGraduate for tests (the default ID number passes the national checksum)."""
    from datetime import date

    from caseflow.domain.graduates import NewGraduate

    return NewGraduate(id_number=id_number, name=name, gender="M", birth_date=date(2003, 1, 1), school="吉林大学",
                       major_name="计算机科学与技术", major_code=major_code, degree="bachelor",
                       graduation_date=date(2026, 6, 30), leaving_date=leaving or date(2026, 6, 30),
                       phone="13912345678", hukou_area_code=hukou, residence_area_code=residence,
                       hardship=tuple(hardship))


def valid_id(prefix17: str) -> str:
    from stdnum.cn import ric

    return prefix17 + ric.calc_check_digit(prefix17)


def make_app(database_url: str, clock, **overrides):
    """A test app on `database_url` with the given clock, no scheduler and a fast password hash."""
    from caseflow import create_app

    config = {"SQLALCHEMY_DATABASE_URI": database_url, "TESTING": True, "SECRET_KEY": "test",
              "CASEFLOW_CLOCK": clock, "CASEFLOW_SCHEDULER": False, "CASEFLOW_SIMULATED_CLOCK": False,
              # a cheap hash keeps sign-in tests fast; production keeps scrypt
              "CASEFLOW_PASSWORD_METHOD": "pbkdf2:sha256:1000"}
    config.update(overrides)
    return create_app(config)


def deploy_flaky(monkeypatch) -> dict:
    """Deploy tests/bpmn/flaky_wake.bpmn: a day after first contact its handler writes an outbox row, then fails
    while the returned state's `broken` is set."""
    from caseflow.domain.actor import SYSTEM
    from caseflow.models import OutboxMessage
    from caseflow.services import deployment
    from caseflow.tasks import OPERATIONS

    state = {"broken": True, "calls": 0}

    def write_then_maybe_fail(params, context):
        state["calls"] += 1
        db.session.add(OutboxMessage(instance_id=1, name="written_by_handler", payload={}, created_at=context.now))
        db.session.flush()
        if state["broken"]:
            raise RuntimeError("the notification service is down")
        return {"ok": True}

    monkeypatch.setitem(OPERATIONS, "write_then_maybe_fail", write_then_maybe_fail)
    deployment.deploy({"flaky_wake.bpmn": (TESTS_DIR / "bpmn" / "flaky_wake.bpmn").read_text()}, "flaky_wake",
                      actor=SYSTEM)
    return state


def waiting_on_flaky_timer(region: str = "220102") -> int:
    """A flaky_wake instance past its first contact, waiting a day for its handler."""
    from caseflow.domain.actor import SYSTEM
    from caseflow.services import instances

    instance_id = instances.start_instance("flaky_wake", actor=SYSTEM, region_code=region)
    instances.complete_task(only_ready_task(instance_id).id, actor=SYSTEM, data=CONTACT)
    return instance_id


def written_by_flaky_handler() -> int:
    from caseflow.models import OutboxMessage

    return db.session.scalar(select(func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.name == "written_by_handler"))
