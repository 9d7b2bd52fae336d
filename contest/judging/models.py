"""The jury of a contest and what it produces: members, assignments, conflicts, score sheets."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.auth.models import User
from contest.contests.models import Category, Contest, Criterion, Round
from contest.db import Base, TimestampMixin, UTCDateTime, utcnow
from contest.registration.models import Registration


class SheetStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


class SheetSource(enum.StrEnum):
    ONLINE = "online"  # the juror typed it in
    PAPER = "paper"  # a secretary imported it from a paper ballot


class ConflictKind(enum.StrEnum):
    DECLARED = "declared"  # by the juror
    RECUSED = "recused"  # by an organiser


# A member restricted to some categories scores only entries in them; none means all.
jury_member_category = Table(
    "jury_member_category",
    Base.metadata,
    Column("member_id", ForeignKey("jury_member.id", ondelete="CASCADE"), primary_key=True),
    Column("category_id", ForeignKey("contest_category.id", ondelete="CASCADE"), primary_key=True),
)


class JuryMember(TimestampMixin, Base):
    __tablename__ = "jury_member"
    __table_args__ = (
        UniqueConstraint("contest_id", "user_id"),
        # At most one chair per contest (a partial unique index: SQLite and PostgreSQL both have them).
        Index("uq_jury_member_one_chair", "contest_id", unique=True,
              sqlite_where=text("is_chair"), postgresql_where=text("is_chair")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"), index=True)
    is_chair: Mapped[bool] = mapped_column(default=False)
    # An honorary member scores like everyone else; the ranking leaves those scores out.
    is_honorary: Mapped[bool] = mapped_column(default=False)

    contest: Mapped[Contest] = relationship()
    user: Mapped[User] = relationship()
    categories: Mapped[list[Category]] = relationship(secondary=jury_member_category, order_by=Category.position)

    @property
    def name(self) -> str:
        return self.user.name


class AssignmentPlan(Base):
    """Marks a round whose jurors score only the entries explicitly assigned to them (the
    automatic assignment writes one); without it every juror scores every entry."""

    __tablename__ = "jury_assignment_plan"
    __table_args__ = (CheckConstraint("per_entry > 0", name="per_entry_positive"),)

    round_id: Mapped[int] = mapped_column(ForeignKey("contest_round.id", ondelete="CASCADE"), primary_key=True)
    per_entry: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))


class Assignment(Base):
    __tablename__ = "jury_assignment"
    __table_args__ = (UniqueConstraint("round_id", "member_id", "registration_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("contest_round.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("jury_member.id", ondelete="CASCADE"), index=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"), index=True)


class PerformanceSlot(Base):
    """The order of performances on stage (live mode); entries without a slot follow by number.
    Judging keeps what decides the sheets: an absent performer is owed no sheet, and the sheets
    of a closed performance are locked (contest/stage/ runs the stage that sets both)."""

    __tablename__ = "jury_performance_slot"
    __table_args__ = (
        UniqueConstraint("round_id", "position"),
        CheckConstraint("position > 0", name="position_positive"),
        CheckConstraint("duration_seconds IS NULL OR duration_seconds >= 0", name="duration_not_negative"),
    )

    round_id: Mapped[int] = mapped_column(ForeignKey("contest_round.id", ondelete="CASCADE"), primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int]
    is_absent: Mapped[bool] = mapped_column(default=False, server_default=false())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    duration_seconds: Mapped[int | None]  # how long the performance took, measured by the chair's timer


class Conflict(Base):
    """A juror who must not score an entry (own pupil, a relative), in every round."""

    __tablename__ = "jury_conflict"
    __table_args__ = (
        UniqueConstraint("member_id", "registration_id"),
        CheckConstraint("kind IN ('declared', 'recused')", name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("jury_member.id", ondelete="CASCADE"), index=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    member: Mapped[JuryMember] = relationship()
    registration: Mapped[Registration] = relationship()


class ScoreSheet(TimestampMixin, Base):
    """One juror's scores for one entry in one round. `version` grows with every change; a
    save must name the version it started from, so a stale page never overwrites."""

    __tablename__ = "score_sheet"
    __table_args__ = (
        UniqueConstraint("member_id", "registration_id", "round_id"),
        CheckConstraint("status IN ('draft', 'submitted')", name="status_known"),
        CheckConstraint("source IN ('online', 'paper')", name="source_known"),
        CheckConstraint("version > 0", name="version_positive"),
        CheckConstraint("status = 'draft' OR submitted_at IS NOT NULL", name="submitted_has_time"),
        CheckConstraint("place IS NULL OR place > 0", name="place_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("jury_member.id", ondelete="CASCADE"), index=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"), index=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("contest_round.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=SheetStatus.DRAFT.value)
    source: Mapped[str] = mapped_column(String(20), default=SheetSource.ONLINE.value)
    comment: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(default=1)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    reopened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reopened_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    reopen_reason: Mapped[str] = mapped_column(Text, default="")
    # Rounds scored by ranks: the place the juror gave the entry in its category, as typed (tied
    # entries share a place and the places they cover are skipped: 1, 2, 2, 4). The engine turns
    # a juror's places into averaged ranks (2, 2 -> 2.5, 2.5): results/rankings.py.
    place: Mapped[int | None]

    member: Mapped[JuryMember] = relationship()
    registration: Mapped[Registration] = relationship()
    round: Mapped[Round] = relationship()
    scores: Mapped[list[Score]] = relationship(back_populates="sheet", cascade="all, delete-orphan")

    # The UPDATE also says "WHERE version = <the one loaded>": a second writer that slipped
    # past the service's check still cannot overwrite (the services set the new number).
    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}

    @property
    def is_submitted(self) -> bool:
        return self.status == SheetStatus.SUBMITTED

    def points_by_criterion(self) -> dict[int, Decimal]:
        return {score.criterion_id: score.points for score in self.scores}


class SheetSend(Base):
    """One save sent by the scoring page's script, named by the key the page generated for it.
    A phone whose connection drops before the answer arrives sends the same save again: the key
    is found and nothing is applied twice; `version` is what that save made of the sheet."""

    __tablename__ = "score_sheet_send"

    sheet_id: Mapped[int] = mapped_column(ForeignKey("score_sheet.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Score(Base):
    __tablename__ = "score"
    __table_args__ = (
        UniqueConstraint("sheet_id", "criterion_id"),
        CheckConstraint("points >= 0", name="points_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sheet_id: Mapped[int] = mapped_column(ForeignKey("score_sheet.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("contest_criterion.id", ondelete="CASCADE"), index=True)
    points: Mapped[Decimal] = mapped_column(Numeric(7, 3))

    sheet: Mapped[ScoreSheet] = relationship(back_populates="scores")
    criterion: Mapped[Criterion] = relationship()


class Advancement(Base):
    """An entry that moves on from a round to the next one. The results workflow writes it
    (organisers mark who advances from the standings); judging reads it to know which entries
    the next round holds. It lives here because judging may not import results."""

    __tablename__ = "results_advancement"

    round_id: Mapped[int] = mapped_column(ForeignKey("contest_round.id", ondelete="CASCADE"), primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"),
                                                 primary_key=True)
    place: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
