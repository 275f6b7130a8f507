"""Tables, one module per aggregate."""

from caseflow.models.campaign import Campaign, ReportSubmission
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
from caseflow.models.graduate import Graduate, HardshipFlag, ImportBatch, ImportJob, ImportRejection
from caseflow.models.process import Incident, ProcessDraft, ProcessInstance, ProcessVersion, SimulationRun
from caseflow.models.region import Region, User, UserRole
from caseflow.models.support import EmploymentAssistance, SubsidyGrant
from caseflow.models.task import HumanTask
from caseflow.models.token import ApiToken

__all__ = [
    "ApiToken", "Campaign", "ReportSubmission",
    "Case", "CaseStint", "Classification", "ContactAttempt", "EmploymentAssistance", "Enrolment",
    "EntrepreneurshipSupport", "EventLog", "Graduate", "HardshipFlag", "HumanTask", "Incident", "ImportBatch",
    "ImportJob", "SimulationRun",
    "ImportRejection", "JobPosting", "MissedVisit", "OutboxMessage", "Placement", "ProcessDraft", "ProcessInstance",
    "ProcessVersion", "Referral",
    "Region", "ServiceRecord", "SimulatedClock", "SubsidyGrant", "Transfer", "User", "UserRole",
]
