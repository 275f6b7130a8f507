"""Graduates handed over in the ledger, their hardship flags, and the ledger import batches."""

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, deferred, mapped_column

from caseflow.extensions import db
from caseflow.models.types import UTCDateTime


class Graduate(db.Model):
    """One graduate of one cohort. The ID number and phone are stored encrypted, with a keyed hash of the
    ID number for deduplication and masked forms for display."""

    __tablename__ = "graduate"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort: Mapped[int] = mapped_column(Integer)
    id_hash: Mapped[str] = mapped_column(String(64), index=True)  # also looked up across cohorts
    id_encrypted: Mapped[str] = mapped_column(Text)
    id_masked: Mapped[str] = mapped_column(String(18))
    name: Mapped[str] = mapped_column(String(50))
    gender: Mapped[str] = mapped_column(String(1))
    birth_date: Mapped[date] = mapped_column(Date)
    phone_encrypted: Mapped[str | None] = mapped_column(Text)
    phone_masked: Mapped[str | None] = mapped_column(String(20))
    school: Mapped[str] = mapped_column(String(100))
    major_code: Mapped[str | None] = mapped_column(String(12))
    major_name: Mapped[str] = mapped_column(String(100))
    degree: Mapped[str] = mapped_column(String(12))
    graduation_date: Mapped[date] = mapped_column(Date)
    leaving_date: Mapped[date] = mapped_column(Date)
    origin: Mapped[str | None] = mapped_column(String(100))
    hukou_area_code: Mapped[str | None] = mapped_column(String(12))
    residence_area_code: Mapped[str | None] = mapped_column(String(12))
    archive_location: Mapped[str | None] = mapped_column(String(200))
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"), index=True)

    __table_args__ = (UniqueConstraint("cohort", "id_hash", name="uq_graduate_cohort_id"),)


class HardshipFlag(db.Model):
    __tablename__ = "hardship_flag"

    id: Mapped[int] = mapped_column(primary_key=True)
    graduate_id: Mapped[int] = mapped_column(ForeignKey("graduate.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    detail: Mapped[str | None] = mapped_column(String(100))
    evidence_source: Mapped[str | None] = mapped_column(String(100))
    verified_by: Mapped[str | None] = mapped_column(String(100))
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ImportBatch(db.Model):
    """One uploaded ledger file: previewed (report of accepted and rejected rows), then committed once."""

    __tablename__ = "import_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    file_name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    cohort: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))
    uploaded_by: Mapped[str] = mapped_column(String(100))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    committed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    total_rows: Mapped[int] = mapped_column(Integer, default=0)
    accepted_rows: Mapped[int] = mapped_column(Integer, default=0)
    rejected_rows: Mapped[int] = mapped_column(Integer, default=0)
    summary: Mapped[dict] = mapped_column(JSON, default=dict)


class ImportJob(db.Model):
    """The background work on a ledger uploaded in the browser (services.ledger_upload): who uploaded it for which
    region, the file encrypted with the data key until commit or discard, and the preview's or commit's progress
    as the scheduler process reports it."""

    __tablename__ = "import_job"

    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batch.id"), primary_key=True)
    region_code: Mapped[str] = mapped_column(String(12), index=True)  # the uploader's region: rows and who sees it
    province: Mapped[str | None] = mapped_column(String(2))  # the importing province's pool
    kind: Mapped[str] = mapped_column(String(10))  # preview | commit
    state: Mapped[str] = mapped_column(String(12), index=True)  # queued | running | done | interrupted
    requested_by: Mapped[str] = mapped_column(String(100))  # whose job it is (the uploader, then the committer)
    rows_done: Mapped[int] = mapped_column(Integer, default=0)
    rows_expected: Mapped[int | None] = mapped_column(Integer)  # an estimate from the file, for the progress bar
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[dict | None] = mapped_column(JSON)  # why the file was refused or the job stopped
    file_size: Mapped[int] = mapped_column(Integer, default=0)
    file_encrypted: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))  # Fernet token; None once done


class ImportRejection(db.Model):
    """A ledger row refused at preview, with the field and the reason."""

    __tablename__ = "import_rejection"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batch.id"), index=True)
    row_number: Mapped[int] = mapped_column(Integer)
    field: Mapped[str | None] = mapped_column(String(50))
    reason: Mapped[str] = mapped_column(String(50))
    detail: Mapped[str | None] = mapped_column(String(500))
