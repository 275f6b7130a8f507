"""The region hierarchy (province → city → county → street → community) and the people who work in it."""

from datetime import date

from flask_login import UserMixin
from sqlalchemy import Boolean, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from caseflow.extensions import db


class Region(db.Model):
    """An administrative area, keyed by its area code; codes nest by prefix (22 ⊃ 2201 ⊃ 220102)."""

    __tablename__ = "region"

    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(12))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("region.code"), index=True)
    profile: Mapped[str | None] = mapped_column(String(30))  # service-package profile, set on provinces


class User(UserMixin, db.Model):
    """A person who signs in: a role, and the region they act in."""

    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(50), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    substitute_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    away_from: Mapped[date | None] = mapped_column(Date)
    away_until: Mapped[date | None] = mapped_column(Date)
    # Sessions carry the generation they were signed in under; raising it ends them all (sign-out, new password).
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    @property
    def is_active(self) -> bool:
        return self.active
