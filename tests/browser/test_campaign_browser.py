"""The campaign page in a real browser: an administrator opens Jilin's 2026 campaign with the button, sees the
calendar and each region's milestones; after the notice date passes, a county that sent none shows as escalated and
its supervisor sees only their county. Screenshots go to test-artifacts/."""

from datetime import UTC, datetime

from browser_helpers import shot

from caseflow.services import accounts, regions, timers


def _sign_in(page, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{page.base}/campaigns/")
    page.fill("#username", username)
    page.fill("#password", "caseflow-demo")
    page.click("button[type=submit]")


def test_an_administrator_opens_the_campaign_and_sees_milestones_per_region(app, page, clock):
    regions.load_reference_regions()
    accounts.seed_demo_users()
    _sign_in(page, "admin")
    page.wait_for_selector("h1:has-text('年度专项行动')")
    assert page.locator("#province").input_value() == "22"
    page.fill("#cohort", "2026")
    page.click("button:has-text('开启专项行动')")
    page.wait_for_selector("text=2026届专项行动已开启。")
    assert "2026-07-10" in page.locator("table.calendar").inner_text()
    assert page.locator("#region-220102 td").nth(2).inner_text() == "进行中"
    shot(page, "campaign-opened-zh")

    clock.advance(datetime(2026, 7, 11, 2, tzinfo=UTC) - clock.now())
    timers.sweep()
    page.reload()
    page.wait_for_selector("#region-220102")
    assert page.locator("#region-220102 td").nth(2).inner_text() == "已逾期并上报"
    assert page.locator("#region-22 td").nth(2).inner_text() == "—"
    shot(page, "campaign-notices-escalated-zh")

    _sign_in(page, "nanguan_sup")
    page.wait_for_selector("table.campaigns")
    page.locator("table.campaigns a").first.click()
    page.wait_for_selector("#region-220102")
    assert page.locator("table.campaign-regions tbody tr").count() == 1
    assert page.locator("button:has-text('开启专项行动')").count() == 0
    shot(page, "campaign-county-view-zh")
