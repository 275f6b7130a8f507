"""Reference regions (GB/T 2260 area codes, with statistical street codes) and lookups over the region table."""

import csv
from functools import cache
from itertools import groupby
from pathlib import Path

from sqlalchemy import select

from caseflow.domain.enums import RegionLevel
from caseflow.extensions import db
from caseflow.models import Region
from caseflow.services.workflow import committing

REFERENCE_FILE = Path(__file__).resolve().parent.parent / "data" / "regions.csv"


@cache
def reference_rows() -> tuple[dict[str, str | None], ...]:
    """The rows of the reference file, parents before children; no database needed (the generator uses it)."""
    with REFERENCE_FILE.open(encoding="utf-8", newline="") as handle:
        rows = [{key: (value.strip() or None) for key, value in row.items()} for row in csv.DictReader(handle)]
    for row in rows:
        RegionLevel(row["level"])  # a typo in the reference file fails loudly, not silently
    return tuple(sorted(rows, key=lambda row: (len(row["code"]), row["code"])))


def load_reference_regions() -> int:
    """Insert or update the reference regions; idempotent. Returns how many rows were inserted or changed."""
    rows = reference_rows()
    changed = 0
    with committing():
        existing = {region.code: region for region in db.session.scalars(
            select(Region).where(Region.code.in_([row["code"] for row in rows])))}
        # one flush per code length: parent_code is a foreign key to the same table, parents go in first
        for _, level_rows in groupby(rows, key=lambda row: len(row["code"])):
            for row in level_rows:
                changed += _upsert(existing.get(row["code"]), row)
            db.session.flush()
    return changed


def _upsert(region: Region | None, row: dict[str, str | None]) -> int:
    if region is None:
        db.session.add(Region(**row))
        return 1
    if all(getattr(region, key) == value for key, value in row.items()):
        return 0
    for key, value in row.items():
        setattr(region, key, value)
    return 1


def get_region(code: str) -> Region | None:
    return db.session.get(Region, code)


def list_counties(prefix: str = "") -> list[Region]:
    """Counties (县/市/区) whose area code starts with the prefix ('' for all, '22' for a province)."""
    query = select(Region).where(Region.level == RegionLevel.COUNTY)
    if prefix:
        query = query.where(Region.code.startswith(prefix, autoescape=True))
    return list(db.session.scalars(query.order_by(Region.code)))


def known_county_codes() -> set[str]:
    """The six-digit codes of every county agency the installation serves (cases route only to these)."""
    return set(db.session.scalars(select(Region.code).where(Region.level == RegionLevel.COUNTY)))
