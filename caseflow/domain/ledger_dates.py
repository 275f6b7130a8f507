"""The date spellings a ledger may use (docs/LEDGER.md lists exactly these), and why any other text is not a date."""

import re
import unicodedata
from datetime import date

from caseflow.domain.masking import shown

YEARS = (1900, 2100)
_DAY = r"(?P<y>[0-9]{4})(?P<sep>[-/.])(?P<m>[0-9]{1,2})(?P=sep)(?P<d>[0-9]{1,2})"  # 2026-7-1, 2026/6/30, 2026.6.30
_CHINESE_DAY = r"(?P<y>[0-9]{4})年(?P<m>[0-9]{1,2})月(?P<d>[0-9]{1,2})日"
_COMPACT_DAY = r"(?P<y>[0-9]{4})(?P<m>[0-9]{2})(?P<d>[0-9]{2})"
_TIME = r"(?:(?:\s+|T)(?P<h>[0-9]{1,2}):(?P<min>[0-9]{2})(?::(?P<s>[0-9]{2})(?:\.[0-9]{1,6})?)?)?"  # ignored
_FORMS = tuple(re.compile(day + _TIME) for day in (_DAY, _CHINESE_DAY, _COMPACT_DAY))
EXAMPLE = "2026-06-30, 2026/6/30, 2026.6.30, 2026年6月30日 or 20260630"


def _parts(text: str) -> dict[str, int] | None:
    """Year, month, day, hour, minute and second of a documented spelling; None for any other text."""
    for form in _FORMS:
        if match := form.fullmatch(text):
            return {key: int(match[key] or 0) for key in ("y", "m", "d", "h", "min", "s")}
    return None


def read_date(text: str) -> tuple[date | None, str | None]:
    """(the date, None), or (None, why the text is not one of the documented spellings)."""
    text = unicodedata.normalize("NFKC", text).strip()
    parts = _parts(text)
    if parts is None:
        return None, f"{shown(text, 40)}: not a date; write {EXAMPLE}"
    if parts["h"] > 23 or parts["min"] > 59 or parts["s"] > 59:
        return None, f"{shown(text, 40)}: not a time of day"
    try:
        value = date(parts["y"], parts["m"], parts["d"])
    except ValueError:
        return None, f"{shown(text, 40)}: no such day"
    if not YEARS[0] <= value.year <= YEARS[1]:
        return None, f"{shown(text, 40)}: year outside {YEARS[0]}–{YEARS[1]}"
    return value, None


def parse_date(text: str) -> date | None:
    """A documented date spelling (a time of day after it is ignored) as a date; None for anything else."""
    return read_date(text)[0]
