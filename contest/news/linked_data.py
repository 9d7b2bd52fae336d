"""schema.org data (JSON-LD) of a news post: a `NewsArticle` (Google's "Article" structured
data: headline, image, datePublished, dateModified, author; publisher with its logo)."""

from __future__ import annotations

import html
from typing import Any

from flask import url_for

from contest.contests.linked_data import SCHEMA, library
from contest.markup import plain_text
from contest.news.models import NewsPost

HEADLINE_LENGTH = 110  # longer headlines are cut short in search results


def news_article(post: NewsPost, language: str) -> dict[str, Any]:
    """The post in the language it is shown in (`post.written_language`). The author is the
    library: the organiser who typed the post is not named to the public."""
    headline = post.title_in(language)
    if len(headline) > HEADLINE_LENGTH:
        headline = headline[: HEADLINE_LENGTH - 1].rsplit(" ", 1)[0] + "…"
    page = url_for("news.post", slug=post.slug, lang=language, _external=True)
    data: dict[str, Any] = {
        "@context": SCHEMA,
        "@type": "NewsArticle",
        "headline": headline,
        "url": page,
        "mainEntityOfPage": {"@type": "WebPage", "@id": page},
        "inLanguage": language,
        "datePublished": (post.published_at or post.created_at).isoformat(),  # public posts have the first
        "dateModified": post.changed_at.isoformat(),
        "author": [library()],
        "publisher": library(with_logo=True),
        "description": _description(post, language),
    }
    if post.cover is not None:
        data["image"] = [url_for("news.cover", name=post.cover.name(post.cover.width, "jpg"), _external=True)]
    return data


def _description(post: NewsPost, language: str) -> str:
    """The organiser's summary as typed, or the opening of the text (plain_text escapes it for
    HTML; JSON carries the characters themselves)."""
    return getattr(post, f"summary_{language}") or html.unescape(plain_text(post.body_in(language)))
