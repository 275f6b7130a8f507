"""Deployed process versions and the workflow instances running on them."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from caseflow.domain.enums import InstanceStatus
from caseflow.extensions import db
from caseflow.models.types import UTCDateTime


class ProcessVersion(db.Model):
    """One immutable deployment of a process: the BPMN/DMN files it uses, keyed by their hash."""

    __tablename__ = "process_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[str] = mapped_column(String(100), index=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    files: Mapped[dict] = mapped_column(JSON)
    deployed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deployed_by: Mapped[str] = mapped_column(String(100))


class ProcessInstance(db.Model):
    """A running (or finished) workflow: its serialized state and what the app indexes about it."""

    __tablename__ = "process_instance"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("process_version.id"), index=True)
    process_id: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20), default=InstanceStatus.RUNNING)
    state: Mapped[bytes] = mapped_column(LargeBinary)
    lock_version: Mapped[int] = mapped_column(Integer, nullable=False)
    next_due: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    correlation_key: Mapped[str | None] = mapped_column(String(100), index=True)
    case_id: Mapped[int | None] = mapped_column(Integer, index=True)
    region_code: Mapped[str] = mapped_column(String(12), default="", index=True)
    assignee: Mapped[str | None] = mapped_column(String(100))  # owner of the instance's caseworker-lane tasks
    last_error: Mapped[str | None] = mapped_column(Text)
    # names of the messages the instance waits for
    awaiting: Mapped[list | None] = mapped_column(JSON(none_as_null=True))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __mapper_args__ = {"version_id_col": lock_version}
    __table_args__ = (
        Index("ix_process_instance_next_due", "next_due",
              postgresql_where=next_due.isnot(None), sqlite_where=next_due.isnot(None)),
    )


class Incident(db.Model):
    """A workflow step that failed (a timer wake, a completion, a message): what failed, why, and how it ended."""

    __tablename__ = "incident"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(Integer, index=True)
    region_code: Mapped[str] = mapped_column(String(12), default="", index=True)
    kind: Mapped[str] = mapped_column(String(20))  # IncidentKind
    element: Mapped[str | None] = mapped_column(String(100))  # the task the step was about, when known
    error: Mapped[str] = mapped_column(Text)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by: Mapped[str | None] = mapped_column(String(100))
    resolution: Mapped[str | None] = mapped_column(String(20))  # retried | dismissed


class ProcessDraft(db.Model):
    """A designer's unpublished edit of a process: its BPMN/DMN files by name; nothing runs it until published."""

    __tablename__ = "process_draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[str] = mapped_column(String(100))
    designer: Mapped[str] = mapped_column(String(100))  # the user whose draft it is
    base_version_id: Mapped[int | None] = mapped_column(ForeignKey("process_version.id"))
    files: Mapped[dict] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (UniqueConstraint("process_id", "designer", name="uq_process_draft_designer"),)


class SimulationRun(db.Model):
    """A cohort simulation a designer asked for (services.simulation): which process and whose draft, the cohort
    parameters, the draft's files as they were when asked, and, from the background job, its progress and the
    indicators of the current version and the draft side by side. The simulated cases live in a scratch
    database that is deleted after the run; only this row stays."""

    __tablename__ = "simulation_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[str] = mapped_column(String(100), index=True)
    requested_by: Mapped[str] = mapped_column(String(100), index=True)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    base_version_id: Mapped[int | None] = mapped_column(ForeignKey("process_version.id"))
    draft_sha256: Mapped[str | None] = mapped_column(String(64))
    draft_files: Mapped[dict | None] = mapped_column(JSON)  # None: the current version against itself
    parameters: Mapped[dict] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(12), index=True)  # queued | running | done | failed
    progress: Mapped[int] = mapped_column(Integer, default=0)  # percent
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    results: Mapped[dict | None] = mapped_column(JSON)
    error: Mapped[dict | None] = mapped_column(JSON)
