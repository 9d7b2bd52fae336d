"""Issued certificates, each contest's certificate settings and the bulk-generation jobs.

A certificate row freezes what was decided when it was issued: the kind, the holder's name
as printed, the language, the award, place and category, the date and the code. The PDF is
not stored: it is rendered again from this row and the contest's current settings (texts,
signatories, logo, frame) whenever someone downloads it, which costs a few milliseconds and
means a corrected signatory or typo reaches every document without issuing anything anew.
Only the organiser's bulk output (one ZIP or one print-ready PDF) is written to a file.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, ForeignKey, LargeBinary, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from contest.auth.models import User
from contest.certificates.awards import award_wording
from contest.certificates.pdf import DocumentKind
from contest.contests.models import Contest
from contest.db import Base, LabelledEnum, UTCDateTime, set_labels, utcnow
from contest.registration.models import Registration


def _in(column: str, values: list[str]) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


class JobStatus(LabelledEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class OutputFormat(LabelledEnum):
    ZIP = "zip"
    PDF = "pdf"


LABELS = set_labels({
    JobStatus.QUEUED: _l("Waiting for a worker"),
    JobStatus.RUNNING: _l("Running"),
    JobStatus.DONE: _l("Ready"),
    JobStatus.FAILED: _l("Interrupted"),
    OutputFormat.ZIP: _l("ZIP archive, one PDF per person"),
    OutputFormat.PDF: _l("One print-ready PDF, a page per person"),
})


class Certificate(Base):
    __tablename__ = "certificate"
    __table_args__ = (
        # Regeneration finds the row it issued before, so a holder's code never changes and a
        # resumed job never issues a second document.
        UniqueConstraint("contest_id", "kind", "holder_key"),
        CheckConstraint(_in("kind", [kind.value for kind in DocumentKind]), name="kind_known"),
        CheckConstraint("place IS NULL OR place > 0", name="place_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    code: Mapped[str] = mapped_column(String(24), unique=True)
    # Who the document is for, stable across regenerations: "registration:<id>",
    # "juror:<user id>" or "teacher:<digest of the name as typed on registrations>".
    holder_key: Mapped[str] = mapped_column(String(80))
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"), index=True)
    juror_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    # The account that may download it from its dashboard (none: the organiser hands it out).
    account_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    language: Mapped[str] = mapped_column(String(5))
    holder_name: Mapped[str] = mapped_column(String(300))
    # Whether the verification page may show the name (a minor without standing consent: no).
    name_public: Mapped[bool] = mapped_column(default=True)
    place: Mapped[int | None]
    # Another entry of the category holds the same place: the award reads "II орын (ортақ)".
    place_shared: Mapped[bool] = mapped_column(default=False, server_default=false())
    award_name: Mapped[str] = mapped_column(String(200), default="")
    category_name: Mapped[str] = mapped_column(String(200), default="")
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    revoke_reason: Mapped[str] = mapped_column(Text, default="")

    contest: Mapped[Contest] = relationship()
    registration: Mapped[Registration | None] = relationship()

    @property
    def kind_enum(self) -> DocumentKind:
        return DocumentKind(self.kind)

    @property
    def kind_label(self) -> str:
        return DocumentKind(self.kind).label

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def award_text(self) -> str:
        """The award as lists and the verification page state it, in the reader's language."""
        return award_wording(self.award_name, shared=self.place_shared)


class CertificateSettings(Base):
    """A contest's texts (per kind and language, with placeholders), logo and frame style."""

    __tablename__ = "certificate_settings"

    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id", ondelete="CASCADE"), primary_key=True)
    frame_style: Mapped[str] = mapped_column(String(20), default="classic")
    # {"winner_diploma": {"kk": "...", "ru": "...", "en": "..."}, ...}
    texts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    logo: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    signatories: Mapped[list[CertificateSignatory]] = relationship(
        cascade="all, delete-orphan", order_by="CertificateSignatory.position")


class CertificateSignatory(Base):
    __tablename__ = "certificate_signatory"

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(
        ForeignKey("certificate_settings.contest_id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200), default="")
    signature: Mapped[bytes | None] = mapped_column(LargeBinary)


class CertificateJob(Base):
    """One bulk generation: its progress is what the organiser's progress bar shows."""

    __tablename__ = "certificate_job"
    __table_args__ = (
        CheckConstraint(_in("status", [status.value for status in JobStatus]), name="status_known"),
        CheckConstraint(_in("output_format", [fmt.value for fmt in OutputFormat]), name="format_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id", ondelete="CASCADE"), index=True)
    output_format: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(20), default=JobStatus.QUEUED.value)
    # Progress in documents, as the organiser reads it: first issued (of the planned total),
    # then printed into the output (of the documents the output holds).
    total: Mapped[int] = mapped_column(default=0)
    issued: Mapped[int] = mapped_column(default=0)
    rendered: Mapped[int] = mapped_column(default=0)
    attempts: Mapped[int] = mapped_column(default=0)
    # The site's address when the job was asked for: the QR codes point there.
    site_url: Mapped[str] = mapped_column(String(300), default="")
    file_name: Mapped[str | None] = mapped_column(String(64))
    error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    created_by: Mapped[User | None] = relationship()

    @property
    def status_label(self) -> str:
        return JobStatus(self.status).label

    @property
    def format_label(self) -> str:
        return OutputFormat(self.output_format).label

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        if not self.total:
            return 0
        # Two halves of the bar: issuing the documents, then printing them into the output.
        return min(99, int(50 * (min(self.issued, self.total) + min(self.rendered, self.total)) / self.total))

    @property
    def printing(self) -> bool:
        return self.rendered > 0
