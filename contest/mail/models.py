from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from contest.db import Base, UTCDateTime, utcnow


class MailStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for its batch (or for the next attempt after a temporary failure)
    SENDING = "sending"  # taken by a batch; still here long after, the batch's worker died
    SENT = "sent"
    FAILED = "failed"  # given up: refused by the server, or still failing after the last attempt


# A table of its own, not db.set_labels: that registry is keyed by value, and "pending" or
# "failed" already name other states there.
STATUS_LABELS = {
    MailStatus.PENDING: _l("Waiting to be sent"),
    MailStatus.SENDING: _l("Being sent"),
    MailStatus.SENT: _l("Sent"),
    MailStatus.FAILED: _l("Not delivered"),
}


class OutgoingMail(Base):
    """One message to one recipient. The row is written in the transaction that decided to send
    it (so a rolled-back request leaves none) and marked sent the moment the server accepts it,
    so that a batch tried again never sends it twice."""

    __tablename__ = "outgoing_mail"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'sending', 'sent', 'failed')", name="status_known"),
        Index("ix_outgoing_mail_status_created_at", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    # Emptied once sent: a reset link or an invitation need not stay in the database.
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default=MailStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    attempted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[MailStatus(self.status)])
