"""The region hierarchy (province → city → county → street → community) and the people who work in it."""

from datetime import date

from flask_login import UserMixin
from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, exists, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseflow.domain.enums import Role
from caseflow.extensions import db


class Region(db.Model):
    """An administrative area, keyed by its area code; codes nest by prefix (22 ⊃ 2201 ⊃ 220102)."""

    __tablename__ = "region"

    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(12))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("region.code"), index=True)
    profile: Mapped[str | None] = mapped_column(String(30))  # service-package profile, set on provinces


class UserRole(db.Model):
    """One role a user holds; a user may hold several (a county supervisor who is also its mentor)."""

    __tablename__ = "app_user_role"

    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(20), primary_key=True, index=True)


class User(UserMixin, db.Model):
    """A person who signs in: one or more roles, and the region they act in."""

    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(50), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    substitute_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    away_from: Mapped[date | None] = mapped_column(Date)
    away_until: Mapped[date | None] = mapped_column(Date)
    # Sessions carry the generation they were signed in under; raising it ends them all (sign-out, new password).
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Set for an imported account and after an administrator's reset: every page asks for a new password first.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Read on demand: lists and checks over many users ask the database with has_role() instead.
    role_rows: Mapped[list[UserRole]] = relationship(cascade="all, delete-orphan", order_by=UserRole.role)

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(Role(row.role) for row in self.role_rows)

    @roles.setter
    def roles(self, roles) -> None:
        wanted = {Role(role).value for role in roles}
        self.role_rows = [row for row in self.role_rows if row.role in wanted] + [
            UserRole(role=role) for role in sorted(wanted - {row.role for row in self.role_rows})]

    @classmethod
    def has_role(cls, role: Role):
        """SQL: the user holds this role (among others, maybe)."""
        return exists().where(UserRole.user_id == cls.id, UserRole.role == role.value)

    @property
    def is_active(self) -> bool:
        return self.active
