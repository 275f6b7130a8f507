"""A caseworker's day in a real browser: sign in, claim from the team queue, a form with a validation error,
the case timeline and diagram, the language switch. Screenshots go to test-artifacts/."""

from browser_helpers import shot
from helpers import graduate, valid_id

from caseflow.domain.actor import SYSTEM
from caseflow.extensions import db
from caseflow.services import accounts, cases, regions


def _province_with_an_unassigned_case(app) -> None:
    """The case arrives before the county has caseworkers, so its first task waits in the team queue."""
    regions.load_reference_regions()
    cases.open_cases([graduate(valid_id("22010220030101123"), hukou="220102", name="张晓明",
                               hardship=("minimum_subsidy",))], cohort=2026, actor=SYSTEM)
    db.session.commit()
    accounts.seed_demo_users()


def test_caseworker_claims_completes_and_reads_the_case_file(app, page):
    _province_with_an_unassigned_case(app)
    page.goto(f"{page.base}/inbox")
    page.fill("#username", "nanguan_cw1")
    page.fill("#password", "caseflow-demo")
    page.click("button[type=submit]")
    page.click("text=团队待办")
    page.wait_for_selector("td a:has-text('记录联系')")  # the task-type filter names it too
    shot(page, "inbox-team-zh")
    page.click("button:has-text('领取')")
    page.wait_for_selector("h1:has-text('记录联系')")
    page.select_option("#f-channel", "phone")
    page.click("button:has-text('完成任务')")
    page.wait_for_selector("text=此项为必填项。")
    shot(page, "task-form-validation-zh")
    page.select_option("#f-outcome", "reached")
    page.fill("#f-contacted_on", "2026-07-01")
    page.click("button:has-text('完成任务')")
    page.wait_for_selector("text=已完成：记录联系")
    page.wait_for_selector("#diagram[data-rendered=true]", timeout=20000)
    assert page.locator("ol.timeline").inner_text().count("已完成：记录联系") == 1
    assert "登记就业状态与意向" in page.locator("#diagram").inner_text()
    assert "Classify the graduate" not in page.locator("#diagram").inner_text()  # the Chinese line of each name
    assert page.locator(".active-element").count() >= 1
    shot(page, "case-file-zh")
    page.click("text=English")
    page.wait_for_selector("h2:has-text('Timeline')")
    assert "Completed: Record a contact attempt" in page.locator("ol.timeline").inner_text()
    page.wait_for_selector("#diagram[data-rendered=true]", timeout=20000)
    assert "Classify the graduate" in page.locator("#diagram").inner_text()
    assert "登记就业状态与意向" not in page.locator("#diagram").inner_text()
    shot(page, "case-file-en")
    page.click(".userbox a")
    page.wait_for_selector("h1:has-text('Change password')")
    page.fill("#current", "caseflow-demo")
    page.fill("#new", "lilac-harbour-42")
    page.fill("#again", "lilac-harbour-42")
    shot(page, "change-password-en")
    page.click("button:has-text('Change password')")
    page.wait_for_selector("text=Your password was changed; your other sessions were signed out.")
