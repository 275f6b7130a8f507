"""Append-only event log, the outbox of messages thrown by workflows, and the simulated clock."""

from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from caseflow.extensions import db
from caseflow.models.types import UTCDateTime


class EventLog(db.Model):
    """Who did what to which instance, when. Rows are only ever inserted."""

    __tablename__ = "event_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(40))
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(Integer, index=True)
    task_id: Mapped[str | None] = mapped_column(String(36))
    idempotency_key: Mapped[str | None] = mapped_column(String(100), unique=True)
    detail: Mapped[dict] = mapped_column(JSON, default=dict)


# Sign-in throttling reads one name's recent outcomes on every attempt. A partial index keeps that a short
# range scan without taxing the other events' inserts; queries repeat the predicate literally so both
# PostgreSQL and SQLite can prove the index applies.
SIGN_IN_OUTCOMES = text("action IN ('login_failed', 'logged_in')")
Index("ix_event_log_sign_in", EventLog.actor, EventLog.at, postgresql_where=SIGN_IN_OUTCOMES,
      sqlite_where=SIGN_IN_OUTCOMES)


class OutboxMessage(db.Model):
    """A message a workflow threw; dispatched to its receivers after the instance's step committed."""

    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    payload: Mapped[dict] = mapped_column(JSON)
    correlation_key: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)


class SimulatedClock(db.Model):
    """The offset of simulated time, shared by every process of one installation."""

    __tablename__ = "simulated_clock"

    id: Mapped[int] = mapped_column(primary_key=True)
    offset_seconds: Mapped[int] = mapped_column(BigInteger, default=0)
