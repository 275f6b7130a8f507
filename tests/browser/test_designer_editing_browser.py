"""The designer's editing tools in a real browser: a user task's form chosen in the properties panel clears its lint
error and changes the draft's XML; a decision table opened in dmn-js, a cell edited and saved into the draft; a form
label edited and the live preview following it. Screenshots go to test-artifacts/."""

from pathlib import Path

from browser_helpers import shot

from caseflow.domain.actor import Actor
from caseflow.domain.enums import Role
from caseflow.extensions import db
from caseflow.models import ProcessDraft
from caseflow.services import accounts, designer, regions

DEMO = (Path(__file__).resolve().parents[2] / "workflows" / "bpmn" / "demo_followup.bpmn").read_text()
DESIGNER = Actor("jilin_designer", frozenset({Role.DESIGNER}), "22")
SAVED_XML = "() => window.caseflowDesigner.modeler.saveXML().then(({xml}) => xml)"
ROUND_TRIP = """(xml) => {
  const modeler = window.caseflowDesigner.modeler;
  return modeler.importXML(xml).then(() => modeler.saveXML({format: true})).then(({xml}) => xml);
}"""
TAGS = ("properties", "property ", "serviceTaskOperator", "parameters", "parameter ", "calledDecisionId",
        "messageVariable", "postScript")


def _sign_in(page) -> None:
    regions.load_reference_regions()
    accounts.seed_demo_users()
    db.session.commit()
    page.goto(f"{page.base}/login")
    page.fill("#username", "jilin_designer")
    page.fill("#password", "caseflow-demo")
    page.click("button[type=submit]")


def _draft(process_id: str) -> ProcessDraft:
    db.session.expire_all()
    return db.session.query(ProcessDraft).filter_by(process_id=process_id, designer="jilin_designer").one()


def test_a_form_chosen_in_the_properties_panel_clears_the_lint_error(app, page):
    designer.save_draft("demo_followup", "demo_followup.bpmn",
                        DEMO.replace('name="formKey" value="first_contact"', 'name="formKey" value="first_kontakt"'),
                        actor=DESIGNER)
    _sign_in(page)
    page.goto(f"{page.base}/designer/demo_followup")
    page.wait_for_selector("#modeler[data-rendered=true]", timeout=20000)
    page.wait_for_selector(".djs-element.lint-error[data-element-id=first_contact]")
    assert page.inner_text("#lint-count") == "1"

    page.click(".djs-element[data-element-id=first_contact]")
    select = page.locator("select[name=caseflow-form]")
    select.wait_for()
    assert select.input_value() == "first_kontakt"  # shown, marked as unknown
    assert "first_kontakt · " in select.locator("option:checked").inner_text()
    select.select_option("first_contact")
    shot(page, "designer-properties-panel-zh")
    page.click("#save-draft")
    page.wait_for_selector("#modeler[data-saved='1']", timeout=20000)
    assert page.inner_text("#lint-count") == "0"
    assert page.locator(".djs-element.lint-error").count() == 0
    xml = _draft("demo_followup").files["demo_followup.bpmn"]
    assert 'name="formKey" value="first_contact"' in xml and "first_kontakt" not in xml

    # The service task and the timer show their Caseflow properties too.
    page.click(".djs-element[data-element-id=plan_follow_up]")
    page.locator("select[name=caseflow-operation]").wait_for()
    assert page.locator("select[name=caseflow-operation]").input_value() == "add_working_days"
    assert page.locator("textarea[name=caseflow-parameters]").input_value() == "days = 22"
    page.click(".djs-element[data-element-id=wait_one_month]")
    page.locator("select[name=caseflow-timer-kind]").wait_for()
    assert page.locator("select[name=caseflow-timer-kind]").input_value() == "timeDuration"
    assert page.locator("input[name=caseflow-timer-expression]").input_value() == '"P30D"'
    page.locator("select[name=caseflow-timer-kind]").select_option("timeCycle")
    assert '"P30D"</bpmn:timeCycle>' in page.evaluate(SAVED_XML) and "timeDuration" not in page.evaluate(SAVED_XML)
    page.evaluate("() => { const m = window.caseflowDesigner.modeler;"
                  " m.get('selection').select(m.get('elementRegistry').get('lane_system')); }")
    page.locator("select[name=caseflow-role]").wait_for()
    assert page.locator("select[name=caseflow-role]").input_value() == "system"  # the English line of 系统 / System
    page.locator("select[name=caseflow-role]").select_option("supervisor")
    assert 'name="主管&#10;Supervisor"' in page.evaluate(SAVED_XML)  # the role's bilingual name, as diagrams write it
    # bpmn-js's own words are Chinese too: the panel's groups and header, the palette's tools
    assert page.locator(".bio-properties-panel-group-header-title", has_text="基本信息").count() == 1
    assert page.inner_text(".bio-properties-panel-header-type") == "泳道"
    assert page.locator(".djs-palette [aria-label='创建开始事件']").count() == 1


def test_the_modeler_keeps_every_spiffworkflow_extension_of_the_diagrams(app, page):
    """Each diagram of workflows/bpmn, imported into the modeler with the descriptor and saved, keeps its extensions."""
    _sign_in(page)
    page.goto(f"{page.base}/designer/demo_followup")
    page.wait_for_selector("#modeler[data-rendered=true]", timeout=20000)
    for path in sorted((Path(__file__).resolve().parents[2] / "workflows" / "bpmn").glob("*.bpmn")):
        xml = path.read_text()
        saved = page.evaluate(ROUND_TRIP, xml)
        for tag in TAGS:
            assert saved.count(f"<spiffworkflow:{tag}") == xml.count(f"<spiffworkflow:{tag}"), (path.name, tag)


def test_a_decision_table_cell_is_edited_and_saved_into_the_draft(app, page):
    _sign_in(page)
    page.goto(f"{page.base}/designer/case_work")
    page.click("#decisions-link")
    page.wait_for_selector("#dmn-editor[data-rendered=true]", timeout=20000)
    assert "classification_routing.dmn" in page.inner_text(".tabs")
    # dmn-js's own words are Chinese too: the clauses of the head and the hit policy
    assert page.locator(".tjs-table thead .clause").first.inner_text() == "如果"
    assert "命中策略" in page.inner_text(".hit-policy")
    cell = page.locator(".tjs-table tbody td.output-cell").first
    before = cell.inner_text().strip()
    cell.click()
    page.keyboard.press("Control+a")
    page.keyboard.type('"contact_again"')
    page.locator("h1").click()  # leave the cell
    shot(page, "designer-decision-table-zh")
    page.click("#save-dmn")
    page.wait_for_selector("#dmn-editor[data-saved='1']", timeout=20000)
    assert page.eval_on_selector("#dmn-editor", "box => box.dataset.errors") == "0"
    xml = _draft("case_work").files["classification_routing.dmn"]
    assert "&#34;contact_again&#34;" in xml or '"contact_again"' in xml
    assert before not in ("", '"contact_again"')


def test_a_form_label_edited_updates_the_live_preview(app, page):
    _sign_in(page)
    page.goto(f"{page.base}/designer/demo_followup")
    page.click("#forms-link")
    page.click(".tabs a:has-text('follow_up')")
    page.wait_for_selector("#form-preview label[for=preview-channel]")
    assert page.inner_text("#form-preview label[for=preview-channel]").startswith("回访方式")
    area = page.locator("#form-json")
    area.fill(area.input_value().replace('"zh": "回访方式"', '"zh": "回访渠道"', 1))
    page.wait_for_function(
        "() => document.querySelector('#form-preview label[for=preview-channel]').textContent.startsWith('回访渠道')")
    shot(page, "designer-form-preview-zh")
    page.check("input[name=preview-locale][value=en]")
    page.wait_for_function(
        "() => document.querySelector('#form-preview label[for=preview-channel]').textContent.startsWith('Channel')")

    area.fill(area.input_value().replace('"type": "choice"', '"type": "colour"', 1))
    page.wait_for_selector("#form-error:not([hidden])")
    assert "channel" in page.inner_text("#form-error")
    page.click("#save-form")
    page.wait_for_function("() => document.querySelector('#save-status').textContent.includes('channel')")
    area.fill(area.input_value().replace('"type": "colour"', '"type": "choice"', 1))
    page.wait_for_selector("#form-error", state="hidden")
    page.click("#save-form")
    page.wait_for_selector("#form-json[data-saved='1']")
    assert '"zh": "回访渠道"' in _draft("demo_followup").files["forms/follow_up.json"]
