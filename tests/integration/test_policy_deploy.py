"""Deploy refuses a diagram that names what the Python does not have (a record kind, a task property) or lacks
what the Python relies on; forms are part of a process version, and running instances keep their version's."""

import json
import shutil
from pathlib import Path

import pytest
from helpers import CONTACT, only_ready_task

from caseflow.domain.actor import SYSTEM
from caseflow.errors import InvalidInput, InvalidSpec
from caseflow.extensions import db
from caseflow.models import ProcessInstance
from caseflow.services import deployment, instances

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / "workflows"
DEMO = (WORKFLOWS / "bpmn" / "demo_followup.bpmn").read_text()
FORMKEY = '<spiffworkflow:property name="formKey" value="first_contact" />'


def demo_with(extra_property: str) -> dict[str, str]:
    assert FORMKEY in DEMO
    return {"demo_followup.bpmn": DEMO.replace(FORMKEY, FORMKEY + extra_property)}


@pytest.mark.parametrize("extra", [
    '<spiffworkflow:property name="record" value="no_such_record" />',
    '<spiffworkflow:property name="recrod" value="contact_attempt" />',
    '<spiffworkflow:property name="dueInDays" value="thirty" />',
    '<spiffworkflow:property name="regionVariable" value="not a variable" />',
], ids=["record-names-nothing", "unknown-property", "days-not-a-number", "region-not-a-variable"])
def test_a_task_property_that_names_nothing_is_refused_at_deploy(app, extra):
    with pytest.raises(InvalidSpec) as err:
        deployment.deploy(demo_with(extra), "demo_followup", actor=SYSTEM)
    assert err.value.element == "first_contact"


def test_a_known_record_kind_deploys(app):
    version, created = deployment.deploy(
        demo_with('<spiffworkflow:property name="record" value="contact_attempt" />'), "demo_followup", actor=SYSTEM)
    assert created and version.process_id == "demo_followup"


def journey_files(**renames: tuple[str, str]) -> dict[str, str]:
    files = deployment.read_bundle_files(WORKFLOWS)
    for name, (old, new) in renames.items():
        assert old in files[name]
        files[name] = files[name].replace(old, new)
    return files


def test_a_journey_without_a_task_the_python_relies_on_is_refused(app):
    files = journey_files(**{"hardship_support.bpmn": ("approve_plan", "approve_the_plan")})
    with pytest.raises(InvalidSpec) as err:
        deployment.deploy(files, "graduate_journey", actor=SYSTEM)
    assert err.value.element == "approve_plan"


def test_a_journey_that_never_waits_for_a_message_the_python_sends_is_refused(app):
    files = journey_files(**{"graduate_journey.bpmn": ('name="transfer_requested"', 'name="transfer_asked"')})
    with pytest.raises(InvalidSpec) as err:
        deployment.deploy(files, "graduate_journey", actor=SYSTEM)
    assert "transfer_requested" in str(err.value)


def test_a_changed_form_is_a_new_version_and_running_instances_keep_their_form(app, tmp_path):
    old = instances.start_instance("demo_followup", actor=SYSTEM)
    copy = tmp_path / "workflows"
    shutil.copytree(WORKFLOWS, copy)
    form = json.loads((copy / "forms" / "first_contact.json").read_text(encoding="utf-8"))
    form["fields"].append({"name": "source", "type": "text", "required": True, "label": "Where the number came from"})
    (copy / "forms" / "first_contact.json").write_text(json.dumps(form, ensure_ascii=False), encoding="utf-8")
    app.config["CASEFLOW_WORKFLOWS_DIR"] = str(copy)
    results = {version.process_id: created for version, created in deployment.deploy_directory(actor=SYSTEM)}
    assert [process for process, created in results.items() if created] == ["demo_followup"]  # the form's user
    new = instances.start_instance("demo_followup", actor=SYSTEM)
    old_version, new_version = (db.session.get(ProcessInstance, i).version_id for i in (old, new))
    assert old_version != new_version
    assert "forms/first_contact.json" in instances.latest_version("demo_followup").files
    old_task, new_task = only_ready_task(old), only_ready_task(new)
    assert [f.name for f in deployment.task_form(old_task).fields] == ["channel", "outcome", "contacted_on", "notes"]
    assert deployment.task_form(new_task).fields[-1].name == "source"
    with pytest.raises(InvalidInput):
        instances.complete_task(new_task.id, actor=SYSTEM, data=CONTACT)  # the new version's form wants a source
    instances.complete_task(old_task.id, actor=SYSTEM, data=CONTACT)  # the running instance keeps its form
    instances.complete_task(new_task.id, actor=SYSTEM, data={**CONTACT, "source": "学校"})
