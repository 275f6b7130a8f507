"""Helpers for the handover tests: generated ledgers with some cells replaced, counts and rejection reasons."""

import csv
import io

from sqlalchemy import func, select

from caseflow import synth
from caseflow.extensions import db
from caseflow.services import handover

FIELDS = list(synth.LEDGER_FIELDS)


def ledger_rows(n, *, seed=1, edits=None) -> list[list[str]]:
    """n generated ledger rows with some cells replaced: edits = {row index: {field: text}}."""
    rows = [synth.ledger_row(g) for g in synth.graduates(n, seed=seed)]
    for index, changes in (edits or {}).items():
        for field, text in changes.items():
            rows[index][FIELDS.index(field)] = text
    return rows


def ledger(path, n, *, seed=1, edits=None, encoding="utf-8-sig"):
    """A generated CSV ledger of n rows with some cells replaced: edits = {row index: {field: text}}."""
    text = io.StringIO()
    csv.writer(text).writerows([synth.ledger_header(), *ledger_rows(n, seed=seed, edits=edits)])
    path.write_bytes(text.getvalue().encode(encoding))
    return path


def csv_bytes(n: int, *, seed: int = 1, edits=None, area: str | None = "220102") -> bytes:
    """A generated ledger; every row lives in `area` unless edits say otherwise."""
    rows = ledger_rows(n, seed=seed, edits=edits)
    if area:
        for index, row in enumerate(rows):
            if "residence_area_code" not in (edits or {}).get(index, {}):
                row[FIELDS.index("residence_area_code")] = area
    text = io.StringIO()
    csv.writer(text).writerows([synth.ledger_header(), *rows])
    return text.getvalue().encode("utf-8-sig")


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def reasons(batch_id: int) -> list[tuple[int, str]]:
    return [(r.row_number, r.reason) for r in handover.list_rejections(batch_id, limit=1000)]
