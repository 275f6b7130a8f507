"""A new Hubei installation from README's commands alone: init-db, load-regions, the first administrator, the
city's staff imported, the province's profile set, a ledger imported; then its caseworker works a Hubei case, and
the package owed is the one the decision table's Hubei rule requires (training or internship, not both)."""

from hubei_helpers import LEDGER_CASES, STAFF, readme_commands, set_up_hubei
from sqlalchemy import select

from caseflow.domain.enums import EventAction, Role
from caseflow.extensions import db
from caseflow.models import Case, EventLog, HumanTask, User
from caseflow.services import accounts, instances, provinces
from caseflow.tasks.package import package_status_of

DAY = "2026-07-01"


def _do(case_id: int, bpmn_id: str, actor, **data) -> None:
    db.session.expire_all()
    task = db.session.scalars(select(HumanTask).where(HumanTask.case_id == case_id, HumanTask.bpmn_id == bpmn_id,
                                                      HumanTask.state == "ready")).one()
    instances.complete_task(task.id, actor=actor, data=data)


def test_readme_sets_up_hubei_from_the_command_line_alone(app, tmp_path):
    assert [command[2] for command in readme_commands()] == [
        "init-db", "load-regions", "users", "users", "users", "provinces", "provinces", "import-ledger"]
    done = set_up_hubei(app, tmp_path)
    out = done["outputs"]
    assert "added hubei_admin (admin, 42 湖北省)" in out["users add"]
    assert "3 rows: 3 accepted, 0 refused" in out["users import"] and "imported 3 accounts" in out["users import"]
    assert set(done["passwords"]) == {username for username, *_ in STAFF}
    assert "42   湖北省      hubei" in out["provinces list"]
    assert "package_requirements_r2" in out["provinces list"] and "training_or_internship 1" in out["provinces list"]
    assert f"{LEDGER_CASES} cases opened" in out["import-ledger"]
    db.session.expire_all()
    lead = db.session.scalars(select(User).where(User.username == "jiangan_sup")).one()
    assert lead.roles == {Role.SUPERVISOR, Role.MENTOR} and lead.must_change_password
    admin = db.session.scalars(select(User).where(User.username == "hubei_admin")).one()
    assert not admin.must_change_password and admin.roles == {Role.ADMIN}
    assert db.session.scalar(select(EventLog.id).where(EventLog.action == EventAction.USERS_IMPORTED))


def test_a_hubei_caseworker_works_a_case_under_the_hubei_profile(app, tmp_path):
    set_up_hubei(app, tmp_path)
    worker = accounts.actor_for(db.session.scalars(select(User).where(User.username == "jiangan_cw1")).one())
    cases = db.session.scalars(select(Case).order_by(Case.id)).all()
    assert len(cases) == LEDGER_CASES and {case.profile for case in cases} == {"hubei"}
    case_id = cases[0].id
    _do(case_id, "attempt", worker, channel="phone", outcome="reached", contacted_on=DAY)
    _do(case_id, "classify", worker, status="seeking", startup_intent=False, effective_on=DAY)
    db.session.expire_all()
    case = db.session.get(Case, case_id)
    rule = next(row for row in provinces.list_profiles(worker_admin()) if row.region.code == "42")
    assert case.package_requirement == {"required_guidance": 1, "required_referrals": 3, "required_training": 0,
                                        "required_internship": 0, "required_training_or_internship": 1}
    assert rule.requirement == {"guidance": 1, "referral": 3, "training_or_internship": 1}
    for kind in ("career_guidance", "job_referral", "job_referral", "job_referral", "training_offer"):
        _do(case_id, "deliver", worker, kind=kind, response="accepted", delivered_on=DAY)
    db.session.expire_all()
    assert package_status_of(db.session.get(Case, case_id)).complete  # Jilin's 1311 would still owe an internship


def worker_admin():
    from caseflow.domain.actor import Actor

    return Actor("hubei_admin", frozenset({Role.ADMIN}), "42")
