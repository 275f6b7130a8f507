"""Ledger handover on a real database (GOALS reliability test 5): preview counts, all-or-nothing commit,
re-imports that change nothing, and a rejection report safe to open in a spreadsheet."""

import codecs
import io
from pathlib import Path

import pytest
from handover_helpers import count, ledger, reasons
from helpers import count_events
from openpyxl import load_workbook
from sqlalchemy import select

from caseflow import synth
from caseflow.domain.actor import SYSTEM
from caseflow.domain.enums import EventAction, ImportStatus
from caseflow.domain.ledger import Reason
from caseflow.errors import Conflict, InvalidInput, NotFound
from caseflow.extensions import db
from caseflow.models import Case, Graduate, ImportBatch, ImportRejection
from caseflow.services import cases, handover

BAD_ROWS = {1: {"id_number": "220102200001010013"}, 3: {"school": "=HYPERLINK(\"http://x\",\"点我\")"},
            4: {"graduation_date": "2026-13-40"}, 6: {"phone": "12345"}}


def test_preview_counts_every_row_as_accepted_or_rejected_and_imports_nothing(uploads):
    third = synth.ledger_row(list(synth.graduates(3, seed=1))[2])
    repeat = {"id_number": third[0], "gender": third[2]}  # row 10 repeats row 4's person
    path = ledger(uploads.parent / "l.csv", 12, edits={**BAD_ROWS, 8: repeat})
    batch = handover.preview_ledger(path, cohort=2026, actor=SYSTEM)
    assert (batch.status, batch.total_rows, batch.accepted_rows, batch.rejected_rows) == (
        ImportStatus.PREVIEWED, 12, 7, 5)
    assert batch.accepted_rows + batch.rejected_rows == batch.total_rows
    assert reasons(batch.id) == [(3, Reason.INVALID_ID), (5, Reason.FORMULA), (6, Reason.INVALID_DATE),
                                 (8, Reason.INVALID_PHONE), (10, Reason.DUPLICATE_IN_FILE)]
    assert handover.list_rejections(batch.id)[-1].detail == "row 4"
    assert count(Graduate) == 0 and count(Case) == 0
    assert (uploads / batch.summary["stored_as"]).is_file()


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig", "utf-8"])
def test_gbk_and_utf8_files_preview_alike(uploads, encoding):
    batch = handover.preview_ledger(ledger(uploads.parent / "l.csv", 5, encoding=encoding), cohort=2026,
                                    actor=SYSTEM)
    assert (batch.total_rows, batch.accepted_rows) == (5, 5)
    assert batch.summary["format"] == f"csv {'gb18030' if encoding == 'gbk' else encoding}"


def test_a_file_with_wrong_columns_is_refused_whole_and_leaves_no_batch(uploads):
    path = uploads.parent / "l.csv"
    path.write_text("姓名,学校\r\n张伟,吉林大学\r\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="身份证号"):
        handover.preview_ledger(path, cohort=2026, actor=SYSTEM)
    assert count(ImportBatch) == 0 and list(uploads.iterdir()) == []


def test_an_empty_file_is_refused(uploads):
    path = uploads.parent / "l.csv"
    path.write_bytes(b"")
    with pytest.raises(InvalidInput, match="empty"):
        handover.preview_ledger(path, cohort=2026, actor=SYSTEM)


def test_commit_opens_a_case_per_accepted_row_and_logs_the_import(uploads, clock):
    batch = handover.preview_ledger(ledger(uploads.parent / "l.csv", 10, edits=BAD_ROWS), cohort=2026,
                                    actor=SYSTEM)
    batch = handover.commit_ledger(batch.id, actor=SYSTEM)
    assert (batch.status, batch.committed_at, batch.accepted_rows, batch.rejected_rows) == (
        ImportStatus.COMMITTED, clock.now(), 6, 4)
    assert count(Graduate, Graduate.import_batch_id == batch.id) == 6 and count(Case) == 6
    assert count(Case, Case.instance_id.is_not(None)) == 6
    assert count_events(EventAction.LEDGER_IMPORTED) == 1
    assert count(ImportRejection, ImportRejection.batch_id == batch.id) == 4


def test_a_batch_commits_once(uploads):
    batch = handover.preview_ledger(ledger(uploads.parent / "l.csv", 3), cohort=2026, actor=SYSTEM)
    handover.commit_ledger(batch.id, actor=SYSTEM)
    with pytest.raises(Conflict, match="committed"):
        handover.commit_ledger(batch.id, actor=SYSTEM)
    with pytest.raises(NotFound):
        handover.commit_ledger(batch.id + 1, actor=SYSTEM)
    assert count(Graduate) == 3


def test_reimporting_the_same_file_changes_nothing(uploads):
    path = ledger(uploads.parent / "l.csv", 8)
    first = handover.commit_ledger(handover.preview_ledger(path, cohort=2026, actor=SYSTEM).id, actor=SYSTEM)
    again = handover.preview_ledger(path, cohort=2026, actor=SYSTEM)
    assert (again.accepted_rows, again.rejected_rows) == (0, 8)
    assert {reason for _, reason in reasons(again.id)} == {Reason.DUPLICATE_EXISTING}
    assert again.summary["same_file_committed"] == [first.id] and again.sha256 == first.sha256
    again = handover.commit_ledger(again.id, actor=SYSTEM)
    assert (again.accepted_rows, again.rejected_rows) == (0, 8)
    assert count(Graduate) == 8 and count(Case) == 8


def test_rows_handed_over_between_preview_and_commit_are_skipped_and_counted(uploads):
    older = handover.preview_ledger(ledger(uploads.parent / "a.csv", 6), cohort=2026, actor=SYSTEM)
    newer = handover.preview_ledger(ledger(uploads.parent / "b.csv", 9), cohort=2026, actor=SYSTEM)
    assert newer.accepted_rows == 9  # a.csv is the first six rows of b.csv, not yet committed
    handover.commit_ledger(older.id, actor=SYSTEM)
    newer = handover.commit_ledger(newer.id, actor=SYSTEM)
    assert (newer.total_rows, newer.accepted_rows, newer.rejected_rows) == (9, 3, 6)
    assert newer.summary["skipped_at_commit"] == 6
    assert reasons(newer.id) == [(n, Reason.DUPLICATE_EXISTING) for n in range(2, 8)]
    assert count(Graduate) == 9


def test_losing_a_race_to_a_concurrent_import_is_a_conflict_and_commits_nothing(uploads, monkeypatch):
    first = handover.preview_ledger(ledger(uploads.parent / "a.csv", 4), cohort=2026, actor=SYSTEM)
    second = handover.preview_ledger(ledger(uploads.parent / "b.csv", 6), cohort=2026, actor=SYSTEM)
    handover.commit_ledger(first.id, actor=SYSTEM)
    # as if the other import committed between our duplicate check and our inserts
    monkeypatch.setattr(handover, "_not_existing", lambda pending, cohort, rejections: (g for _, g in pending))
    with pytest.raises(Conflict, match="commit batch"):
        handover.commit_ledger(second.id, actor=SYSTEM)
    assert count(Graduate, Graduate.import_batch_id == second.id) == 0
    assert db.session.get(ImportBatch, second.id).status == ImportStatus.PREVIEWED
    monkeypatch.undo()
    assert handover.commit_ledger(second.id, actor=SYSTEM).accepted_rows == 2


def test_a_batch_whose_file_is_gone_cannot_be_committed(uploads):
    batch = handover.preview_ledger(ledger(uploads.parent / "l.csv", 2), cohort=2026, actor=SYSTEM)
    (uploads / batch.summary["stored_as"]).unlink()
    with pytest.raises(Conflict, match="no longer stored"):
        handover.commit_ledger(batch.id, actor=SYSTEM)


def test_a_crash_in_the_middle_of_a_commit_leaves_nothing_of_the_batch(uploads, monkeypatch):
    batch = handover.preview_ledger(ledger(uploads.parent / "l.csv", 12), cohort=2026, actor=SYSTEM)
    real, calls = cases.open_cases, []

    def crash_on_second_chunk(graduates, **kwargs):
        calls.append(len(graduates))
        if len(calls) == 2:
            raise RuntimeError("worker killed")
        return real(graduates, **kwargs)

    monkeypatch.setattr(handover, "COMMIT_CHUNK", 5)
    monkeypatch.setattr(cases, "open_cases", crash_on_second_chunk)
    with pytest.raises(RuntimeError):
        handover.commit_ledger(batch.id, actor=SYSTEM)
    assert calls == [5, 5]
    assert count(Graduate) == 0 and count(Case) == 0 and count_events(EventAction.LEDGER_IMPORTED) == 0
    assert db.session.get(ImportBatch, batch.id).status == ImportStatus.PREVIEWED

    monkeypatch.setattr(cases, "open_cases", real)
    assert handover.commit_ledger(batch.id, actor=SYSTEM).accepted_rows == 12
    assert count(Graduate, Graduate.import_batch_id == batch.id) == 12


def test_xlsx_ledger_previews_and_commits(uploads):
    path = synth.write_ledger_xlsx(uploads.parent / "l.xlsx", 6, seed=8)
    batch = handover.preview_ledger(path, cohort=2026, actor=SYSTEM, file_name="台账.xlsx")
    assert (batch.file_name, batch.summary["format"], batch.accepted_rows) == ("台账.xlsx", "xlsx", 6)
    assert handover.commit_ledger(batch.id, actor=SYSTEM).accepted_rows == 6


def test_rejection_report_opens_in_a_spreadsheet_with_formula_cells_neutralised(uploads):
    path = ledger(uploads.parent / "=cmd.csv", 8, edits={**BAD_ROWS, 7: {"hardship": "@SUM(A1)"}})
    batch = handover.preview_ledger(path, cohort=2026, actor=SYSTEM)
    workbook = load_workbook(io.BytesIO(handover.rejection_report(batch.id)))
    rows = list(workbook["拒绝明细"].iter_rows(values_only=True))
    assert rows[0] == handover.REPORT_HEADER
    assert [row[0] for row in rows[1:]] == [3, 5, 6, 8, 9]
    assert rows[2][1:4] == ("毕业院校", "单元格含公式，已拒绝", "formula")
    assert rows[2][4] == "'=HYPERLINK(\"http://x\",\"点我\")" and rows[5][4] == "'@SUM(A1)"
    cells = [cell for row in workbook["拒绝明细"].iter_rows() for cell in row] + \
            [cell for row in workbook["汇总"].iter_rows() for cell in row]
    assert not any(cell.data_type == "f" for cell in cells)
    assert dict(workbook["汇总"].iter_rows(values_only=True))["文件"] == "'=cmd.csv"


@pytest.mark.parametrize("value, safe", [("=1+1", "'=1+1"), ("+1", "'+1"), ("-x", "'-x"), ("@a", "'@a"),
                                         ("\t=1", "'\t=1"), ("吉林", "吉林"), (5, 5), (None, None)])
def test_safe_cell_prefixes_text_a_spreadsheet_would_run(value, safe):
    assert handover.safe_cell(value) == safe


def test_cli_previews_then_commits_a_ledger(uploads, app):
    from flask.cli import AppGroup

    from caseflow import cli_handover

    group = AppGroup("caseflow")
    cli_handover.register(group)
    runner = app.test_cli_runner()
    path = ledger(uploads.parent / "l.csv", 4, edits={2: {"degree": "初中"}})
    preview = runner.invoke(group, ["import-ledger", str(path), "--cohort", "2026"])
    assert preview.exit_code == 0, preview.output
    assert "4 rows, 3 accepted, 1 rejected" in preview.output and "invalid_degree" in preview.output
    committed = runner.invoke(group, ["import-ledger", str(path), "--cohort", "2026", "--commit"])
    assert "3 cases opened" in committed.output and count(Graduate) == 3
    wrong = runner.invoke(group, ["import-ledger", str(path), "--cohort", "2026x"])
    assert wrong.exit_code != 0
    assert runner.invoke(group, ["load-regions"]).output.startswith("0 regions")


def test_the_documented_sample_ledger_imports_cleanly(uploads):
    sample = Path(__file__).resolve().parents[2] / "docs" / "ledger-sample.csv"
    assert sample.read_bytes().startswith(codecs.BOM_UTF8)
    batch = handover.preview_ledger(sample, cohort=2026, actor=SYSTEM)
    assert (batch.total_rows, batch.accepted_rows, batch.rejected_rows) == (30, 30, 0)
    assert handover.commit_ledger(batch.id, actor=SYSTEM).accepted_rows == 30
    assert count(Case, Case.county_code.is_(None)) < 3  # routed to counties; the odd one to the province pool


def test_cli_sends_graduates_from_outside_the_served_provinces_to_the_importing_province_pool(uploads, app):
    from flask.cli import AppGroup

    from caseflow import cli_handover

    app.config["CASEFLOW_PROVINCES"] = "22,42"
    group = AppGroup("caseflow")
    cli_handover.register(group)
    path = ledger(uploads.parent / "l.csv", 3, edits={0: {"hukou_area_code": "110105", "residence_area_code": ""}})
    assert runner_output(app, group, path, "--province", "4x").exit_code != 0
    done = runner_output(app, group, path, "--province", "42", "--commit")
    assert "3 cases opened" in done.output, done.output
    pooled = db.session.execute(select(Case.region_code, Case.outside_area_code).where(
        Case.county_code.is_(None))).all()
    assert pooled == [("42", "110105")]


def runner_output(app, group, path, *options):
    return app.test_cli_runner().invoke(group, ["import-ledger", str(path), "--cohort", "2026", *options])
