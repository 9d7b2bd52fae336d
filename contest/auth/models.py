from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from contest.db import Base, LabelledEnum, TimestampMixin, UTCDateTime, set_labels, utcnow


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
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    # The token of the signed-in browser this object was loaded for (not a column). Flask-Login
    # keeps get_id() in the session cookie and its loader finds the account by that token.
    if TYPE_CHECKING:  # a plain attribute: an annotation at run time would make it a column
        session_token: str | None
    session_token = None  # str once a session is opened or loaded

    def get_id(self) -> str:
        if self.session_token is None:
            raise RuntimeError("No session is open for this account: sign in with auth.services.open_session.")
        return self.session_token

    @property
    def role_label(self) -> str:
        return Role(self.role).label

    def has_role(self, *roles: Role) -> bool:
        return self.role == Role.ADMIN or self.role in roles


class UserSession(Base):
    """One signed-in browser. Its cookie carries a random token and this row keeps a digest of
    it: signing out deletes the row, so a copy of the cookie taken earlier opens nothing."""

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

