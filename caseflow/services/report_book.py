"""The monthly report's layout, shared by the page and the workbook: indicator groups, their columns, and how a
figure is written, so that both show the same figures; and the report as an Excel workbook."""

import io
from collections.abc import Callable
from dataclasses import dataclass

from caseflow.domain.actor import Actor
from caseflow.domain.enums import EventAction
from caseflow.domain.supervision import rate
from caseflow.errors import N_
from caseflow.services.clock import now as clock_now
from caseflow.services.handover import safe_cell
from caseflow.services.reports import Figures, Report
from caseflow.services.workflow import committing, log_event

COUNT, RATE, AMOUNT = "count", "rate", "amount"
KNOWN_SHEET = N_("As known then and now")
KNOWN_HEADER = (N_("Indicator"), N_("As known then"), N_("As known now"))
NUMBER_FORMATS = {COUNT: "0", RATE: "0.0%", AMOUNT: "#,##0"}


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # msgid
    kind: str
    value: Callable[[Figures], float | int | None]


@dataclass(frozen=True)
class Group:
    key: str
    title: str  # msgid
    columns: tuple[Column, ...]


def _count(name: str, label: str) -> Column:
    return Column(name, label, COUNT, lambda f: getattr(f, name))


def _rate(key: str, label: str, part: str, whole: str) -> Column:
    return Column(key, label, RATE, lambda f: rate(getattr(f, part), getattr(f, whole)))


GROUPS = (
    Group("contact", N_("Contact"), (
        _count("handed_over", N_("Handed over")), _count("reached", N_("Reached")),
        _rate("contact_rate", N_("Contact rate"), "reached", "handed_over"),
        _count("unreachable", N_("Unreachable")),
        _rate("unreachable_share", N_("Unreachable share"), "unreachable", "handed_over"),
        _count("timely", N_("Reached by the deadline")),
        _rate("timely_rate", N_("Timely contact rate"), "timely", "handed_over"),
        _count("transferred_in", N_("Transferred in")))),
    Group("status", N_("Status mix"), (
        _count("placed", N_("Placed")), _rate("placed_share", N_("Placed share"), "placed", "handed_over"),
        _count("seeking", N_("Seeking work")), _rate("seeking_share", N_("Seeking share"), "seeking", "handed_over"),
        _count("no_intent", N_("No current intent")),
        _rate("no_intent_share", N_("No-intent share"), "no_intent", "handed_over"),
        _rate("unreachable_share", N_("Unreachable share"), "unreachable", "handed_over"),
        _count("pending", N_("Awaiting contact")), _count("closed", N_("Closed without a job")),
        _count("transferred_out", N_("Transferred out")))),
    Group("package", N_("Service package"), (
        _count("seeking", N_("Seeking work")), _count("package_complete", N_("Package complete")),
        _rate("package_rate", N_("Package completion"), "package_complete", "seeking"))),
    Group("follow_up", N_("Monthly follow-up"), (
        _count("seeking", N_("Active seekers")), _count("followed_up", N_("Contacted this month")),
        _rate("follow_up_rate", N_("Follow-up compliance"), "followed_up", "seeking"),
        _count("visits_missed", N_("Visits missed (months)")))),
    Group("employment", N_("Employment"), (
        _count("ever_seeking", N_("Ever seeking work")), _count("helped", N_("Placed in a job")),
        _rate("help_rate", N_("Help-into-employment rate"), "helped", "ever_seeking"),
        Column("target", N_("Target"), RATE, lambda f: None),
        _count("prepared", N_("Placed or preparing")),
        _rate("preparation_rate", N_("Employment-or-preparation rate"), "prepared", "ever_seeking"))),
    Group("hardship", N_("Hardship graduates"), (
        _count("hardship", N_("Hardship seekers")), _count("plans", N_("Approved plans")),
        _rate("plan_coverage", N_("Plan coverage"), "plans", "hardship"),
        _count("hardship_placed", N_("Placed")),
        _rate("hardship_rate", N_("Placement rate"), "hardship_placed", "hardship"),
        _count("public_welfare", N_("Public-welfare posts")))),
    Group("referrals", N_("Job referrals"), (
        _count("referrals", N_("Referrals")), _count("hires", N_("Hires")),
        _rate("conversion", N_("Referral conversion"), "hires", "referrals"))),
    Group("entrepreneurship", N_("Entrepreneurship"), (
        _count("startups", N_("Businesses registered")), _count("loans", N_("Loans approved")),
        Column("loan_amount", N_("Loan amount (yuan)"), AMOUNT, lambda f: f.loan_amount),
        _count("subsidies", N_("Subsidies paid")))),
    Group("assistance", N_("Employment assistance"), (
        _count("difficulty_candidates", N_("Employment-difficulty candidates")),
        _count("designated", N_("Designated")), _count("assisted", N_("In employment assistance")),
        _count("assisted_placed", N_("Designated graduates placed")),
        _rate("assisted_rate", N_("Placement rate of the designated"), "assisted_placed", "designated"))),
    Group("subsidies", N_("Subsidies"), (
        _count("jobseeking_offered", N_("Job-seeking subsidies offered")),
        _count("jobseeking_paid", N_("Job-seeking subsidies paid")),
        Column("jobseeking_amount", N_("Job-seeking subsidies (yuan)"), AMOUNT, lambda f: f.jobseeking_amount),
        _count("subsidies", N_("Startup subsidies paid")),
        Column("startup_subsidy_amount", N_("Startup subsidies (yuan)"), AMOUNT,
               lambda f: f.startup_subsidy_amount),
        _count("training_subsidies", N_("Entrepreneurship training subsidies")),
        Column("training_subsidy_amount", N_("Entrepreneurship training subsidies (yuan)"), AMOUNT,
               lambda f: f.training_subsidy_amount))),
    Group("workload", N_("Workload"), (
        _count("open_cases", N_("Open cases")), _count("caseworkers", N_("Caseworkers")),
        Column("per_caseworker", N_("Open cases per caseworker"), AMOUNT,
               lambda f: round(f.open_cases / f.caseworkers) if f.caseworkers else None),
        _count("on_track", N_("Tasks on track")), _count("due_soon", N_("Tasks due soon")),
        _count("overdue", N_("Tasks overdue")))),
)


def value(column: Column, figures: Figures, report: Report):
    """The figure of a column for a row (the target column holds the configured target)."""
    return report.target if column.key == "target" else column.value(figures)


def show(figure, kind: str) -> str:
    """A figure as the page and the workbook's tests read it: 12, 85.0%, 150,000, or — when undefined."""
    if figure is None:
        return "—"
    if kind == RATE:
        return f"{figure * 100:.1f}%"
    return f"{round(figure):,}" if kind == AMOUNT else str(int(figure))


def side_by_side(report: Report) -> list[tuple[Group, Column, object, object]]:
    """Every column of the total as known then and as known now (a past date's report), each column once."""
    if report.known_now is None:
        return []
    seen, rows = set(), []
    for group in GROUPS:
        for column in group.columns:
            if column.key not in seen and column.key != "target":
                seen.add(column.key)
                rows.append((group, column, value(column, report.total, report),
                             value(column, report.known_now, report)))
    return rows


def changed(report: Report) -> list[tuple[Group, Column, object, object]]:
    """The columns of the total that records entered after the report date changed."""
    return [row for row in side_by_side(report) if row[2] != row[3]]


def _known_now_sheet(book, report: Report, translate: Callable[[str], str]) -> None:
    sheet = book.create_sheet(_sheet_title(translate(KNOWN_SHEET)))
    sheet.append([safe_cell(f"{report.region_name} · {translate(KNOWN_SHEET)} · {report.on.isoformat()}")])
    sheet.append([safe_cell(translate(text)) for text in KNOWN_HEADER])
    for group, column, then, now in side_by_side(report):
        sheet.append([safe_cell(f"{translate(group.title)} · {translate(column.label)}"), then, now])
        for cell in sheet[sheet.max_row][1:]:
            cell.number_format = NUMBER_FORMATS[column.kind]
    sheet.column_dimensions["A"].width = 40


def _sheet_title(text: str) -> str:
    return "".join(ch for ch in text if ch not in "[]:*?/\\")[:31]


def workbook(report: Report, *, translate: Callable[[str], str], row_label: Callable[[Figures], str],
             actor: Actor) -> bytes:
    """The report as an XLSX workbook, one sheet per indicator group (and, for a past date, the total as known
    then and as known now); every text cell neutralised. The export is recorded in the audit trail."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for group in GROUPS:
        sheet = book.create_sheet(_sheet_title(translate(group.title)))
        sheet.append([safe_cell(f"{report.region_name} · {translate(group.title)} · {report.on.isoformat()}")])
        sheet.append([safe_cell(translate("Area or caseworker"))] + [safe_cell(translate(c.label))
                                                                    for c in group.columns])
        for figures in [*report.rows, report.total]:
            sheet.append([safe_cell(row_label(figures))] + [value(c, figures, report) for c in group.columns])
            for cell, column in zip(sheet[sheet.max_row][1:], group.columns, strict=True):
                cell.number_format = NUMBER_FORMATS[column.kind]
        sheet.column_dimensions["A"].width = 28
    if report.known_now is not None:
        _known_now_sheet(book, report, translate)
    with committing():
        log_event(actor=actor, action=EventAction.EXPORTED, now=clock_now(), kind="indicators",
                  region=report.region, on=report.on.isoformat(), rows=len(report.rows))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
