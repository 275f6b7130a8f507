"""A county supervisor uploads a real-name ledger in a real browser: the page shows the background job's progress
and reloads itself when the preview is ready (it polls a JSON endpoint), lists the refused rows, and commits.
The scheduler process is played by the test, which runs the queued jobs while the page waits."""

from browser_helpers import ARTIFACTS, shot
from handover_helpers import csv_bytes

from caseflow.services import accounts, ledger_upload, regions
from caseflow.services.workflow import committing

BAD = {3: {"graduation_date": "2026-13-40"}, 7: {"phone": "12345"}}


def _ledger() -> str:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / "ledger-upload.csv"
    path.write_bytes(csv_bytes(40, edits=BAD))
    return str(path)


def test_supervisor_uploads_previews_and_commits_a_ledger(app, page):
    regions.load_reference_regions()
    accounts.seed_demo_users()
    page.goto(f"{page.base}/ledger")
    page.fill("#username", "nanguan_sup")
    page.fill("#password", "caseflow-demo")
    page.click("button[type=submit]")
    page.click("a:has-text('台账导入')")
    page.set_input_files("#ledger-file", _ledger())
    page.fill("#ledger-cohort", "2026")
    page.click("button:has-text('上传并校验')")
    page.wait_for_selector("#ledger-progress progress")
    assert "等待校验" in page.inner_text("#ledger-status")
    shot(page, "ledger-upload-progress-zh")

    batch_id = int(page.url.rsplit("/", 1)[1])
    assert ledger_upload._claim(batch_id)  # the scheduler process takes the job and has read half of the rows
    with committing():
        ledger_upload._beat(batch_id, 20)
    page.wait_for_selector("#ledger-bar[value='50']", timeout=15000)  # the page polled the progress
    assert page.inner_text("#ledger-done") == "20" and "正在校验" in page.inner_text("#ledger-status")
    shot(page, "ledger-upload-half-zh")
    ledger_upload.run_job(batch_id)  # … and finishes
    page.wait_for_selector("button:has-text('确认导入：开立 38 个案件')", timeout=15000)  # the page reloaded itself
    assert "共 40 行：通过 38 行，拒绝 2 行。" in page.inner_text("p.counts")
    assert page.locator("table.refused tbody tr").count() == 2
    assert "日期无效" in page.inner_text("table.refused") and "手机号无效" in page.inner_text("table.refused")
    shot(page, "ledger-upload-preview-zh")

    page.click("button:has-text('确认导入')")
    page.wait_for_selector("text=已提交导入")
    assert ledger_upload.run_pending() == 1
    page.wait_for_selector("strong.ok:has-text('已开立 38 个案件')", timeout=15000)
    assert page.locator("#ledger-progress").count() == 0
    shot(page, "ledger-upload-committed-zh")
    page.click("a:has-text('台账导入')")
    assert "已导入" in page.inner_text("table.uploads")
