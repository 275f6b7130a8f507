"""A process designer in a real browser: opens the demo process in the modeler, adds a task nothing reaches, saves
and sees the lint error on the diagram, removes it and names a task in Chinese, saves clean and publishes a new
version. Screenshots go to test-artifacts/."""

from browser_helpers import shot

from caseflow.extensions import db
from caseflow.services import accounts, designer, regions

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
