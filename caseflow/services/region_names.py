"""Region names for pages that show area codes: every name of the region table held per process, read in one
query and read again when a code is missing (regions were loaded meanwhile, maybe by another process) or the copy
is older than REFRESH; a page full of codes costs no query per row."""

import time
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from caseflow.extensions import db
from caseflow.models import Region

REFRESH = 600.0  # seconds a copy is trusted (a region's name changes about never)
MISS_RETRY = 30.0  # after a miss, wait this long before reading the table again for another unknown code


@dataclass
class _Names:
    names: dict[str, str]
    parents: dict[str, str | None]
    loaded: float
    missed: float = 0.0


def _load() -> _Names:
    rows = db.session.execute(select(Region.code, Region.name, Region.parent_code)).all()
    return _Names({code: name for code, name, _ in rows}, {code: parent for code, _, parent in rows},
                  time.monotonic())


def _names(code: str | None = None) -> _Names:
    cache: _Names | None = current_app.extensions.get("caseflow.region_names")
    age = time.monotonic() - cache.loaded if cache else None
    stale = age is None or age > REFRESH
    missing = cache is not None and code and code not in cache.names and time.monotonic() - cache.missed > MISS_RETRY
    if stale or missing:
        fresh = _load()
        if missing and code not in fresh.names:
            fresh.missed = time.monotonic()
        cache = current_app.extensions["caseflow.region_names"] = fresh
    return cache


def forget() -> None:
    """Drop this process's copy (after loading regions, so that the next page reads them anew)."""
    current_app.extensions.pop("caseflow.region_names", None)


def region_name(code: str | None) -> str:
    """The name of an area code ('220102' → '南关区'), or the code itself when no region has it."""
    if not code:
        return ""
    return _names(code).names.get(code, code)


def region_path(code: str | None, *, levels: int = 3) -> str:
    """A code's name with its parents' ('220102' → '吉林省 长春市 南关区'), at most `levels` names."""
    if not code:
        return ""
    cache = _names(code)
    names, current = [], code
    while current and current in cache.names and len(names) < levels:
        names.append(cache.names[current])
        current = cache.parents.get(current)
    return " ".join(reversed(names)) or code
