"""Fixtures for journey tests."""

import pytest
from journey_helpers import CW_A, CW_B, CW_H, REGIONS, SV_A, SV_B, SV_H

from caseflow.extensions import db
from caseflow.models import JobPosting, Region, User


@pytest.fixture
def province(app):
    for code, name, level, parent, profile in REGIONS:
        db.session.add(Region(code=code, name=name, level=level, parent_code=parent, profile=profile))
    db.session.flush()
    for actor in (CW_A, SV_A, CW_B, SV_B, CW_H, SV_H):
        db.session.add(User(username=actor.user_id, display_name=actor.user_id, password_hash="-",
                            roles=actor.roles, region_code=actor.region_code))
    for n in range(8):
        db.session.add(JobPosting(employer=f"长春企业{n}", title=f"岗位{n}", area_code="220102" if n < 5 else "220103",
                                  industry="软件" if n % 2 else "制造", major_prefixes=["0809"] if n < 4 else [],
                                  min_degree="bachelor", salary_min=4000, salary_max=8000,
                                  open_until=__import__('datetime').date(2027, 6, 30)))
    db.session.commit()
    return app
