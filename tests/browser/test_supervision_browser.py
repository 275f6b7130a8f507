"""A supervisor's morning in a real browser: find the stalled cases, bulk-reassign them by clicking, see the
workload change and the case timeline record it. Screenshots go to test-artifacts/."""

from datetime import timedelta

from browser_helpers import shot
from supervision_helpers import open_in

from caseflow.services import accounts, regions

WANG, LIU = "王丽（南关区就业服务专员）", "刘洋（南关区就业服务专员）"


def test_supervisor_finds_stalled_cases_bulk_reassigns_them_and_sees_the_workload_update(app, page, clock):
    regions.load_reference_regions()
    accounts.seed_demo_users()
    open_in("220102", 6)  # three cases each for 王丽 and 刘洋
    clock.advance(timedelta(days=31))  # nobody was contacted by the first-contact deadline
    page.goto(f"{page.base}/supervision/")
    page.fill("#username", "nanguan_sup")
    page.fill("#password", "caseflow-demo")
    page.click("button[type=submit]")
    page.wait_for_selector("h1:has-text('停滞与风险案例')")
    assert page.locator("tr[data-caseworker=nanguan_cw2] [data-figure=open]").inner_text() == "3"
    shot(page, "supervisor-console-zh")
    page.click("a[data-rule=first_contact_overdue]")
    page.wait_for_selector("h1:has-text('首次联系逾期')")
    assert page.locator("input[name=case]").count() == 6
    page.check("#check-all")
    page.select_option("#reassign-to", label=LIU)
    page.fill("#reassign-reason", "王丽休假，集中联系")
    shot(page, "supervisor-stalled-list-zh")
    page.click("button:has-text('重新分配所选案例')")
    page.wait_for_selector("text=已重新分配 3 个案例。")
    assert page.locator("td:has-text('王丽')").count() == 0
    page.click(".subnav >> text=督导台")
    page.wait_for_selector("#workload")
    assert page.locator("tr[data-caseworker=nanguan_cw2] [data-figure=open]").inner_text() == "6"
    assert page.locator("tr[data-caseworker=nanguan_cw1] [data-figure=open]").inner_text() == "0"
    shot(page, "supervisor-console-after-zh")
    page.click("tr[data-caseworker=nanguan_cw2] [data-figure=open]")
    page.locator("table.cases a").first.click()
    page.wait_for_selector("ol.timeline")
    assert "王丽休假，集中联系" in page.locator("ol.timeline").inner_text()
    shot(page, "case-file-reassigned-zh")
    page.goto(f"{page.base}/supervision/report/print")
    page.wait_for_selector("button[data-print]")
    handed_over, reached = (page.locator(".funnel-bar").nth(i).bounding_box()["width"] for i in (0, 1))
    assert handed_over > 0 and reached == 0  # six handed over, nobody reached yet: bars drawn without inline style
    shot(page, "supervisor-report-print-zh")
