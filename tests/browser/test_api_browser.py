"""The integration API in a real browser: Hubei's administrator adds a token on the administration pages and copies
its secret, then the interactive API documentation (Swagger UI from node_modules, under the site's CSP) lists the
operations and calls one with that token. Screenshots go to test-artifacts/."""

import re

from browser_helpers import shot

from caseflow.services import accounts, regions


def test_an_administrator_adds_a_token_and_the_api_docs_call_the_api_with_it(app, page):
    regions.load_reference_regions()
    accounts.seed_demo_users()
    page.goto(f"{page.base}/login")
    page.fill("#username", "hubei_admin")
    page.fill("#password", "caseflow-demo")
    page.click("button[type=submit]")
    page.goto(f"{page.base}/admin/tokens")
    page.fill("input[name=name]", "hubei-social-insurance")
    page.select_option("select[name=role]", "system")
    page.fill("input[name=region_code]", "42")
    page.click("button:text-is('新增令牌')")
    secret = page.locator("#token-secret code").inner_text().strip()
    assert re.fullmatch(r"cf_[A-Za-z0-9_-]{40,}", secret)
    shot(page, "admin-tokens-zh")

    page.goto(f"{page.base}/api/v1/docs")
    page.wait_for_selector("#operations-messages-post_api_v1_messages_employment_match")
    page.click("button.authorize")
    page.fill(".modal-ux input[type=text]", secret)
    page.click(".modal-ux button.authorize")
    page.click(".modal-ux button.close-modal")
    page.click("#operations-me-get_api_v1_me")
    page.click("#operations-me-get_api_v1_me button.try-out__btn")
    page.click("#operations-me-get_api_v1_me button.execute")
    page.wait_for_selector("#operations-me-get_api_v1_me .response .response-col_status:text-is('200')")
    assert "api:hubei-social-insurance" in page.locator("#operations-me-get_api_v1_me .responses-wrapper"
                                                        ).inner_text()
    shot(page, "api-docs")
