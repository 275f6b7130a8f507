"""Support a case receives beyond the service package: the employment-difficulty designation and the employment
assistance (就业援助) it leads to, and one-time subsidies such as the job-seeking and startup subsidy."""

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from caseflow.extensions import db
from caseflow.models.types import UTCDateTime


class EmploymentAssistance(db.Model):
    """A case's employment-difficulty review and the assistance after it, each step with its time (seed 001
    §(十四)): candidate at the two-year boundary, recommended by the county, designated by the city, assisted."""

    __tablename__ = "employment_assistance"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), unique=True)
    candidate_at: Mapped[datetime] = mapped_column(UTCDateTime)
    first_reviewed_by: Mapped[str | None] = mapped_column(String(100))  # who recommended it at the county
    first_reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    designated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    designated_by: Mapped[str | None] = mapped_column(String(100))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    assisted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    assisted_by: Mapped[str | None] = mapped_column(String(100))
    measure: Mapped[str | None] = mapped_column(String(30))


class SubsidyGrant(db.Model):
    """A one-time subsidy offered to a graduate: whether they took it, how much was paid and when."""

    __tablename__ = "subsidy_grant"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    response: Mapped[str] = mapped_column(String(20))
    amount: Mapped[int | None] = mapped_column(Integer)
    offered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    paid_on: Mapped[date | None] = mapped_column(Date)
    received_before: Mapped[bool] = mapped_column(Boolean, default=False)  # already paid through the school
    by_user: Mapped[str] = mapped_column(String(100))
