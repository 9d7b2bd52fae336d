"""The API's shapes: each marshmallow schema both serialises a response and describes it in the
generated OpenAPI document, so the description cannot drift from what is sent. Descriptions are
lazy strings: the document is rendered in the reader's language (contest/api/spec.py)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, validate

from contest.certificates.pdf import DocumentKind
from contest.contests.models import ContestKind, ContestLevel, RoundStage
from contest.contests.services import PUBLIC_STATUSES
from contest.i18n import LANGUAGE_NAMES

MAX_LIMIT = 100
DEFAULT_LIMIT = 20


def _text(description: object, **options: object) -> fields.String:
    return fields.String(metadata={"description": description}, **options)  # type: ignore[arg-type]


def _whole(description: object, **options: object) -> fields.Integer:
    return fields.Integer(metadata={"description": description}, **options)  # type: ignore[arg-type]


def _moment(description: object, **options: object) -> fields.AwareDateTime:
    return fields.AwareDateTime(metadata={"description": description}, **options)  # type: ignore[arg-type]


def _choice(description: object, values: list[str]) -> fields.String:
    return fields.String(validate=validate.OneOf(values), metadata={"description": description})


# Query arguments -------------------------------------------------------------------------------

class PageArgs(Schema):
    cursor = _text(_l("Where the next page starts: the next_cursor of the previous page, as given."))
    limit = fields.Integer(load_default=DEFAULT_LIMIT, validate=validate.Range(1, MAX_LIMIT),
                           metadata={"description": _l("How many items a page holds (1 to 100).")})


class ContestListArgs(PageArgs):
    status = _choice(_l("Only contests in this status."), [status.value for status in PUBLIC_STATUSES])


class NewsListArgs(PageArgs):
    contest = _text(_l("Only the news about this contest (its slug)."), validate=validate.Length(1, 120))


class ResultsArgs(Schema):
    category = fields.Integer(validate=validate.Range(1, 2**31 - 1),
                              metadata={"description": _l("Only this category (its id).")})


# Responses -----------------------------------------------------------------------------------

class LinksSchema(Schema):
    page = fields.Url(required=True, metadata={"description": _l("The public page for people.")})
    results = fields.Url(allow_none=True, metadata={"description": _l("The published results, when there are any.")})
    news = fields.Url(metadata={"description": _l("The contest's news in this API.")})


class CategorySchema(Schema):
    id = _whole(_l("The category's id (the results' category filter)."), required=True)
    name = _text(_l("An age group or a nomination."), required=True)
    min_age = _whole(_l("The youngest age on the event day, if limited."), allow_none=True)
    max_age = _whole(_l("The oldest age on the event day, if limited."), allow_none=True)
    min_grade = _whole(_l("The lowest school grade, if limited."), allow_none=True)
    max_grade = _whole(_l("The highest school grade, if limited."), allow_none=True)
    limits = _text(_l("The limits in words."), allow_none=True)


class RoundSchema(Schema):
    id = _whole(_l("The round's id."), required=True)
    name = _text(_l("The round's name with its stage."), required=True)
    stage = _choice(_l("Qualifying or final."), [stage.value for stage in RoundStage])


class RegistrationWindowSchema(Schema):
    opens_at = _moment(_l("When registration opens."), required=True)
    closes_at = _moment(_l("When registration closes."), required=True)
    is_open = fields.Boolean(required=True, metadata={"description": _l("Whether registration is open now.")})


class ContestSummarySchema(Schema):
    slug = _text(_l("The contest's address on the site and in this API."), required=True)
    title = _text(_l("The title in the chosen language (or the first one filled)."), required=True)
    status = _choice(_l("Where the contest stands."), [status.value for status in PUBLIC_STATUSES])
    status_label = _text(_l("The status in words."), required=True)
    kind = _choice(_l("Writing or recitation."), [kind.value for kind in ContestKind])
    level = _choice(_l("City, regional, republican or international."), [level.value for level in ContestLevel])
    event_at = _moment(_l("When the contest takes place."), required=True)
    venue = _text(_l("Where it takes place."), required=True)
    registration = fields.Nested(RegistrationWindowSchema, required=True)
    links = fields.Nested(LinksSchema, required=True)


class ContestSchema(ContestSummarySchema):
    description = _text(_l("About the contest (Markdown)."), required=True)
    rules = _text(_l("The rules (Markdown)."), required=True)
    dedication = _text(_l("Whom or what the contest is dedicated to."), required=True)
    min_age = _whole(_l("The youngest age on the event day, if limited."), allow_none=True)
    max_age = _whole(_l("The oldest age on the event day, if limited."), allow_none=True)
    min_grade = _whole(_l("The lowest school grade, if limited."), allow_none=True)
    max_grade = _whole(_l("The highest school grade, if limited."), allow_none=True)
    capacity = _whole(_l("How many may take part, if limited."), allow_none=True)
    prize_fund = _whole(_l("The prize fund in tenge, if any."), allow_none=True)
    categories = fields.List(fields.Nested(CategorySchema), required=True)
    rounds = fields.List(fields.Nested(RoundSchema), required=True)


class ContestPageSchema(Schema):
    items = fields.List(fields.Nested(ContestSummarySchema), required=True)
    next_cursor = _text(_l("Pass as cursor for the next page; null on the last page."), allow_none=True)


class NewsSummarySchema(Schema):
    slug = _text(_l("The post's address on the site and in this API."), required=True)
    language = _choice(_l("The language the title, summary and text are in."), list(LANGUAGE_NAMES))
    title = _text(_l("The title."), required=True)
    summary = _text(_l("A short summary."), required=True)
    published_at = _moment(_l("When the post was published."), required=True)
    contest = _text(_l("The slug of the contest the post is about, if any."), allow_none=True)
    url = fields.Url(required=True, metadata={"description": _l("The public page for people.")})


class NewsPostSchema(NewsSummarySchema):
    body_html = _text(_l("The text as cleaned HTML."), required=True)


class NewsPageSchema(Schema):
    items = fields.List(fields.Nested(NewsSummarySchema), required=True)
    next_cursor = _text(_l("Pass as cursor for the next page; null on the last page."), allow_none=True)


class ResultRowSchema(Schema):
    place = _whole(_l("The place in the category (shared places repeat)."), required=True)
    award = _text(_l("The award, if any."), allow_none=True)
    shared = fields.Boolean(required=True, metadata={"description": _l("The award is shared ex aequo.")})
    name = _text(_l("The name, as the participant's consent allows; otherwise the registration code."),
                 required=True)
    named = fields.Boolean(required=True, metadata={"description": _l("Whether the name may be shown.")})
    grade = _whole(_l("The school grade, if given."), allow_none=True)
    school = _text(_l("The school, if given."), allow_none=True)
    district = _text(_l("The district or city, if given."), allow_none=True)
    total = _text(_l("The total score as a decimal number, with the contest's decimals."), allow_none=True)


class ResultCategorySchema(Schema):
    id = _whole(_l("The category's id."), required=True)
    name = _text(_l("The age group or nomination."), required=True)
    rows = fields.List(fields.Nested(ResultRowSchema), required=True)


class ResultsSchema(Schema):
    contest = _text(_l("The contest's slug."), required=True)
    title = _text(_l("The contest's title."), required=True)
    published_at = _moment(_l("When these results were published."), required=True)
    decimals = _whole(_l("Decimals of the totals."), required=True)
    url = fields.Url(required=True, metadata={"description": _l("The public results page for people.")})
    categories = fields.List(fields.Nested(ResultCategorySchema), required=True)


class CertificateSchema(Schema):
    code = _text(_l("The verification code, as printed."), required=True)
    valid = fields.Boolean(required=True, metadata={"description": _l("False when the document was revoked.")})
    kind = _choice(_l("Winner diploma, participation certificate or letter of thanks."),
                   [kind.value for kind in DocumentKind])
    document = _text(_l("The kind of document in words."), required=True)
    holder = _text(_l("The holder's name, as consent allows; null when it may not be shown."), allow_none=True)
    contest = _text(_l("The contest's title."), required=True)
    contest_slug = _text(_l("The contest's slug."), required=True)
    award = _text(_l("The award, if any."), allow_none=True)
    category = _text(_l("The category, if any."), allow_none=True)
    issued_on = fields.Date(required=True, metadata={"description": _l("When the document was issued.")})
    revoked_on = fields.Date(allow_none=True, metadata={"description": _l("When it was revoked, if it was.")})


class ProblemSchema(Schema):
    """RFC 9457 problem details: every error of the API has this shape."""

    type = fields.String(required=True, metadata={"description": _l("Identifies the kind of problem.")})
    title = _text(_l("The kind of problem in words, in the chosen language."), required=True)
    status = _whole(_l("The HTTP status code."), required=True)
    detail = _text(_l("What went wrong with this request."), required=True)
    instance = _text(_l("The address that was asked for."))
    errors = fields.Dict(metadata={"description": _l("Per query argument: what is wrong with it.")})
