"""Service-package accounting as a service task: is the case's package complete?"""

from sqlalchemy import select

from caseflow.domain.enums import CaseStatus
from caseflow.domain.package import EITHER_KEY, REQUIREMENT_KEYS, account, after_boundary
from caseflow.extensions import db
from caseflow.models import Case, ServiceRecord
from caseflow.tasks import operation
from caseflow.tasks.casework import past_two_year_boundary

REQUIREMENT_FIELDS = (*REQUIREMENT_KEYS.values(), EITHER_KEY)


def package_status_of(case: Case):
    """The case's package status from its service records and its stored requirement."""
    services = db.session.execute(select(ServiceRecord.component, ServiceRecord.response)
                                  .where(ServiceRecord.case_id == case.id)).all()
    return account(case.package_requirement or {}, services)


@operation("package_status")
def package_status(params: dict, context) -> dict:
    """Store the profile's requirement (from the decision table) on the case and account for the package."""
    case = db.session.get(Case, int(context.data["case_id"]))
    requirement = {key: int(context.data.get(key, 0)) for key in REQUIREMENT_FIELDS}
    if past_two_year_boundary(case, context.now):
        requirement = after_boundary(requirement)
    if case.package_requirement != requirement:
        case.package_requirement = requirement
    status = package_status_of(case)
    return {"complete": status.complete, "owed": status.owed(),
            "placed": case.status in (CaseStatus.PLACED, CaseStatus.CLOSED)}
