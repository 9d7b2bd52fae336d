from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from contest.auth.models import User
from contest.db import Base, LabelledEnum, TimestampMixin, UTCDateTime, set_labels
from contest.i18n import LANGUAGE_NAMES
from contest.markup import plain_text, render_markdown
from contest.pictures import HasCover


class PostStatus(LabelledEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    PUBLISHED = "published"


STATUS_LABELS = set_labels({
    PostStatus.DRAFT: _l("Draft"),
    PostStatus.SCHEDULED: _l("Scheduled"),
    PostStatus.PUBLISHED: _l("Published"),
})


class NewsPost(HasCover, TimestampMixin, Base):
    """A news post written in one or more of kk/ru/en, with an optional lead photo (HasCover).

    `published_at` is empty for a draft; a time in the future schedules the post, which the
    public pages start showing at that moment without anyone pressing a button."""

    __tablename__ = "news_post"
    __table_args__ = (
        CheckConstraint("slug <> ''", name="slug_not_empty"),
        CheckConstraint("title_kk <> '' OR title_ru <> '' OR title_en <> ''", name="has_title"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title_kk: Mapped[str] = mapped_column(String(200), default="")
    title_ru: Mapped[str] = mapped_column(String(200), default="")
    title_en: Mapped[str] = mapped_column(String(200), default="")
    summary_kk: Mapped[str] = mapped_column(String(500), default="")
    summary_ru: Mapped[str] = mapped_column(String(500), default="")
    summary_en: Mapped[str] = mapped_column(String(500), default="")
    body_kk: Mapped[str] = mapped_column(Text, default="")
    body_ru: Mapped[str] = mapped_column(Text, default="")
    body_en: Mapped[str] = mapped_column(Text, default="")
    # Each body as HTML, rendered from its Markdown when the post is saved (not on every view).
    body_html_kk: Mapped[str] = mapped_column(Text, default="", server_default="")
    body_html_ru: Mapped[str] = mapped_column(Text, default="", server_default="")
    body_html_en: Mapped[str] = mapped_column(Text, default="", server_default="")
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    # Optional: the contest this post is about; it then shows on the contest's page too.
    contest_id: Mapped[int | None] = mapped_column(ForeignKey("contest.id", ondelete="SET NULL"), index=True)

    author: Mapped[User | None] = relationship(lazy="raise")

    @validates("body_kk", "body_ru", "body_en")
    def _render_body(self, column: str, source: str | None) -> str | None:
        """Whatever sets a body (the editor, the demo, a command) renders its HTML with it."""
        setattr(self, column.replace("body_", "body_html_"), str(render_markdown(source)))
        return source

    def status(self, now: datetime) -> PostStatus:
        if self.published_at is None:
            return PostStatus.DRAFT
        return PostStatus.SCHEDULED if self.published_at > now else PostStatus.PUBLISHED

    def is_public(self, now: datetime) -> bool:
        return self.status(now) is PostStatus.PUBLISHED

    @property
    def changed_at(self) -> datetime:
        """For feeds: the later of the last edit and the publication (a post scheduled long ago
        appears, to a reader, when it is published)."""
        return max(self.updated_at, self.published_at) if self.published_at else self.updated_at

    def written_language(self, preferred: str) -> str:
        """`preferred` when the post is written in it, else the first language it is written in,
        so a page never mixes a title in one language with a body in another."""
        for code in (preferred, *LANGUAGE_NAMES):
            if getattr(self, f"title_{code}", ""):
                return code
        return preferred

    def title_in(self, language: str) -> str:
        return getattr(self, f"title_{language}")

    def body_in(self, language: str) -> str:
        return getattr(self, f"body_{language}")

    def body_html_in(self, language: str) -> Markup:
        """The body rendered when saved: HTML that contest/markup.py has already cleaned."""
        return Markup(getattr(self, f"body_html_{language}"))

    def summary_in(self, language: str) -> str:
        """The organiser's own summary, or the opening of the text."""
        return getattr(self, f"summary_{language}") or plain_text(self.body_in(language))
