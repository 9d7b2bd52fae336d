"""The stage of a live round: one row per round, shared by every worker and machine.

The database row is the authority; `version` grows with every change so that the audience
screen and the jurors' phones ask "anything new since version N?" cheaply (an ETag), and with
REDIS_URL set the version is also published to Redis (contest/stage/state.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from contest.db import Base, UTCDateTime, utcnow


class StageState(Base):
    __tablename__ = "stage_state"
    __table_args__ = (
        CheckConstraint("version > 0", name="version_positive"),
        CheckConstraint("elapsed_seconds >= 0", name="elapsed_not_negative"),
    )

    round_id: Mapped[int] = mapped_column(ForeignKey("contest_round.id", ondelete="CASCADE"), primary_key=True)
    version: Mapped[int] = mapped_column(default=1)
    # When the running order was announced to participants (once: they get one e-mail).
    order_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    order_published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    # Now on stage, and the timer: seconds run before the last pause, plus the time since
    # `started_at` while it runs (None while paused).
    current_registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registration.id", ondelete="SET NULL"))
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    elapsed_seconds: Mapped[int] = mapped_column(default=0)
    is_paused: Mapped[bool] = mapped_column(default=False)
    # Categories whose published standings the audience screen shows, in the order revealed.
    revealed_category_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    # Jury members the chair reminded about the performer now on stage (cleared on the next one).
    reminded_member_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def elapsed_at(self, now: datetime) -> int:
        """Whole seconds the current performance has run by `now`."""
        running = int((now - self.started_at).total_seconds()) if self.started_at is not None else 0
        return self.elapsed_seconds + max(0, running)
