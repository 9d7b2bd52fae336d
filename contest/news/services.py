"""News rules: who sees which post when, readable unique slugs, safe Markdown, covers."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import BinaryIO

from flask_babel import lazy_gettext as _l
from markdown_it import MarkdownIt
from markdown_it.token import Token
from slugify import slugify
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from contest import pictures
from contest.audit.services import record
from contest.auth.models import User
from contest.contests.models import Contest
from contest.db import utcnow
from contest.errors import ServiceError
from contest.extensions import db
from contest.i18n import LANGUAGE_NAMES
from contest.markup import ALLOWED_SCHEMES
from contest.news.models import NewsPost

LANGUAGES = tuple(LANGUAGE_NAMES)
TEXT_PARTS = ("title", "summary", "body")
PER_PAGE = 10
MANAGE_PER_PAGE = 25
FEED_SIZE = 20
MAX_NAMED_PROBLEMS = 5
SLUG_MAX_LENGTH = 80

# Kazakh letters that the generic transliteration would drop or mangle.
KAZAKH_LATIN = [(k, v) for lower, latin in [("ә", "a"), ("ғ", "g"), ("қ", "q"), ("ң", "n"), ("ө", "o"),
                                            ("ұ", "u"), ("ү", "u"), ("һ", "h"), ("і", "i")]
                for k, v in ((lower, latin), (lower.upper(), latin))]

SLUG_TAKEN = _l("Another post already uses this web address. Please choose a different one.")
SLUG_EMPTY = _l("The web address must contain Latin letters or digits.")
NO_LANGUAGE = _l("Write the post in at least one language: a title and a text.")


@dataclass
class PostData:
    """What an organiser sends: texts per language ({"kk": {"title": ..., "summary": ..., "body": ...}}),
    an optional slug, the publication time (aware; None keeps a draft) and an optional new cover."""

    texts: dict[str, dict[str, str]] = field(default_factory=dict)
    slug: str = ""
    published_at: datetime | None = None
    cover: BinaryIO | None = None
    remove_cover: bool = False
    cover_alt: dict[str, str] = field(default_factory=dict)  # {"kk": ...}: empty uses the title
    contest_id: int | None = None


@dataclass
class Page:
    items: list[NewsPost]
    number: int
    pages: int
    total: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


# Public reading -----------------------------------------------------------------------------

def is_published(now: datetime | None = None) -> ColumnElement[bool]:
    """Published and not scheduled for later: the only posts a visitor may see."""
    moment = now or utcnow()
    return NewsPost.published_at.is_not(None) & (NewsPost.published_at <= moment)


def latest_posts(limit: int = 5, *conditions: ColumnElement[bool]) -> list[NewsPost]:
    """The newest published posts; extra conditions narrow them (e.g. to one contest's news)."""
    query = (select(NewsPost).where(is_published(), *conditions)
             .order_by(NewsPost.published_at.desc(), NewsPost.id.desc()).limit(limit))
    return list(db.session.scalars(query))


def published_page(number: int) -> Page | None:
    """One page of published posts, newest first; None when there is no such page."""
    return _page(select(NewsPost).where(is_published())
                 .order_by(NewsPost.published_at.desc(), NewsPost.id.desc()), number, PER_PAGE)


def feed_posts(*conditions: ColumnElement[bool]) -> list[NewsPost]:
    return latest_posts(FEED_SIZE, *conditions)


def public_post(slug: str) -> NewsPost | None:
    return db.session.scalar(select(NewsPost).where(NewsPost.slug == slug, is_published()))


COVER_AREA = "news"


def post_with_cover(stem: str) -> NewsPost | None:
    return db.session.scalar(select(NewsPost).where(NewsPost.cover_image == stem))


# Organisers ---------------------------------------------------------------------------------

def all_posts_page(number: int) -> Page | None:
    query = (select(NewsPost).options(selectinload(NewsPost.author))
             .order_by(NewsPost.created_at.desc(), NewsPost.id.desc()))
    return _page(query, number, MANAGE_PER_PAGE)


def preview_post(data: PostData, post: NewsPost | None = None) -> NewsPost:
    """The post as the public would see it after saving, built outside the session so that
    nothing of it can be written."""
    texts = _checked_texts(data.texts)
    preview = NewsPost(slug=(post.slug if post else "preview"), published_at=data.published_at,
                       **_columns(texts), **_alt_columns(data.cover_alt))
    if post is not None and not data.remove_cover:
        preview.set_cover(post.cover)
    return preview


def create_post(data: PostData, *, actor: User | None) -> NewsPost:
    texts = _checked_texts(data.texts)
    slug = _checked_slug(data.slug, texts, post=None)
    change = _cover_change(data)
    image = pictures.checked_change(change, "cover")
    post = NewsPost(slug=slug, published_at=data.published_at, author_id=getattr(actor, "id", None),
                    contest_id=_checked_contest(data.contest_id), **_columns(texts), **_alt_columns(data.cover_alt))
    pictures.apply_change(post, change, image, COVER_AREA, db.session)
    db.session.add(post)
    _flush_or_slug_taken()
    record("news.created", post, actor=actor, slug=post.slug, published_at=_iso(post.published_at))
    return post


def update_post(post: NewsPost, data: PostData, *, actor: User | None) -> NewsPost:
    texts = _checked_texts(data.texts)
    slug = _checked_slug(data.slug, texts, post=post)
    change = _cover_change(data)
    image = pictures.checked_change(change, "cover")
    before = {"slug": post.slug, "published_at": _iso(post.published_at), "cover_image": post.cover_image}
    post.slug = slug
    post.published_at = data.published_at
    post.contest_id = _checked_contest(data.contest_id)
    for column, value in {**_columns(texts), **_alt_columns(data.cover_alt)}.items():
        setattr(post, column, value)
    pictures.apply_change(post, change, image, COVER_AREA, db.session)
    _flush_or_slug_taken()
    after = {"slug": post.slug, "published_at": _iso(post.published_at), "cover_image": post.cover_image}
    record("news.updated", post, actor=actor,
           **{key: [before[key], after[key]] for key in before if before[key] != after[key]})
    return post


def delete_post(post: NewsPost, *, actor: User | None) -> None:
    record("news.deleted", post, actor=actor, slug=post.slug, title=post.title_in(post.written_language("kk")))
    pictures.retire(post.cover, COVER_AREA, db.session)
    db.session.delete(post)
    db.session.flush()


# Rules ----------------------------------------------------------------------------------------

def _cover_change(data: PostData) -> pictures.PictureChange | None:
    if data.cover is None and not data.remove_cover:
        return None
    return pictures.PictureChange(upload=data.cover, remove=data.remove_cover)


def _alt_columns(alt: dict[str, str]) -> dict[str, str]:
    return {f"cover_alt_{code}": (alt.get(code) or "").strip() for code in LANGUAGES}


def _checked_contest(contest_id: int | None) -> int | None:
    if contest_id is not None and db.session.get(Contest, contest_id) is None:
        raise ServiceError(_l("Choose a contest from the list."), field="contest_id")
    return contest_id


def contest_choices() -> list[Contest]:
    """Contests a post can be about, newest first."""
    return list(db.session.scalars(select(Contest).order_by(Contest.event_at.desc(), Contest.id.desc())))


def _checked_texts(texts: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """Every language filled completely (title and text) or not at all, at least one filled,
    and no HTML or unsafe links in the Markdown."""
    unknown = sorted(set(texts) - set(LANGUAGES))
    if unknown:
        raise ServiceError(_l("Unknown language “%(code)s”. Posts are written in Kazakh, Russian and English.",
                              code=unknown[0]))
    clean = {code: {part: (texts.get(code, {}).get(part) or "").strip() for part in TEXT_PARTS}
             for code in LANGUAGES}
    for code, text in clean.items():
        if text["body"] and not text["title"]:
            raise ServiceError(_l("Give the post a title in this language too, or leave its text empty."),
                               field=f"title_{code}")
        if (text["title"] or text["summary"]) and not text["body"]:
            raise ServiceError(_l("Write the text in this language too, or leave its title and summary empty."),
                               field=f"body_{code}")
        problems = list(dict.fromkeys(unsafe_markup(text["body"])))[:MAX_NAMED_PROBLEMS]
        if problems:
            raise ServiceError(_l("The text contains HTML or a link that is not allowed: %(found)s. Use Markdown "
                                  "formatting and links that start with https://, http:// or mailto:.",
                                  found=", ".join(problems)), field=f"body_{code}")
    if not any(text["title"] for text in clean.values()):
        raise ServiceError(NO_LANGUAGE, field=f"title_{LANGUAGES[0]}")
    return clean


# A second parser that sees raw HTML and every link, to refuse what the renderer would hide.
_inspector = MarkdownIt("commonmark", {"html": True}).enable("table")
_inspector.validateLink = lambda url: True  # type: ignore[method-assign]  # markdown-it's hook for it
_SCHEME = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.\-]*):")


_TAG = re.compile(r"<\s*(/?)\s*([a-zA-Z][\w:-]*)([^<>]*)")
_COMMENT = re.compile(r"<!--.*?(?:-->|$)|<![^>]*>?|<\?[^>]*>?", re.DOTALL)
_ATTRIBUTE = re.compile(r"([^\s=/\"'<>]+)(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>]*))?")


def unsafe_markup(source: str) -> Iterator[str]:
    """What the organiser must remove, named so they can find it: each raw HTML tag with its
    attribute names ("<img onerror>"), and each link or image whose address is not http(s),
    mailto or relative."""
    html = []
    for token in _walk(_inspector.parse(source or "")):
        if token.type in ("html_block", "html_inline"):
            html.append(token.content)
        elif token.type in ("link_open", "image"):
            url = str(token.attrGet("href") or token.attrGet("src") or "")
            scheme = _SCHEME.match(url)
            if scheme and scheme.group(1).lower() not in ALLOWED_SCHEMES:
                yield url[:60]
    if html:
        yield from _html_tags("\n".join(html))


def _html_tags(html: str) -> Iterator[str]:
    """Each opening tag as its name and attribute names (<b onclick> for <b onclick="…">), a
    closing tag only when its opening one is elsewhere, a comment by its first characters."""
    tags = _TAG.findall(html)
    opened = {name.lower() for closing, name, _rest in tags if not closing}
    for closing, name, rest in tags:
        if not closing:
            attributes = [match.group(1) for match in _ATTRIBUTE.finditer(rest.strip().rstrip("/"))]
            yield "<" + " ".join([name.lower(), *attributes]) + ">"
        elif name.lower() not in opened:
            yield f"</{name.lower()}>"
    for comment in _COMMENT.findall(html):
        yield " ".join(comment.split())[:30]


def _walk(tokens: list[Token]) -> Iterator[Token]:
    for token in tokens:
        yield token
        if token.children:
            yield from _walk(token.children)


def slug_from(text: str) -> str:
    return slugify(text, max_length=SLUG_MAX_LENGTH, word_boundary=True, replacements=KAZAKH_LATIN)


def _checked_slug(requested: str, texts: dict[str, dict[str, str]], *, post: NewsPost | None) -> str:
    """An organiser's own slug must be free; one made from the title (English first, as it is
    already Latin) gets a number added when taken. Editing keeps the slug unless it is changed."""
    if requested.strip():
        slug = slug_from(requested)
        if not slug:
            raise ServiceError(SLUG_EMPTY, field="slug")
        if _slug_taken(slug, post):
            raise ServiceError(SLUG_TAKEN, field="slug")
        return slug
    if post is not None:
        return post.slug
    title = next(texts[code]["title"] for code in ("en", "ru", "kk") if texts[code]["title"])
    return _free_slug(slug_from(title) or "news", post)


def _slug_taken(slug: str, post: NewsPost | None) -> bool:
    query = select(NewsPost.id).where(NewsPost.slug == slug)
    if post is not None and post.id is not None:
        query = query.where(NewsPost.id != post.id)
    return db.session.scalar(query) is not None


def _free_slug(base: str, post: NewsPost | None) -> str:
    taken = set(db.session.scalars(select(NewsPost.slug).where(
        (NewsPost.slug == base) | NewsPost.slug.like(f"{base}-%"))))
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def _flush_or_slug_taken() -> None:
    # Two organisers saving the same slug at once: the unique index decides, and the
    # loser gets the same message as for a slug taken earlier.
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise ServiceError(SLUG_TAKEN, field="slug") from None


def _columns(texts: dict[str, dict[str, str]]) -> dict[str, str]:
    return {f"{part}_{code}": text[part] for code, text in texts.items() for part in TEXT_PARTS}


def _page(query, number: int, per_page: int) -> Page | None:
    total = db.session.execute(select(func.count()).select_from(query.order_by(None).subquery())).scalar_one()
    pages = max(1, math.ceil(total / per_page))
    if not 1 <= number <= pages:
        return None
    items = list(db.session.scalars(query.limit(per_page).offset((number - 1) * per_page)))
    return Page(items=items, number=number, pages=pages, total=total)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
