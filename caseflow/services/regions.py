"""Reference regions (GB/T 2260 area codes of the whole country, with the statistical street codes the project
keeps) and lookups over the region table."""

import csv
from dataclasses import dataclass
from functools import cache
from itertools import groupby
from pathlib import Path

from sqlalchemy import bindparam, insert, or_, select, update

from caseflow.domain.enums import RegionLevel
from caseflow.extensions import db
from caseflow.models import Region
from caseflow.services.workflow import committing

REFERENCE_FILE = Path(__file__).resolve().parent.parent / "data" / "regions.csv"
COLUMNS = ("code", "name", "level", "parent_code", "profile")
# An administrator sets a province's profile (flask caseflow provinces set-profile): a reload sets it only for a
# region it inserts, and keeps whatever the administrator chose.
RELOADED = tuple(name for name in COLUMNS if name != "profile")
REGION = Region.__table__
# Prefecture rows GB/T 2260 uses only to group counties; a county's full name leaves them out.
GROUP_NAMES = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})
SEARCH_LIMIT = 50
_UPDATE = update(REGION).where(REGION.c.code == bindparam("b_code"))


@cache
def reference_rows() -> tuple[dict[str, str | None], ...]:
    """The rows of the reference file, parents before children; no database needed (the generator uses it)."""
    with REFERENCE_FILE.open(encoding="utf-8", newline="") as handle:
        rows = [{key: (value.strip() or None) for key, value in row.items()} for row in csv.DictReader(handle)]
    for row in rows:
        RegionLevel(row["level"])  # a typo in the reference file fails loudly, not silently
    return tuple(sorted(rows, key=lambda row: (len(row["code"]), row["code"])))


def load_reference_regions() -> int:
    """Insert or update the reference regions; idempotent, in one transaction and a few statements.
    Returns how many rows were inserted or changed."""
    rows = reference_rows()
    with committing():
        conn = db.session.connection()
        existing = {row[0]: tuple(row) for row in conn.execute(select(*(REGION.c[name] for name in RELOADED)))}
        new = [row for row in rows if row["code"] not in existing]
        changed = [row for row in rows if row["code"] in existing
                   and existing[row["code"]] != tuple(row[name] for name in RELOADED)]
        # parent_code is a foreign key to the same table: one statement per code length, parents first
        for _, level_rows in groupby(new, key=lambda row: len(row["code"])):
            conn.execute(insert(REGION), list(level_rows))
        if changed:
            conn.execute(_UPDATE, [{"b_code": row["code"], **{name: row[name] for name in RELOADED[1:]}}
                                   for row in changed])
    db.session.expire_all()
    return len(new) + len(changed)


def get_region(code: str) -> Region | None:
    return db.session.get(Region, code)


def list_counties(prefix: str = "") -> list[Region]:
    """Counties (县/市/区) whose area code starts with the prefix ('' for all, '22' for a province)."""
    query = select(Region).where(Region.level == RegionLevel.COUNTY)
    if prefix:
        query = query.where(Region.code.startswith(prefix, autoescape=True))
    return list(db.session.scalars(query.order_by(Region.code)))


def known_county_codes(provinces: frozenset[str] | None = None) -> set[str]:
    """The six-digit codes of the counties in `provinces` (every county of the reference list when None)."""
    query = select(Region.code).where(Region.level == RegionLevel.COUNTY)
    codes = set(db.session.scalars(query))
    return codes if provinces is None else {code for code in codes if code[:2] in provinces}


@dataclass(frozen=True)
class CountyChoice:
    code: str
    label: str  # 湖北省 武汉市 江岸区


def _labels(codes: list[str]) -> dict[str, str]:
    """The full names of counties (province, city, county), leaving out GB/T 2260's grouping rows."""
    wanted = {code[:n] for code in codes for n in (2, 4, 6)}
    names = dict(db.session.execute(select(Region.code, Region.name).where(Region.code.in_(wanted))).all())
    labels = {}
    for code in codes:
        parts = [names.get(code[:2]), names.get(code[:4]), names.get(code, code)]
        if parts[1] in GROUP_NAMES or parts[1] == parts[2]:
            parts[1] = None
        labels[code] = " ".join(part for part in parts if part)
    return labels


def search_counties(text: str | None, *, prefix: str = "", limit: int = SEARCH_LIMIT) -> list[CountyChoice]:
    """Counties anywhere in the country whose code starts with, or whose name (or city's or province's name)
    contains, the text; without text, the counties under `prefix`. At most `limit`, by code."""
    text = (text or "").strip()[:40]
    query = select(Region.code).where(Region.level == RegionLevel.COUNTY)
    if text:
        parents = select(Region.code).where(Region.level.in_((RegionLevel.PROVINCE, RegionLevel.CITY)),
                                            Region.name.contains(text, autoescape=True))
        under = [Region.code.startswith(code, autoescape=True) for code in db.session.scalars(parents.limit(20))]
        query = query.where(or_(Region.code.startswith(text, autoescape=True),
                                Region.name.contains(text, autoescape=True), *under))
    elif prefix:
        query = query.where(Region.code.startswith(prefix, autoescape=True))
    codes = list(db.session.scalars(query.order_by(Region.code).limit(limit)))
    labels = _labels(codes)
    return [CountyChoice(code, labels[code]) for code in codes]


def county_label(code: str | None) -> str:
    """A county's full name, or its code when it is not in the reference list."""
    return _labels([code]).get(code, code) if code else ""
