"""A process designer simulates a draft in a real browser: from the edit page of monthly_visit (a draft whose visit
is missed one day after it falls due instead of at its month's end) to the form, a run of three synthetic graduates
over July and August 2026, its progress while the background job runs it, and then the two versions side by side,
each figure checked against the hand computation below. Screenshots go to test-artifacts/."""

import threading
from pathlib import Path

from browser_helpers import shot

from caseflow.domain.actor import Actor
from caseflow.domain.enums import Role
from caseflow.extensions import db
from caseflow.services import accounts, designer, regions, simulation

DESIGNER = Actor("jilin_designer", frozenset({Role.DESIGNER}), "22")
VISIT = (Path(__file__).resolve().parents[2] / "workflows" / "bpmn" / "monthly_visit.bpmn").read_text()
MONTH_OVER = '<bpmn:timeDate>visit["until"]</bpmn:timeDate>'
ONE_DAY = '<bpmn:timeDuration>"P1D"</bpmn:timeDuration>'
SEED = 8
# Seed 8 draws three graduates of three counties (one caseworker each, so 3 caseworkers), none with a hardship:
#   G1 reached on day 9 (10 July), classified employed on 11 July, closure verified on 12 July: 3 tasks in July.
#   G2 reached on day 2 (3 July), classified seeking on 4 July, services every 8 days: 5, 13, 21, 29 July; the
#      visit of July on 5 July (the day after it fell due); the visit of 4 August (day 34 >= 21) finds G2
#      employed, which ends the package (training and internship never delivered) and closes the case (verify on
#      5 August). Current version: July 2+4+1 = 7 tasks, August 2.
#   G3 reached on day 5 (6 July), classified seeking on 7 July, services every 4 days: 8, 12, 16, 20, 24, 28 July
#      (the package complete); visits on 8 July and 7 August, never placed. July 2+6+1 = 9 tasks, August 1.
# Current version: tasks 3+7+9 = 19 in July and 2+1 = 3 in August, 22 in all; 22 / 3 caseworkers / 2 months =
#   3.67 a month; per caseworker July 19/3 = 6.33, August 3/3 = 1.0. Visits made 4 of 4 due: 100.0%.
#   At 31 August G3 alone is seeking, package complete: 1 of 1 = 100.0%. Classified seeking: G2 and G3, G2 placed:
#   1 of 2 = 50.0%. Open at the end, not placed: G3 = 1.
# Draft: the July visits (made the day after they fell due) were missed the day before; so July has 2 tasks fewer
#   (17 = 5.67 per caseworker), 20 in all = 3.33 a month; visits made 2 (August) of 4 due = 50.0%, -50.0 points.
EXPECTED = {  # key: (current, draft, difference) as shown
    "tasks": ("22", "20", "-2"), "tasks_per_caseworker_month": ("3.67", "3.33", "-0.33"),
    "visits_made": ("4", "2", "-2"), "visits_due": ("4", "4", "+0"),
    "follow_up_rate": ("100.0%", "50.0%", "-50.0 个百分点"), "package_rate": ("100.0%", "100.0%", "+0.0 个百分点"),
    "ever_seeking": ("2", "2", "+0"), "helped": ("1", "1", "+0"), "help_rate": ("50.0%", "50.0%", "+0.0 个百分点"),
    "boundary_reached": ("0", "0", "+0"), "open_unplaced_at_end": ("1", "1", "+0"),
}
MONTHS = {"2026-07": ("6.33", "5.67"), "2026-08": ("1.00", "1.00")}


def test_a_designer_simulates_a_draft_and_reads_both_versions_side_by_side(app, page):
    regions.load_reference_regions()
    accounts.seed_demo_users()
    designer.save_draft("monthly_visit", "monthly_visit.bpmn", VISIT.replace(MONTH_OVER, ONE_DAY), actor=DESIGNER)
    db.session.commit()
    page.goto(f"{page.base}/login")
    page.fill("#username", "jilin_designer")
    page.fill("#password", "caseflow-demo")
    page.click("button[type=submit]")
    page.goto(f"{page.base}/designer/monthly_visit")
    page.click("#simulate-link")
    page.fill("input[name=graduates]", "3")
    page.fill("input[name=months]", "2")
    page.fill("input[name=seed]", str(SEED))
    page.fill("input[name=caseworkers]", "1")
    shot(page, "simulation-form")
    page.click("#simulate-start")
    page.wait_for_selector("#simulation-progress")
    assert page.inner_text("#simulation-state") == "等待运行"

    worker = threading.Thread(target=_run_in_background, args=(app,))
    worker.start()  # the scheduler's job, in this test's stead; the page polls and reloads itself
    page.wait_for_selector("#simulation-results", timeout=600_000)
    worker.join()
    shot(page, "simulation-results")
    assert page.inner_text("#simulation-state") == "已完成"
    for key, (current, draft, difference) in EXPECTED.items():
        row = f"#simulation-results tr[data-key={key}]"
        shown = (page.inner_text(f"{row} .current"), page.inner_text(f"{row} .draft"),
                 page.inner_text(f"{row} .difference"))
        assert shown == (current, draft, difference), key
    for month, (current, draft) in MONTHS.items():
        row = f"#simulation-months tr[data-month='{month}']"
        assert (page.inner_text(f"{row} .current"), page.inner_text(f"{row} .draft")) == (current, draft), month
    page.click("text=模拟运行记录")
    page.wait_for_selector("table.simulations")
    assert page.locator("table.simulations tbody tr").count() == 1


def _run_in_background(app) -> None:
    with app.app_context():
        assert simulation.run_pending() == 1
