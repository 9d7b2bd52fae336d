"""Participants (the people who take part), their registrations for contests and entries."""

from __future__ import annotations

from datetime import date, datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.auth.models import User
from contest.contests.models import Category, Contest
from contest.db import Base, LabelledEnum, TimestampMixin, UTCDateTime, set_labels


class RegistrationStatus(LabelledEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


STATUS_LABELS = set_labels({
    RegistrationStatus.PENDING: _l("Awaiting moderation"),
    RegistrationStatus.APPROVED: _l("Approved"),
    RegistrationStatus.REJECTED: _l("Rejected"),
    RegistrationStatus.WITHDRAWN: _l("Withdrawn"),
})
# Statuses that hold a place in the contest (capacity and school quotas count these).
ACTIVE_STATUSES = (RegistrationStatus.PENDING.value, RegistrationStatus.APPROVED.value)


class Participant(TimestampMixin, Base):
    """A person who takes part. An account (a poet, a parent, a teacher) may manage several.
    Names are kept apart and exactly as typed: no transliteration, no case changes."""

    __tablename__ = "participant"
    __table_args__ = (
        CheckConstraint("grade IS NULL OR (grade >= 1 AND grade <= 12)", name="grade_in_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    surname: Mapped[str] = mapped_column(String(100))
    given_name: Mapped[str] = mapped_column(String(100))
    patronymic: Mapped[str] = mapped_column(String(100), default="")
    birth_date: Mapped[date | None] = mapped_column(Date)
    school: Mapped[str] = mapped_column(String(200), default="")
    grade: Mapped[int | None]
    district: Mapped[str] = mapped_column(String(120), default="")
    teacher: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    # A minor's guardian and the consent they gave (to take part and to have the name
    # published in results): who ticked the box, when, and which text they saw.
    guardian_name: Mapped[str] = mapped_column(String(200), default="")
    guardian_phone: Mapped[str] = mapped_column(String(40), default="")
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    consent_version: Mapped[str | None] = mapped_column(String(20))
    consent_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    consent_withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set when the account asked for deletion: the name is gone, results stay consistent.
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    account: Mapped[User | None] = relationship(foreign_keys=[account_id])
    consent_by: Mapped[User | None] = relationship(foreign_keys=[consent_by_id])
    registrations: Mapped[list[Registration]] = relationship(back_populates="participant")

    @property
    def full_name(self) -> str:
        """The name in the configured order (NAME_ORDER: "surname-first" or "given-first")."""
        if self.anonymised_at is not None:
            return str(_l("Participant removed at their request"))
        parts = [self.surname, self.given_name, self.patronymic]
        if current_app.config.get("NAME_ORDER") == "given-first":
            parts = [self.given_name, self.patronymic, self.surname]
        return " ".join(part for part in parts if part)

    @property
    def has_consent(self) -> bool:
        return self.consent_at is not None and self.consent_withdrawn_at is None

    @property
    def may_be_named_publicly(self) -> bool:
        """Adults may; minors only while the guardian's consent stands."""
        if self.anonymised_at is not None:
            return False
        return self.consent_at is None or self.consent_withdrawn_at is None


class RegistrationCounter(Base):
    """One row per contest that registrations lock while they take a place: it serialises
    the capacity and quota checks and hands out the numbers behind codes like AQY26-0042."""

    __tablename__ = "registration_counter"

    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id", ondelete="CASCADE"), primary_key=True)
    prefix: Mapped[str] = mapped_column(String(12), unique=True)
    last_number: Mapped[int] = mapped_column(default=0)


class Registration(TimestampMixin, Base):
    __tablename__ = "registration"
    __table_args__ = (
        # One registration per participant per contest; numbers (codes) never repeat in a contest.
        UniqueConstraint("contest_id", "participant_id"),
        UniqueConstraint("contest_id", "number"),
        CheckConstraint(
            "status IN ('pending', 'approved', 'rejected', 'withdrawn')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="RESTRICT"), index=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("contest_category.id", ondelete="RESTRICT"), index=True)
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    number: Mapped[int]
    code: Mapped[str] = mapped_column(String(20), unique=True)
    status: Mapped[str] = mapped_column(String(20), default=RegistrationStatus.PENDING.value, index=True)
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    # An organiser's exception for an entry that does not meet the contest's rules after the
    # deadline: it may then be approved and judged. The reason is required and audited.
    entry_override_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    entry_override_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    entry_override_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    contest: Mapped[Contest] = relationship()
    participant: Mapped[Participant] = relationship(back_populates="registrations")
    category: Mapped[Category] = relationship()
    registered_by: Mapped[User | None] = relationship(foreign_keys=[registered_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    entry_override_by: Mapped[User | None] = relationship(foreign_keys=[entry_override_by_id])
    entry: Mapped[Entry | None] = relationship(back_populates="registration", cascade="all, delete-orphan")

    @property
    def status_enum(self) -> RegistrationStatus:
        return RegistrationStatus(self.status)

    @property
    def status_label(self) -> str:
        return RegistrationStatus(self.status).label

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def has_entry_override(self) -> bool:
        return self.entry_override_at is not None


class Entry(TimestampMixin, Base):
    """What a participant submits: as many works as the contest's rules ask (see EntryWork)
    and, for recitation contests, a link to a performance video."""

    __tablename__ = "entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"), unique=True)
    video_url: Mapped[str] = mapped_column(String(500), default="")

    registration: Mapped[Registration] = relationship(back_populates="entry")
    works: Mapped[list[EntryWork]] = relationship(
        back_populates="entry", cascade="all, delete-orphan", order_by="EntryWork.position")

    def work_at(self, position: int) -> EntryWork | None:
        return next((work for work in self.works if work.position == position), None)

    @property
    def line_count(self) -> int:
        return sum(work.line_count for work in self.works)

    @property
    def titles(self) -> list[str]:
        return [work.title for work in self.works if work.title]


class EntryWork(Base):
    """One work of an entry (a poem): its title, its text and/or a file, numbered from 1."""

    __tablename__ = "entry_work"
    __table_args__ = (
        UniqueConstraint("entry_id", "position"),
        CheckConstraint("position >= 1", name="position_positive"),
        CheckConstraint("file_size IS NULL OR file_size > 0", name="file_size_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entry.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    title: Mapped[str] = mapped_column(String(300), default="")
    text: Mapped[str] = mapped_column(Text, default="")
    # The stored file has a random name in the file store's "entries" area; the original name is only
    # offered back as the download's name.
    file_name: Mapped[str | None] = mapped_column(String(64))
    file_original_name: Mapped[str] = mapped_column(String(255), default="")
    file_type: Mapped[str] = mapped_column(String(10), default="")
    file_size: Mapped[int | None]

    entry: Mapped[Entry] = relationship(back_populates="works")

    @property
    def line_count(self) -> int:
        return count_lines(self.text)


def count_lines(text: str) -> int:
    """Lines of verse: blank lines between stanzas do not count."""
    return sum(1 for line in (text or "").splitlines() if line.strip())
