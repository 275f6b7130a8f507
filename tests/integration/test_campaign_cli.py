"""`flask caseflow campaign open|calendar`: the province's calendar from the decision table, opening once."""

from sqlalchemy import func, select

from caseflow.extensions import db
from caseflow.models import Campaign, ProcessInstance
from caseflow.services import regions


def test_the_command_shows_the_calendar_and_opens_the_campaign_once(app):
    regions.load_reference_regions()
    runner = app.test_cli_runner()
    shown = runner.invoke(args=["caseflow", "campaign", "calendar", "--province", "42", "--cohort", "2026"])
    assert shown.exit_code == 0 and "notices   2026-06-30" in shown.output
    assert "2026-08 (due 2026-08-27)" in shown.output
    opened = runner.invoke(args=["caseflow", "campaign", "open", "--province", "22", "--cohort", "2026"])
    assert opened.exit_code == 0, opened.output
    assert "notices   2026-07-10" in opened.output
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Campaign)) == 1
    counties = db.session.scalar(select(func.count()).select_from(ProcessInstance)
                                 .where(ProcessInstance.process_id == "campaign_county"))
    assert counties > 10
    again = runner.invoke(args=["caseflow", "campaign", "open", "--province", "22", "--cohort", "2026"])
    assert again.exit_code != 0 and "already open" in again.output
    bad = runner.invoke(args=["caseflow", "campaign", "open", "--province", "2201", "--cohort", "2026"])
    assert bad.exit_code != 0 and "two digits" in bad.output


def test_deploy_refuses_a_campaign_without_a_milestone_the_page_shows(app):
    import pytest

    from caseflow.domain.actor import SYSTEM
    from caseflow.errors import InvalidSpec
    from caseflow.services.deployment import deploy, read_bundle_files, workflows_dir

    files = read_bundle_files(workflows_dir())
    files["campaign_county.bpmn"] = files["campaign_county.bpmn"].replace("send_notices", "send_letters")
    with pytest.raises(InvalidSpec) as refused:
        deploy(files, "campaign_county", actor=SYSTEM)
    assert refused.value.element == "send_notices"
