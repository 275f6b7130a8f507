"""A graduate's case and everything recorded on it: contacts, classifications, services, referrals,
enrolments, placements, entrepreneurship support and transfers."""

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from caseflow.domain.enums import CaseStatus, DifficultyStatus
from caseflow.extensions import db
from caseflow.models.types import UTCDateTime


class Case(db.Model):
    __tablename__ = "case_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    graduate_id: Mapped[int] = mapped_column(ForeignKey("graduate.id"), unique=True)
    cohort: Mapped[int] = mapped_column(Integer)
    profile: Mapped[str] = mapped_column(String(30))
    region_code: Mapped[str] = mapped_column(String(12), index=True)  # the most specific known area
    county_code: Mapped[str | None] = mapped_column(String(12), index=True)  # None: in the province pool
    caseworker_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=CaseStatus.PENDING_CONTACT)
    no_intent_reason: Mapped[str | None] = mapped_column(String(30))
    hardship_level: Mapped[int] = mapped_column(Integer, default=0)
    difficulty_status: Mapped[str] = mapped_column(String(12), default=DifficultyStatus.NONE)
    handover_at: Mapped[datetime] = mapped_column(UTCDateTime)
    first_contact_due: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_reached_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_contact_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_follow_up_due: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ever_seeking: Mapped[bool] = mapped_column(Boolean, default=False)
    contact_details_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    package_requirement: Mapped[dict | None] = mapped_column(JSON)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closure_reason: Mapped[str | None] = mapped_column(String(30))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # a graduate from outside the installation's provinces, waiting in the importing province's pool to be
    # transferred: the county (or area) their ledger row names
    outside_area_code: Mapped[str | None] = mapped_column(String(12))

    __table_args__ = (Index("ix_case_region_status", "region_code", "status"),)


class ContactAttempt(db.Model):
    __tablename__ = "contact_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    channel: Mapped[str] = mapped_column(String(20))
    outcome: Mapped[str] = mapped_column(String(20))
    notes: Mapped[str | None] = mapped_column(Text)
    by_user: Mapped[str] = mapped_column(String(100))


class Classification(db.Model):
    __tablename__ = "classification"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    no_intent_reason: Mapped[str | None] = mapped_column(String(30))
    intended_industry: Mapped[str | None] = mapped_column(String(100))
    intended_occupation: Mapped[str | None] = mapped_column(String(100))
    intended_place: Mapped[str | None] = mapped_column(String(12))
    service_needs: Mapped[list] = mapped_column(JSON, default=list)
    effective_at: Mapped[datetime] = mapped_column(UTCDateTime)
    by_user: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str | None] = mapped_column(Text)  # why the graduate was reclassified
    recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # None: recorded when it took effect


class MissedVisit(db.Model):
    """A calendar month (Beijing) that passed without the seeking graduate's return visit (seed 000 §7)."""

    __tablename__ = "missed_visit"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ux_missed_visit_case_month", "case_id", "month", unique=True),)


class ServiceRecord(db.Model):
    """A service delivered or offered; `component` is the package component it counts toward."""

    __tablename__ = "service_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    component: Mapped[str | None] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    channel: Mapped[str | None] = mapped_column(String(20))
    provider: Mapped[str | None] = mapped_column(String(100))
    response: Mapped[str] = mapped_column(String(20))
    decline_reason: Mapped[str | None] = mapped_column(String(200))
    notes: Mapped[str | None] = mapped_column(Text)
    by_user: Mapped[str] = mapped_column(String(100))


class JobPosting(db.Model):
    """A vacancy: the supply side of job matching."""

    __tablename__ = "job_posting"

    id: Mapped[int] = mapped_column(primary_key=True)
    employer: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(100))
    area_code: Mapped[str] = mapped_column(String(12), index=True)
    industry: Mapped[str | None] = mapped_column(String(50))
    major_prefixes: Mapped[list] = mapped_column(JSON, default=list)  # major-code prefixes wanted; [] = any
    min_degree: Mapped[str | None] = mapped_column(String(12))
    salary_min: Mapped[int | None] = mapped_column(Integer)
    salary_max: Mapped[int | None] = mapped_column(Integer)
    open_until: Mapped[date] = mapped_column(Date, index=True)  # last Beijing day it is open
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # closed by hand before its closing date
    closed_by: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by: Mapped[str | None] = mapped_column(String(100))
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Referral(db.Model):
    __tablename__ = "referral"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    posting_id: Mapped[int] = mapped_column(ForeignKey("job_posting.id"))
    service_record_id: Mapped[int | None] = mapped_column(ForeignKey("service_record.id"))
    pushed: Mapped[bool] = mapped_column(Boolean, default=False)  # offered automatically by job matching
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    interview_on: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[str] = mapped_column(String(20))
    outcome_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Enrolment(db.Model):
    __tablename__ = "enrolment"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    host: Mapped[str] = mapped_column(String(100))
    planned_start: Mapped[date | None] = mapped_column(Date)
    planned_end: Mapped[date | None] = mapped_column(Date)
    actual_start: Mapped[date | None] = mapped_column(Date)
    actual_end: Mapped[date | None] = mapped_column(Date)
    completed: Mapped[bool] = mapped_column(Boolean, default=False)
    retained: Mapped[bool] = mapped_column(Boolean, default=False)


class Placement(db.Model):
    __tablename__ = "placement"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    employer: Mapped[str | None] = mapped_column(String(100))
    start_date: Mapped[date] = mapped_column(Date)
    verified_how: Mapped[str | None] = mapped_column(String(100))
    verified_by: Mapped[str | None] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class EntrepreneurshipSupport(db.Model):
    __tablename__ = "entrepreneurship_support"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), unique=True)
    training_completed_on: Mapped[date | None] = mapped_column(Date)
    business_name: Mapped[str | None] = mapped_column(String(100))
    registered_on: Mapped[date | None] = mapped_column(Date)
    loan_amount: Mapped[float | None] = mapped_column(Numeric(12, 2))
    loan_status: Mapped[str | None] = mapped_column(String(20))
    loan_partnership: Mapped[bool | None] = mapped_column(Boolean)
    subsidy_eligible: Mapped[bool | None] = mapped_column(Boolean)
    subsidy_decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    subsidy_amount: Mapped[int | None] = mapped_column(Integer)  # from the startup_subsidy decision table
    months_to_registration: Mapped[int | None] = mapped_column(Integer)  # what the decision was taken on
    subsidy_reason: Mapped[str | None] = mapped_column(String(40))  # the decision table's why
    subsidy_paid_on: Mapped[date | None] = mapped_column(Date)


class Transfer(db.Model):
    __tablename__ = "case_transfer"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    from_county: Mapped[str | None] = mapped_column(String(12))
    to_county: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    requested_by: Mapped[str] = mapped_column(String(100))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(100))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # by the origin's supervisor
    approved_by: Mapped[str | None] = mapped_column(String(100))


class CaseStint(db.Model):
    """A stretch of time a case spent in one region's ledger: from its handover or the acceptance of a transfer
    until the acceptance of the next. What a report says about a region at a date is read from these."""

    __tablename__ = "case_stint"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    region_code: Mapped[str] = mapped_column(String(12), index=True)  # the county, or the province pool
    county_code: Mapped[str | None] = mapped_column(String(12))
    profile: Mapped[str] = mapped_column(String(30))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # None: the case is here now
    # kept when the stint ends, so that past reports group and account for the case as they did then
    caseworker_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    package_requirement: Mapped[dict | None] = mapped_column(JSON)
    transfer_id: Mapped[int | None] = mapped_column(ForeignKey("case_transfer.id"))  # the transfer that ended it
