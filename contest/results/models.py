"""What the results workflow stores: published snapshots and who advances from a round.

A snapshot freezes the computed standings of a contest's round (as JSON, per category) at the
moment an organiser publishes them; public pages, exports and the jury protocol read the
snapshot only, so later changes to score sheets never alter what was published."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Text, text
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from contest.auth.models import User
from contest.contests.models import Contest, Round
from contest.db import Base, UTCDateTime, utcnow


class ResultSnapshot(Base):
    __tablename__ = "results_snapshot"
    __table_args__ = (
        # At most one current (not retired) snapshot per contest.
        Index("uq_results_snapshot_current", "contest_id", unique=True,
              sqlite_where=text("retired_at IS NULL"), postgresql_where=text("retired_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id", ondelete="CASCADE"), index=True)
    round_id: Mapped[int | None] = mapped_column(ForeignKey("contest_round.id", ondelete="SET NULL"))
    # Loaded only when a page is rendered: the cached public page needs just the id.
    data: Mapped[dict[str, Any]] = deferred(mapped_column(JSON, nullable=False))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    # Why the organiser published although score sheets were missing (empty when none were).
    publish_reason: Mapped[str] = mapped_column(Text, default="")
    missing_sheets: Mapped[int] = mapped_column(default=0)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    retired_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    retire_reason: Mapped[str] = mapped_column(Text, default="")

    contest: Mapped[Contest] = relationship()
    round: Mapped[Round | None] = relationship()
    published_by: Mapped[User | None] = relationship(foreign_keys=[published_by_id])
    retired_by: Mapped[User | None] = relationship(foreign_keys=[retired_by_id])


class Advancement(Base):
    """An entry that moves on from a qualifying round. The judging domain reads this table to
    know which entries the next round holds (see README, "Results")."""

    __tablename__ = "results_advancement"

    round_id: Mapped[int] = mapped_column(ForeignKey("contest_round.id", ondelete="CASCADE"), primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"),
                                                 primary_key=True)
    place: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
