"""Markdown written by organisers, rendered to HTML that is safe to show to everyone."""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

# Raw HTML in the source is escaped by markdown-it ("html": False); nh3 then keeps only the
# tags below and drops scripts, event handlers, styles and javascript:/data: links, so even
# a bug in the Markdown step cannot put active content on a page.
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")
ALLOWED_TAGS = {
    "p", "br", "strong", "em", "a", "ul", "ol", "li", "blockquote", "h2", "h3", "h4",
    "code", "pre", "hr", "table", "thead", "tbody", "tr", "th", "td", "img",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "th": {"align"}, "td": {"align"}}
ALLOWED_SCHEMES = {"http", "https", "mailto"}


def render_markdown(source: str | None) -> Markup:
    html = _markdown.render(source or "")
    clean = nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=ALLOWED_SCHEMES,
                      link_rel="noopener noreferrer nofollow")
    return Markup(clean)


def plain_text(source: str | None, limit: int = 200) -> str:
    """A short text-only summary (for listings, feeds and OpenGraph descriptions)."""
    text = nh3.clean(_markdown.render(source or ""), tags=set()).strip()
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"
