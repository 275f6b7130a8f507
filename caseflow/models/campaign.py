"""The yearly campaign of a cohort in a province, and the monthly reports counties and cities submit in it."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from caseflow.extensions import db
from caseflow.models.types import UTCDateTime


class Campaign(db.Model):
    """A cohort's campaign in one province: opened once, with the calendar its processes run on."""

    __tablename__ = "campaign"

    id: Mapped[int] = mapped_column(primary_key=True)
    province: Mapped[str] = mapped_column(String(2))
    cohort: Mapped[int] = mapped_column(Integer)
    calendar: Mapped[dict] = mapped_column(JSON)  # milestone → ISO date, report days (domain.campaign)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    opened_by: Mapped[str] = mapped_column(String(100))

    __table_args__ = (UniqueConstraint("province", "cohort", name="uq_campaign_province_cohort"),)


class ReportSubmission(db.Model):
    """A region's monthly report as submitted: its figures frozen as JSON. Never changed afterwards except for
    the review's outcome; a correction is a new submission naming the one it corrects."""

    __tablename__ = "report_submission"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)
    region_code: Mapped[str] = mapped_column(String(12), index=True)
    level: Mapped[str] = mapped_column(String(10))  # county | city
    month: Mapped[str] = mapped_column(String(7))  # 2026-08
    report_on: Mapped[str] = mapped_column(String(10))  # the report date the figures are as of
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    submitted_by: Mapped[str] = mapped_column(String(100))
    comment: Mapped[str | None] = mapped_column(Text)
    figures: Mapped[dict] = mapped_column(JSON)
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("report_submission.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_by: Mapped[str | None] = mapped_column(String(100))
    review: Mapped[str | None] = mapped_column(String(10))  # accepted | returned
    return_reason: Mapped[str | None] = mapped_column(Text)
