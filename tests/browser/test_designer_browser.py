"""A process designer in a real browser: opens the demo process in the modeler, adds a task nothing reaches, saves
and sees the lint error on the diagram, removes it and names a task in Chinese, saves clean and publishes a new
version. Screenshots go to test-artifacts/."""

from datetime import timedelta
from pathlib import Path

from browser_helpers import shot
from helpers import CONTACT, only_ready_task

from caseflow.domain.actor import SYSTEM
from caseflow.extensions import db
from caseflow.models import ProcessInstance
from caseflow.services import accounts, deployment, designer, instances, regions

ADD_ORPHAN = """() => {
  const modeler = window.caseflowDesigner.modeler;
  const factory = modeler.get('elementFactory');
  const registry = modeler.get('elementRegistry');
  const start = registry.get('start');
  const modeling = modeler.get('modeling');
  const shape = modeling.createShape(factory.createShape({type: 'bpmn:Task'}),
                                     {x: start.x + 60, y: start.y + 150}, start.parent);
  modeling.updateProperties(shape, {id: 'orphan_task'});
  return shape.id;
}"""
FIX = """() => {
  const modeler = window.caseflowDesigner.modeler;
  const registry = modeler.get('elementRegistry');
  const modeling = modeler.get('modeling');
  modeling.removeElements([registry.get('orphan_task')]);
  modeling.updateLabel(registry.get('follow_up'), '每月随访（新）');
}"""


def _saved(page, count: int) -> None:
    page.click("#save-draft")
    page.wait_for_selector(f"#modeler[data-saved='{count}']", timeout=20000)


def test_designer_edits_sees_a_lint_marker_fixes_it_and_publishes(app, page, tmp_path):
    app.config["CASEFLOW_PUBLISH_DIR"] = str(tmp_path)
    regions.load_reference_regions()
    accounts.seed_demo_users()
    before = designer.current_version("demo_followup").id
    db.session.commit()
    page.goto(f"{page.base}/login")
    page.fill("#username", "jilin_designer")
    page.fill("#password", "caseflow-demo")
    page.click("button[type=submit]")
    page.click(".mainnav >> text=流程设计")
    page.click("a:has-text('demo_followup')")
    page.wait_for_selector("#modeler[data-rendered=true]", timeout=20000)
    assert page.eval_on_selector("#modeler", "box => box.dataset.errors") == "0"

    assert page.evaluate(ADD_ORPHAN) == "orphan_task"
    _saved(page, 1)
    page.wait_for_selector(".djs-element.lint-error[data-element-id=orphan_task]")
    assert page.inner_text("#lint-count") == "1"
    assert page.inner_text("#draft-state").startswith("您正在编辑自己的草稿")
    assert "没有任何开始事件能到达此元素" in page.inner_text("#lint-findings")
    shot(page, "designer-lint-marker-zh")

    page.evaluate(FIX)
    _saved(page, 2)
    assert page.locator(".djs-element.lint-error").count() == 0
    assert page.inner_text("#lint-count") == "0"
    page.click("#publish")
    page.wait_for_selector("text=已发布版本")
    shot(page, "designer-published-zh")
    db.session.expire_all()
    published = designer.current_version("demo_followup")
    assert published.id != before and published.deployed_by == "jilin_designer"
    assert "每月随访（新）" in published.files["demo_followup.bpmn"]
    assert "orphan_task" not in published.files["demo_followup.bpmn"]
    assert (tmp_path / "bpmn" / "demo_followup.bpmn").is_file()


def _cases_and_a_renamed_version(clock) -> tuple[int, int, list[int], dict]:
    """Three running demo cases (two waiting on their timer), then a version whose first task is renamed."""
    regions.load_reference_regions()
    accounts.seed_demo_users()
    old = designer.current_version("demo_followup").id
    started = [instances.start_instance("demo_followup", actor=SYSTEM, region_code="220102") for _ in range(3)]
    for instance_id in started[:2]:
        instances.complete_task(only_ready_task(instance_id).id, actor=SYSTEM, data=CONTACT)
    due = {i: db.session.get(ProcessInstance, i).next_due for i in started}
    clock.advance(timedelta(days=5))
    xml = (Path(__file__).resolve().parents[2] / "workflows" / "bpmn" / "demo_followup.bpmn").read_text()
    for pattern in ('id="{}"', 'sourceRef="{}"', 'targetRef="{}"', 'bpmnElement="{}"', ">{}<"):
        xml = xml.replace(pattern.format("first_contact"), pattern.format("initial_contact"))
    new = deployment.deploy({"demo_followup.bpmn": xml.replace('"P30D"', '"P40D"')}, "demo_followup",
                            actor=SYSTEM)[0].id
    db.session.commit()
    return old, new, started, due


def test_designer_dry_runs_and_moves_running_cases_keeping_their_timers(app, page, clock):
    """Two cases wait on their 30-day timer, one at its renamed first task: the dry run names the element, the map
    lets all three move, and the timers keep their due dates."""
    old, new, started, due = _cases_and_a_renamed_version(clock)
    page.goto(f"{page.base}/login")
    page.fill("#username", "jilin_designer")
    page.fill("#password", "caseflow-demo")
    page.click("button[type=submit]")
    page.goto(f"{page.base}/designer/demo_followup/versions")
    page.click("text=迁移在办案件")
    page.select_option("#migrate-from", str(old))
    page.select_option("#migrate-to", str(new))
    page.click("button:has-text('试运行')")
    page.wait_for_selector("#dry-run-summary")
    assert "3 个运行中的实例中有 0 个可以迁移" in page.inner_text("#dry-run-summary")
    assert "first_contact" in page.inner_text("table.refused")
    shot(page, "designer-migration-dry-run-zh")
    page.fill("#migrate-map", "first_contact=initial_contact")
    page.click("button:has-text('试运行')")
    page.wait_for_selector("text=3 个运行中的实例中有 3 个可以迁移")
    page.click("#run-migration")
    page.wait_for_selector("text=已迁移 3 个实例")
    shot(page, "designer-migration-done-zh")
    db.session.expire_all()
    rows = {i: db.session.get(ProcessInstance, i) for i in started}
    assert {row.version_id for row in rows.values()} == {new}
    assert {i: row.next_due for i, row in rows.items()} == due
    assert only_ready_task(started[2]).bpmn_id == "initial_contact"
