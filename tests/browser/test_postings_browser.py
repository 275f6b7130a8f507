"""A supervisor keeps the job-posting register in a real browser: adds a posting, imports a small workbook, closes
a posting and filters the list. Screenshots go to test-artifacts/."""

from browser_helpers import ARTIFACTS, shot
from openpyxl import Workbook

from caseflow.services import accounts, regions


def _workbook(*extra: list, name: str = "postings-import.xlsx") -> str:
    book = Workbook()
    sheet = book.active
    sheet.append(["用人单位", "岗位名称", "工作地区代码", "行业", "专业代码", "最低学历", "月薪下限", "月薪上限",
                  "截止日期"])
    sheet.append(["华为长春研究所", "软件开发工程师", "220102", "软件", "0809", "本科", 9000, 15000, "2026-11-30"])
    sheet.append(["吉林大学第一医院", "护士", "220102", "医疗", "1011", "专科", 4500, 6500, "2026-09-30"])
    for row in extra:
        sheet.append(row)
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    book.save(path)
    return str(path)


def _add_a_posting(page) -> None:
    """The form refuses a salary range upside down, then saves."""
    page.click("text=新增岗位")
    page.fill("#p-employer", "长春一汽富维")
    page.fill("#p-title", "质量工程师")
    page.select_option("#p-area_code", "220102")
    page.fill("#p-industry", "制造")
    page.select_option("#p-min_degree", "bachelor")
    page.fill("#p-salary_min", "6000")
    page.fill("#p-salary_max", "5000")
    page.fill("#p-open_until", "2026-10-31")
    page.click("button:has-text('保存')")
    page.wait_for_selector("text=最低月薪高于最高月薪")
    page.fill("#p-salary_max", "9000")
    page.click("button:has-text('保存')")
    page.wait_for_selector("text=已新增岗位")


def _import_a_workbook(page) -> None:
    """A workbook with a bad row imports nothing and names every problem; the corrected one imports."""
    page.click("text=从文件导入")
    page.set_input_files("#import-file", _workbook(["=HYPERLINK(\"http://x\")", "技工", "220103", "", "", "高中",
                                                    "", "", "2026-05-01"], name="postings-refused.xlsx"))
    page.click("button:text-is('导入')")
    page.wait_for_selector("text=未导入任何岗位")
    assert page.locator("table.refused tbody tr").count() == 4  # formula, region, degree, closing date
    shot(page, "postings-import-refused-zh")
    page.set_input_files("#import-file", _workbook())
    page.click("button:has-text('仅检查')")
    page.wait_for_selector("text=仅检查：未导入任何岗位。")
    page.set_input_files("#import-file", _workbook())
    page.click("button:text-is('导入')")
    page.wait_for_selector("text=已导入 2 个岗位")
    shot(page, "postings-import-zh")


def test_supervisor_adds_imports_closes_and_filters_postings(app, page):
    regions.load_reference_regions()
    accounts.seed_demo_users()
    page.goto(f"{page.base}/postings")
    page.fill("#username", "nanguan_sup")
    page.fill("#password", "caseflow-demo")
    page.click("button[type=submit]")
    _add_a_posting(page)
    _import_a_workbook(page)
    page.click("a.tab:has-text('岗位信息库')")
    assert page.locator("tr.posting-open").count() == 3
    page.locator("tr:has-text('护士') button:has-text('关闭')").click()
    page.wait_for_selector("text=已关闭岗位")
    assert page.locator("tr.posting-closed").count() == 1
    page.select_option("select[name=state]", "open")
    page.select_option("select[name=industry]", "软件")
    page.click("button:has-text('筛选')")
    page.wait_for_selector("text=共 1 个岗位")
    assert "软件开发工程师" in page.locator("table.postings").inner_text()
    page.select_option("select[name=industry]", "")
    page.click("button:has-text('筛选')")
    page.wait_for_selector("text=共 2 个岗位")
    shot(page, "postings-register-zh")
    page.click("text=English")
    page.wait_for_selector("h1:has-text('Job postings')")
    assert page.locator("tr.posting-open").count() == 2
