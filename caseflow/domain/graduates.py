"""A graduate as handed over in the ledger, after validation; and how a graduate is routed to a county."""

from collections.abc import Container
from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class NewGraduate:
    """One validated ledger row, ready to become a graduate and a case."""

    id_number: str  # 18 characters, checksum valid, upper-case X
    name: str
    gender: str  # "M" or "F"
    birth_date: date
    school: str
    major_name: str
    degree: str  # a Degree value
    graduation_date: date
    leaving_date: date
    phone: str | None = None
    major_code: str | None = None
    origin: str | None = None
    hukou_area_code: str | None = None
    residence_area_code: str | None = None
    archive_location: str | None = None
    hardship: tuple[str, ...] = field(default_factory=tuple)  # HardshipKind values
    hardship_detail: str | None = None


def county_of(area_code: str | None) -> str | None:
    """The six-digit county code an area code (county, street or community) lies in."""
    if not area_code or len(area_code) < 6 or not area_code[:6].isdigit():
        return None
    return area_code[:6]


def route(graduate: NewGraduate, counties: Container[str]) -> str | None:
    """The county that serves the graduate: where they live now if that county is known to us (graduates
    who came from elsewhere to look for work), else their household registration; None sends the case to
    the province pool for manual routing."""
    for code in (graduate.residence_area_code, graduate.hukou_area_code):
        county = county_of(code)
        if county in counties:
            return county
    return None
