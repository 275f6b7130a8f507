"""Lint: every domain rule deploy applies, listed for every element at once, plus reachability, dead ends and
Chinese names; the workflows directory lints clean and every file of the external corpus is read or refused
naming its element."""

from pathlib import Path

import pytest
from helpers import TESTS_DIR

from caseflow.services import deployment, lint

ROOT = TESTS_DIR.parent
DEMO = (ROOT / "workflows" / "bpmn" / "demo_followup.bpmn").read_text()
CORPUS = ROOT.parent.parent / "shared" / "corpus" / "bpmn-miwg"
if not CORPUS.is_dir():  # a worktree sits in /work/wt/<name>; the main checkout beside shared/
    CORPUS = Path("/work/shared/corpus/bpmn-miwg")
CORPUS_FILES = sorted(CORPUS.glob("*/*.bpmn"))


def broken_demo() -> str:
    """The demo process with one problem per rule, each on its own element."""
    xml = DEMO.replace('<spiffworkflow:property name="formKey" value="first_contact" />', "")
    xml = xml.replace('id="add_working_days"', 'id="no_such_operation"')
    xml = xml.replace('"P30D"', "P30D")
    xml = xml.replace('<bpmn:lane id="lane_system" name="系统&#10;System">\n        <bpmn:flowNodeRef>plan_follow_up',
                      '<bpmn:lane id="lane_system" name="Nobody">\n        <bpmn:flowNodeRef>follow_up'
                      '</bpmn:flowNodeRef>\n        <bpmn:flowNodeRef>plan_follow_up')
    xml = xml.replace("<bpmn:flowNodeRef>follow_up</bpmn:flowNodeRef>\n        <bpmn:flowNodeRef>end",
                      "<bpmn:flowNodeRef>end")
    xml = xml.replace('<bpmn:endEvent id="end" name="已登记回访&#10;Follow-up recorded">',
                      '<bpmn:task id="orphan_task" name="随访" />\n    <bpmn:task id="end" name="记录">')
    xml = xml.replace("</bpmn:endEvent>", "</bpmn:task>")
    return xml.replace('name="月度回访&#10;Monthly follow-up visit"', 'name="A name nobody translated"')


def by_element(report) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for finding in report.findings:
        found.setdefault(finding.element, []).append(finding.message)
    return found


def test_the_workflows_directory_lints_clean(app):
    report = lint.lint_app_files(deployment.read_bundle_files(deployment.workflows_dir()))
    assert report.findings == []


def test_every_problem_is_listed_by_its_element(app):
    report = lint.lint_app_files({"demo_followup.bpmn": broken_demo()})
    found = by_element(report)
    assert "user task names no known form (formKey=%(form)s)" in found["first_contact"]
    assert "unknown service operation %(operation)s" in found["plan_follow_up"]
    assert 'timer expression %(expression)s must be a quoted string, e.g. "P30D"' in found["wait_one_month"]
    assert "user task lane %(lane)s is not a known role" in found["follow_up"]
    assert "no start event reaches this element" in found["orphan_task"]
    assert any(m.startswith("dead end") for m in found["end"])
    assert "the name %(name)s has no Chinese: write a Chinese line above the English one" in found["follow_up"]
    assert not report.ok and all(f.element for f in report.findings)
    untranslated = [f for f in report.findings if f.severity == lint.WARNING]
    # the catalogue translates every other name
    assert [f.element for f in untranslated] == ["lane_system", "follow_up"]


def test_names_need_a_chinese_line_or_a_catalogue_translation(app):
    """Bilingual names, Chinese-only names and English names the catalogue translates pass; an English name
    nobody translated, and a bilingual name with an empty line, are warnings naming their element."""
    xml = DEMO.replace('name="月度回访&#10;Monthly follow-up visit"', 'name="Monthly follow-up visit"')
    xml = xml.replace('name="记录首次联系&#10;Record first contact"', 'name="记录首次联系"')
    xml = xml.replace('name="30天后&#10;30 days later"', 'name="30天后&#10;"')
    xml = xml.replace('name="已登记回访&#10;Follow-up recorded"', 'name="&#10;Follow-up recorded"')
    xml = xml.replace('name="安排回访&#10;Plan the follow-up visit"', 'name="Plan the&#10;next visit"')
    report = lint.lint_app_files({"demo_followup.bpmn": xml})
    assert report.ok
    found = {(f.element, f.message, f.params["name"]) for f in report.findings}
    empty = "the name %(name)s has an empty line: a bilingual name is a Chinese line, then an English line"
    assert found == {("wait_one_month", empty, "30天后 / "), ("end", empty, " / Follow-up recorded"),
                     ("plan_follow_up", "the name %(name)s has no Chinese: write a Chinese line above the English one",
                      "Plan the next visit")}


def test_the_journey_must_keep_the_ids_python_relies_on(app):
    files = deployment.read_bundle_files(deployment.workflows_dir())
    journey = files["graduate_journey.bpmn"]
    tasks, _ = deployment.relied_on()
    relied = sorted(t for t in tasks if f'id="{t}"' in journey)[0]
    files["graduate_journey.bpmn"] = journey.replace(f'id="{relied}"', f'id="{relied}_renamed"').replace(
        f'"{relied}"', f'"{relied}_renamed"').replace(f">{relied}<", f">{relied}_renamed<")
    report = lint.lint_app_files(files)
    assert relied in {f.element for f in report.errors}


def test_the_cli_lists_findings_and_fails_on_errors(app, tmp_path):
    bad = tmp_path / "demo_followup.bpmn"
    bad.write_text(broken_demo(), encoding="utf-8")
    runner = app.test_cli_runner()
    failed = runner.invoke(args=["caseflow", "lint", str(bad)])
    assert failed.exit_code == 1
    assert "error: plan_follow_up: unknown service operation no_such_operation" in failed.output
    assert "warning: demo_followup.bpmn:follow_up: the name A name nobody translated" in failed.output
    clean = runner.invoke(args=["caseflow", "lint"])
    assert clean.exit_code == 0 and "0 errors, 0 warnings" in clean.output


def test_malformed_and_empty_files_are_refused_by_file(app):
    report = lint.lint_app_files({"broken.bpmn": "<bpmn:definitions", "other.bpmn": DEMO})
    assert [f.file for f in report.errors] == ["broken.bpmn"]
    assert not lint.lint_app_files({}).ok


@pytest.mark.skipif(not CORPUS_FILES, reason="the shared corpus is not beside this checkout")
@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_corpus_file_is_read_or_refused_naming_the_element(app, path):
    """Diagrams from other tools: none is executable here; lint names each element a designer must fix."""
    report = lint.lint_paths([path])
    assert not report.ok  # none was written for Caseflow
    for finding in report.findings:
        assert finding.element, finding.text()
        assert finding.text()  # the message fills without a KeyError
