"""Service-package accounting as a service task: is the case's package complete?"""

from sqlalchemy import select

from caseflow.domain.enums import CaseStatus
from caseflow.domain.package import EITHER_KEY, REQUIREMENT_KEYS, account, after_boundary
from caseflow.extensions import db
from caseflow.models import Case, CaseStint, ServiceRecord
from caseflow.tasks import operation
from caseflow.tasks.casework import past_two_year_boundary

REQUIREMENT_FIELDS = (*REQUIREMENT_KEYS.values(), EITHER_KEY)


def package_status_of(case: Case):
    """The case's package status from its service records and its stored requirement."""
    services = db.session.execute(select(ServiceRecord.component, ServiceRecord.response)
                                  .where(ServiceRecord.case_id == case.id)).all()
    return account(case.package_requirement or {}, services)


def _requirement(case: Case, stint: CaseStint | None, data: dict) -> dict:
    """The requirement of the case's profile: the decision table's answer in the workflow, unless the case was
    transferred to a province of another profile since, whose requirement its stint holds."""
    if data.get("profile", case.profile) != case.profile and stint is not None and stint.package_requirement:
        return stint.package_requirement
    return {key: int(data.get(key, 0)) for key in REQUIREMENT_FIELDS}


@operation("package_status")
def package_status(params: dict, context) -> dict:
    """Store the requirement (the profile's, without the internship past the two-year boundary) on the case and
    its current stint, and account for the package."""
    case = db.session.get(Case, int(context.data["case_id"]))
    stint = db.session.scalars(select(CaseStint).where(CaseStint.case_id == case.id, CaseStint.ended_at.is_(None))
                               .order_by(CaseStint.id.desc())).first()
    requirement = _requirement(case, stint, context.data)
    if past_two_year_boundary(case, context.now):
        requirement = after_boundary(requirement)
    if stint is not None and stint.package_requirement != requirement:
        stint.package_requirement = requirement
    if case.package_requirement != requirement:
        case.package_requirement = requirement
    status = package_status_of(case)
    return {"complete": status.complete, "owed": status.owed(),
            "placed": case.status in (CaseStatus.PLACED, CaseStatus.CLOSED)}
