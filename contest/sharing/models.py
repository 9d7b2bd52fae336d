"""Which result each registration has been told by e-mail, so that it is told once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from contest.db import Base, UTCDateTime, utcnow


class ResultNotice(Base):
    """One row per registration whose account was e-mailed its published result. `result` is
    what the message said (place and award tier): publishing again after a withdrawal e-mails
    again only when it differs."""

    __tablename__ = "sharing_result_notice"

    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"), primary_key=True)
    result: Mapped[str] = mapped_column(String(40))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
