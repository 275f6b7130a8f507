"""The inbox projection: one row per human task, kept in step with the engine after every save."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from caseflow.domain.enums import HumanTaskState
from caseflow.extensions import db
from caseflow.models.types import UTCDateTime


class HumanTask(db.Model):
    __tablename__ = "human_task"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(Integer, index=True)
    process_id: Mapped[str] = mapped_column(String(100))
    bpmn_id: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    lane: Mapped[str | None] = mapped_column(String(50))  # the role (Role value) whose team works the task
    form_key: Mapped[str | None] = mapped_column(String(100))
    action: Mapped[str | None] = mapped_column(String(100))  # what completing it records on the case file
    assignee: Mapped[str | None] = mapped_column(String(100))
    region_code: Mapped[str] = mapped_column(String(12), default="")
    state: Mapped[str] = mapped_column(String(20), default=HumanTaskState.READY)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_by: Mapped[str | None] = mapped_column(String(100))
    draft: Mapped[dict | None] = mapped_column(JSON)

    __table_args__ = (
        # my tasks: assignee first, it is the selective column; the team queue: lane, then the region range
        Index("ix_human_task_inbox_assignee", "assignee", "state", "due_at", "region_code", "id"),
        Index("ix_human_task_inbox_lane", "lane", "state", "region_code", "due_at", "assignee", "id"),
    )
