"""Reference regions: real GB/T 2260 codes, loaded idempotently, looked up by level and prefix."""

from stdnum import numdb

from caseflow.domain.enums import RegionLevel
from caseflow.extensions import db
from caseflow.services import regions

CODE_LENGTH = {RegionLevel.PROVINCE: 2, RegionLevel.CITY: 4, RegionLevel.COUNTY: 6, RegionLevel.STREET: 9}


def test_reference_file_nests_real_codes_by_prefix():
    rows = regions.reference_rows()
    codes = {row["code"] for row in rows}
    places = numdb.get("cn/loc")
    for row in rows:
        assert len(row["code"]) == CODE_LENGTH[row["level"]], row
        assert (row["parent_code"] is None) == (row["level"] == RegionLevel.PROVINCE), row
        parent = row["parent_code"]
        assert parent is None or (parent in codes and row["code"].startswith(parent)), row
        if row["level"] == RegionLevel.COUNTY:
            county = dict(places.info(row["code"])[-1][1]).get("county", "")
            assert row["name"] in county, (row, county)  # stdnum's GB/T 2260 history names the same county
    assert {row["code"]: row["profile"] for row in rows if row["level"] == RegionLevel.PROVINCE} == {
        "22": "jilin_1311", "42": "hubei"}


def test_loading_twice_inserts_once_and_repairs_edits(app):
    inserted = regions.load_reference_regions()
    assert inserted == len(regions.reference_rows())
    assert regions.load_reference_regions() == 0
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
    assert {"220102", "420106", "420502"} <= known and "220102001" not in known and "2201" not in known
    assert regions.get_region("420106011").name == "中南路街道" and regions.get_region("999999") is None
