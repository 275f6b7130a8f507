"""Tables, one module per aggregate."""

from caseflow.models.case import (
    Case,
    CaseStint,
    Classification,
    ContactAttempt,
    Enrolment,
    EntrepreneurshipSupport,
    JobPosting,
    MissedVisit,
    Placement,
    Referral,
    ServiceRecord,
    Transfer,
)
from caseflow.models.event import EventLog, OutboxMessage, SimulatedClock
from caseflow.models.graduate import Graduate, HardshipFlag, ImportBatch, ImportRejection
from caseflow.models.process import Incident, ProcessInstance, ProcessVersion
from caseflow.models.region import Region, User, UserRole
from caseflow.models.support import EmploymentAssistance, SubsidyGrant
from caseflow.models.task import HumanTask

__all__ = [
    "Case", "CaseStint", "Classification", "ContactAttempt", "EmploymentAssistance", "Enrolment",
    "EntrepreneurshipSupport", "EventLog", "Graduate", "HardshipFlag", "HumanTask", "Incident", "ImportBatch",
    "ImportRejection", "JobPosting", "MissedVisit", "OutboxMessage", "Placement", "ProcessInstance",
    "ProcessVersion", "Referral",
    "Region", "ServiceRecord", "SimulatedClock", "SubsidyGrant", "Transfer", "User", "UserRole",
]
