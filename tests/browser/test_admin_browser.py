"""Hubei's administrator in a real browser: imports the city's staff from a workbook (a refused file first), gives
an account a second role, resets a password, and sets the province's profile, seeing the rule it selects; the new
caseworker then must choose a password. Screenshots go to test-artifacts/."""

from browser_helpers import ARTIFACTS, shot
from openpyxl import Workbook

from caseflow.services import accounts, regions


def _workbook(name: str, *rows) -> str:
    book = Workbook()
    sheet = book.active
    sheet.append(["用户名", "姓名", "角色", "地区代码", "初始密码"])
    for row in rows:
        sheet.append(list(row))
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    book.save(path)
    return str(path)


def _sign_in(page, username: str, password: str = "caseflow-demo") -> None:
    page.goto(f"{page.base}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")


def _import_staff(page) -> str:
    """A refused workbook names each bad cell; the corrected one imports and shows the made-up passwords."""
    page.click(".subnav >> text=导入人员")
    page.set_input_files("#import-file", _workbook("staff-refused.xlsx", ("wuchang_cw2", "王五", "就业服务专员",
                                                                          "420106", None),
                                                   ("=1+1", "公式", "主管", "420106", None),
                                                   ("wuchang_cw3", "赵六", "局长", "220102", None)))
    page.click("button:text-is('导入')")
    page.wait_for_selector("text=未导入任何")
    assert page.locator("table.refused tbody tr").count() == 3  # formula, role, region outside Hubei
    shot(page, "admin-import-refused-zh")
    page.set_input_files("#import-file", _workbook("staff.xlsx", ("wuchang_cw2", "王五（武昌区就业服务专员）",
                                                                  "就业服务专员", "420106", None),
                                                   ("wuchang_cw3", "赵六（武昌区）", "主管、创业就业指导师", "420106",
                                                    None)))
    page.click("button:text-is('导入')")
    page.wait_for_selector("text=已导入 2 个账号。")
    shot(page, "admin-import-zh")
    return page.locator("table.temporary tbody tr:has-text('wuchang_cw2') td").nth(1).inner_text()


def test_hubei_administrator_imports_staff_manages_an_account_and_sets_the_profile(app, page):
    regions.load_reference_regions()
    accounts.seed_demo_users()
    _sign_in(page, "hubei_admin")
    page.click(".mainnav >> text=系统管理")
    page.wait_for_selector("h1:has-text('账号')")
    assert page.locator("table.accounts tbody tr").count() == 7  # Hubei's demo accounts only
    assert len(_import_staff(page)) >= 10
    page.click(".subnav >> text=账号")
    page.click("a:text-is('wuchang_cw2')")
    page.check("input[name=roles][value=mentor]")
    page.click("button:text-is('保存')")
    page.wait_for_selector("text=已保存账号 wuchang_cw2。")
    assert page.locator("h1 + p .badge").count() == 2
    page.click("button:text-is('重置密码')")
    page.wait_for_selector("#temporary-password")
    temporary = page.locator("#temporary-password strong").inner_text()
    shot(page, "admin-account-zh")
    page.click(".subnav >> text=各省服务包方案")
    row = page.locator("#province-42")
    assert "package_requirements_r2" in row.inner_text() and "培训或见习 1" in row.inner_text()
    row.locator("select[name=profile]").select_option("jilin_1311")
    row.locator("button").click()
    page.wait_for_selector("text=今后按服务包方案 jilin_1311 办理")
    assert "package_requirements_r1" in page.locator("#province-42").inner_text()
    page.locator("#province-42 select[name=profile]").select_option("hubei")
    page.locator("#province-42 button").click()
    page.wait_for_selector("text=今后按服务包方案 hubei 办理")
    shot(page, "admin-province-profiles-zh")
    page.click(".subnav >> text=泳道与角色")
    assert "contact_round" in page.locator("tr[data-lane=Supervisor]").inner_text()
    shot(page, "admin-lanes-zh")
    page.click("button:has-text('退出')")
    _sign_in(page, "wuchang_cw2", temporary)
    page.wait_for_selector("#must-change")
    shot(page, "admin-forced-password-change-zh")
