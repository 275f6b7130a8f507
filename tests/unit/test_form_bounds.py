"""Form submissions: whole numbers a database integer holds and dates between 1900 and 2200, else 'invalid'."""

import pytest

from caseflow.domain.forms import parse_form, validate

FORM = parse_form("bounds", {"fields": [{"name": "count", "type": "integer"}, {"name": "on", "type": "date"}]})


@pytest.mark.parametrize("count", ["2147483648", "-2147483649", "9" * 25, "9" * 5_000])
def test_a_number_past_a_database_integer_is_invalid(count):
    assert validate(FORM, {"count": count}) == ({}, {"count": "invalid"})


@pytest.mark.parametrize("day", ["0001-01-01", "1899-12-31", "2201-01-01", "9999-12-31"])
def test_a_date_outside_1900_to_2200_is_invalid(day):
    assert validate(FORM, {"on": day}) == ({}, {"on": "invalid"})


def test_numbers_and_dates_inside_the_bounds_are_typed():
    data, errors = validate(FORM, {"count": "-2147483648", "on": "2200-12-31"})
    assert (data, errors) == ({"count": -2147483648, "on": "2200-12-31"}, {})
    assert validate(FORM, {"count": 2147483647, "on": "1900-01-01"})[0] == {"count": 2147483647, "on": "1900-01-01"}
