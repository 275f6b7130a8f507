"""API tokens: one per integration (the education department, social-insurance matching, a job board), each acting
in one region with one role. Only a hash of the secret is stored; a revoked token stays listed for the audit."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from caseflow.extensions import db
from caseflow.models.types import UTCDateTime


class ApiToken(db.Model):
    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)  # the integration, e.g. hubei-social-insurance
    prefix: Mapped[str] = mapped_column(String(12))  # the secret's first characters, to recognise it in lists
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256 of the whole secret
    role: Mapped[str] = mapped_column(String(20))
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_by: Mapped[str | None] = mapped_column(String(100))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
