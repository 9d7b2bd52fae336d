"""What the results workflow stores: published snapshots and who advances from a round.

A snapshot freezes the computed standings of a contest's round (as JSON, per category) at the
moment an organiser publishes them; public pages, exports and the jury protocol read the
snapshot only, so later changes to score sheets never alter what was published."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from contest.auth.models import User
from contest.contests.models import SCORE_TYPE, AwardTier, Category, Contest, Round
from contest.db import Base, LabelledEnum, UTCDateTime, set_labels, utcnow
from contest.registration.models import Registration


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



class AdjustmentKind(LabelledEnum):
    TIME_OVERRUN = "time_overrun"
    LATE_ENTRY = "late_entry"
    OBJECTIVE = "objective"
    OTHER = "other"


set_labels({
    AdjustmentKind.TIME_OVERRUN: _l("Time limit overrun"),
    AdjustmentKind.LATE_ENTRY: _l("Late entry"),
    AdjustmentKind.OBJECTIVE: _l("Objective score"),
    AdjustmentKind.OTHER: _l("Other"),
})


class Adjustment(Base):
    """Points outside the jury for one entry in one round (negative: a penalty), entered by an
    organiser with a reason; added to the rounded jury score (results/adjustments.py)."""

    __tablename__ = "results_adjustment"
    __table_args__ = (
        CheckConstraint("points <> 0", name="points_not_zero"),
        CheckConstraint("kind IN ('time_overrun', 'late_entry', 'objective', 'other')", name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("contest_round.id", ondelete="CASCADE"), index=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    points: Mapped[Decimal] = mapped_column(SCORE_TYPE)
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    round: Mapped[Round] = relationship()
    registration: Mapped[Registration] = relationship()
    created_by: Mapped[User | None] = relationship()

    @property
    def kind_label(self) -> str:
        return AdjustmentKind(self.kind).label


class ExAequoDecision(Base):
    """The jury's decision to give one award tier to several entries of a category in a round,
    and whether the next tier is then skipped (results/exaequo.py)."""

    __tablename__ = "results_ex_aequo"
    __table_args__ = (UniqueConstraint("round_id", "category_id", "tier_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("contest_round.id", ondelete="CASCADE"), index=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("contest_category.id", ondelete="CASCADE"))
    tier_id: Mapped[int] = mapped_column(ForeignKey("contest_award_tier.id", ondelete="CASCADE"))
    # Registration ids, as the jury named them: a list, because the decision is read whole.
    registration_ids: Mapped[list[int]] = mapped_column(JSON)
    skip_next: Mapped[bool]
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    round: Mapped[Round] = relationship()
    category: Mapped[Category] = relationship()
    tier: Mapped[AwardTier] = relationship()
    created_by: Mapped[User | None] = relationship()
