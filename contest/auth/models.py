from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from contest.db import Base, LabelledEnum, TimestampMixin, UTCDateTime, set_labels


class Role(LabelledEnum):
    ADMIN = "admin"
    ORGANISER = "organiser"
    JUROR = "juror"
    PARTICIPANT = "participant"


ROLE_LABELS = set_labels({
    Role.ADMIN: _l("Administrator"),
    Role.ORGANISER: _l("Organiser"),
    Role.JUROR: _l("Jury member"),
    Role.PARTICIPANT: _l("Participant account"),
})


class User(UserMixin, TimestampMixin, Base):
    __tablename__ = "user_account"
    __table_args__ = (
        CheckConstraint(
            "role IN ('admin', 'organiser', 'juror', 'participant')", name="role_known"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default=Role.PARTICIPANT.value)
    is_active: Mapped[bool] = mapped_column(default=True)
    preferred_language: Mapped[str | None] = mapped_column(String(5))
    # Bumped on password change and on disabling: every session cookie carrying the old
    # number stops working, so "log out everywhere" needs no server-side session store.
    session_version: Mapped[int] = mapped_column(default=1)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def role_label(self) -> str:
        return Role(self.role).label

    def has_role(self, *roles: Role) -> bool:
        return self.role == Role.ADMIN or self.role in roles
