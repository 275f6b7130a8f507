"""A corrupt XLSX ledger (bad XML inside the zip) is refused by `flask caseflow import-ledger` with a clear
message, never a traceback, and leaves no stored upload behind.

Known defect, reported to the lead: the ledger reader (caseflow/domain/ledger_files.py) lets the XML parser's
error escape (xml.etree ParseError from a sheet, lxml XMLSyntaxError from the workbook parts) instead of
raising InvalidInput, so the command crashes with a traceback and the preview's stored copy stays in the
upload folder. The fix belongs to the ledger code (another session's); these tests turn green with it."""

import zipfile

import pytest
from flask.cli import AppGroup

from caseflow import cli_handover, synth
from caseflow.services import regions


@pytest.fixture
def uploads(app, tmp_path):
    app.config["CASEFLOW_UPLOAD_DIR"] = str(tmp_path / "uploads")
    regions.load_reference_regions()
    return tmp_path / "uploads"


def corrupt(source, target, member: str):
    """A copy of the workbook `source` whose `member` is cut in half and ends in garbage."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            zout.writestr(item, data[: len(data) // 2] + b"<<<garbage" if item.filename == member else data)
    return target


@pytest.mark.parametrize("member", ["xl/worksheets/sheet1.xml", "xl/workbook.xml", "xl/styles.xml"])
def test_a_corrupt_xlsx_is_refused_with_a_message_and_no_traceback(app, uploads, member):
    good = synth.write_ledger_xlsx(uploads.parent / "good.xlsx", 3, seed=8)
    bad = corrupt(good, uploads.parent / "bad.xlsx", member)
    group = AppGroup("caseflow")
    cli_handover.register(group)
    result = app.test_cli_runner().invoke(group, ["import-ledger", str(bad), "--cohort", "2026"])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.exception
    assert result.output.startswith("Error: ")
    assert not any(uploads.glob("*.xlsx"))
