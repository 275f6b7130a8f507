"""The handover tried as an attacker and a careless clerk would, on a real database: every bad row gets a
row-level report (accepted + rejected = total), nothing is half-applied, no ID number or phone is echoed, and
a ledger can only go to its own cohort."""

import io
import zipfile

import pytest
from handover_helpers import count, ledger, ledger_rows, reasons
from openpyxl import Workbook, load_workbook
from sqlalchemy import select, update

from caseflow import synth
from caseflow.domain.actor import SYSTEM
from caseflow.domain.enums import CaseStatus
from caseflow.domain.ledger import Reason
from caseflow.errors import InvalidInput
from caseflow.extensions import db
from caseflow.models import Case, Graduate, ImportBatch
from caseflow.services import handover

ID, PHONE = "220102200402141494", "13812345678"


def preview(path, cohort=2026, **kwargs):
    batch = handover.preview_ledger(path, cohort=cohort, actor=SYSTEM, **kwargs)
    assert batch.accepted_rows + batch.rejected_rows == batch.total_rows
    return batch


def test_a_nul_in_an_accepted_cell_is_refused_at_preview_and_the_rest_commits(uploads):
    rows = ledger_rows(4)
    batch = preview(ledger(uploads.parent / "l.csv", 4, edits={1: {"name": rows[1][1] + "\x00"},
                                                               2: {"gender": "男\x00"}}))
    assert reasons(batch.id) == [(3, Reason.CONTROL_CHARACTER), (4, Reason.CONTROL_CHARACTER)]
    assert [r.detail for r in handover.list_rejections(batch.id)] == [f"U+0000 at {len(rows[1][1]) + 1}",
                                                                      "U+0000 at 2"]
    batch = handover.commit_ledger(batch.id, actor=SYSTEM)
    assert (batch.total_rows, batch.accepted_rows, batch.rejected_rows) == (4, 2, 2) and count(Case) == 2


def test_a_bidi_override_in_a_name_is_refused_with_its_row(uploads):
    batch = preview(ledger(uploads.parent / "l.csv", 3, edits={2: {"name": "\u202e伟张"}}))
    assert reasons(batch.id) == [(4, Reason.CONTROL_CHARACTER)]


def test_no_id_number_or_phone_appears_anywhere_in_the_rejection_report(uploads):
    edits = {0: {"degree": ID}, 1: {"hukou_area_code": ID, "residence_area_code": ""},
             2: {"graduation_date": ID}, 3: {"school": f'="{ID}"'}, 4: {"hardship": f"低保、{PHONE}"},
             5: {"origin": f"=HYPERLINK(\"tel:{PHONE}\")"}}
    batch = preview(ledger(uploads.parent / f"{ID}.csv", 7, edits=edits))
    assert batch.rejected_rows == 6
    report = load_workbook(io.BytesIO(handover.rejection_report(batch.id)))
    text = " ".join(str(cell) for sheet in report for row in sheet.iter_rows(values_only=True) for cell in row)
    assert ID[6:12] not in text and PHONE[3:7] not in text  # the birth year and month, the subscriber number
    assert "220102********1494" in text and "138****5678" in text


def test_a_ledger_previewed_for_another_cohort_refuses_every_row_and_opens_nothing(uploads):
    batch = preview(ledger(uploads.parent / "l.csv", 5), cohort=2025)
    assert reasons(batch.id) == [(n, Reason.COHORT_MISMATCH) for n in range(2, 7)]
    assert handover.list_rejections(batch.id)[0].detail == "graduated 2026, cohort 2025"
    assert handover.commit_ledger(batch.id, actor=SYSTEM).accepted_rows == 0 and count(Case) == 0


def a_year_later(n: int) -> dict:
    """Edits that make the same people graduates of 2027 (a master's degree after a bachelor's)."""
    return {i: {"graduation_date": "2027-06-30", "leaving_date": "2027-07-02", "degree": "硕士"} for i in range(n)}


def test_the_same_person_with_a_case_open_in_another_cohort_is_a_duplicate(uploads, clock):
    first = handover.commit_ledger(preview(ledger(uploads.parent / "a.csv", 3)).id, actor=SYSTEM)
    later = preview(ledger(uploads.parent / "b.csv", 3, edits=a_year_later(3)), cohort=2027)
    assert reasons(later.id) == [(n, Reason.DUPLICATE_EXISTING) for n in range(2, 5)]
    assert handover.list_rejections(later.id)[0].detail == f"batch {first.id}, cohort 2026, case open"

    closed = db.session.scalars(select(Case.id).order_by(Case.id)).first()
    db.session.execute(update(Case).where(Case.id == closed).values(status=CaseStatus.CLOSED, closed_at=clock.now()))
    db.session.commit()
    again = handover.commit_ledger(preview(ledger(uploads.parent / "b.csv", 3, edits=a_year_later(3)),
                                           cohort=2027).id, actor=SYSTEM)
    assert (again.accepted_rows, again.rejected_rows) == (1, 2) and count(Graduate, Graduate.cohort == 2027) == 1


def test_a_utf8_ledger_with_one_gbk_line_refuses_that_line_and_commits_the_names_intact(uploads):
    rows = ledger_rows(4)
    lines = [",".join(synth.ledger_header()).encode(), *(",".join(row).encode() for row in rows)]
    lines[3] = ",".join(rows[2]).encode("gbk")
    path = uploads.parent / "l.csv"
    path.write_bytes(b"\r\n".join(lines) + b"\r\n")
    batch = preview(path)
    assert (batch.summary["format"], reasons(batch.id)) == ("csv utf-8", [(4, Reason.ENCODING)])
    assert handover.list_rejections(batch.id)[0].detail == "line 4: not UTF-8 like the file"
    handover.commit_ledger(batch.id, actor=SYSTEM)
    assert set(db.session.scalars(select(Graduate.name))) == {rows[0][1], rows[1][1], rows[3][1]}


def test_an_xlsx_id_number_stored_as_a_number_is_refused_not_committed_altered(uploads):
    book = Workbook()
    book.active.append(synth.ledger_header())
    rows = ledger_rows(3)
    rows[0][0] = 220102200402142016  # 220102200402141494 after Excel kept 15 digits; the checksum still passes
    for row in rows:
        book.active.append(row)
    book.save(uploads.parent / "l.xlsx")
    batch = preview(uploads.parent / "l.xlsx")
    assert reasons(batch.id) == [(2, Reason.NUMBER_CELL)]
    assert handover.commit_ledger(batch.id, actor=SYSTEM).accepted_rows == 2


def damaged_workbook(path):
    synth.write_ledger_xlsx(path, 5, seed=1)
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"].replace(b'<row r="3"', b'<row r="3"<', 1)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


def test_a_damaged_workbook_is_refused_clearly_and_leaves_nothing(uploads):
    with pytest.raises(InvalidInput, match="XML not well-formed"):
        preview(damaged_workbook(uploads.parent / "l.xlsx"))
    assert count(ImportBatch) == 0 and list(uploads.iterdir()) == []


def test_the_cli_refuses_a_damaged_workbook_with_a_message_not_a_traceback(uploads, app):
    from flask.cli import AppGroup

    from caseflow import cli_handover

    group = AppGroup("caseflow")
    cli_handover.register(group)
    result = app.test_cli_runner().invoke(group, ["import-ledger", str(damaged_workbook(uploads.parent / "l.xlsx")),
                                                  "--cohort", "2026"])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert result.output.startswith("Error: the ledger file cannot be read: XML not well-formed at line 1")
