"""The read-only JSON API under /api/v1/: thin views over contest/api/services.py, with what
every answer shares in the blueprint's hooks: the language, the per-address limit, CORS, ETags
and errors as problem details."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from http import HTTPStatus
from typing import Any, TypeVar, cast

from flask import Blueprint as FlaskBlueprint
from flask import Response, current_app, g, request
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_smorest import Blueprint
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotAcceptable, NotFound, TooManyRequests
from werkzeug.routing import PathConverter

from contest import i18n, pagecache
from contest.api import problems, schemas, services
from contest.api.cursors import InvalidCursor
from contest.api.problems import Problem
from contest.auth.permissions import public
from contest.certificates.views import verify_limit  # the verification page's limit: the API is no way round it
from contest.ratelimit import Limit

F = TypeVar("F", bound=Callable[..., Any])

bp = Blueprint("api", __name__, url_prefix="/api/v1",
               description=_l("Public contests, news, published results and certificate checks."))

READ_METHODS = ("GET", "HEAD")
JSON_TYPES = ("application/json", "application/problem+json")
CORS_HEADERS = "Accept, Accept-Language, If-None-Match"
EXPOSED_HEADERS = "Content-Language, ETag, Retry-After"
PREFLIGHT_MAX_AGE = 86400
# Documented on every operation (the language comes from `?lang=`, else as for the site's pages).
LANGUAGE_PARAMETER = {
    "in": "query", "name": "lang", "required": False, "schema": {"type": "string", "enum": list(i18n.LANGUAGE_NAMES)},
    "description": _l("The language of the texts: kk, ru or en (else Accept-Language decides; Kazakh by default)."),
}
ERRORS = ("BAD_REQUEST", "NOT_ACCEPTABLE", "TOO_MANY_REQUESTS")


def api_limit() -> Limit:
    config = current_app.config
    return Limit("api", config["API_RATE_LIMIT"], config["API_RATE_WINDOW"])


def language() -> str:
    return cast(str, g.api_language)


# Hooks ---------------------------------------------------------------------------------------

@bp.before_request
def choose_language() -> None:
    requested = request.args.get("lang")
    if requested is not None and not i18n.is_supported(requested):
        g.api_language = _accepted_language()
        raise Problem(400, _l("This language is not available. Choose kk, ru or en."))
    g.api_language = requested or _accepted_language()


def _accepted_language() -> str:
    # As for a visitor of the pages: the site's language cookie (a page's own script calling the
    # API), then Accept-Language, then Kazakh. The shared page cache keys answers by this choice.
    return i18n.visitor_language()


@bp.before_request
def limit_per_address() -> None:
    """Every request counts, answered from the cache or not: the limit protects the workers."""
    wait = api_limit().reserve(request.remote_addr or "unknown")
    if wait:
        raise TooManyRequests(retry_after=wait)


@bp.before_request
def json_only() -> None:
    if request.endpoint != "api.docs" and request.method in READ_METHODS and request.accept_mimetypes \
            and not request.accept_mimetypes.best_match(JSON_TYPES):
        raise NotAcceptable()


@bp.after_request
def shared_headers(response: Response) -> Response:
    if request.endpoint == "api.docs":
        return response
    _cors(response)
    response.headers["Content-Language"] = getattr(g, "api_language", i18n.DEFAULT_LANGUAGE)
    response.vary.add("Accept-Language")
    if response.status_code == 200 and request.method in READ_METHODS:
        if "ETag" not in response.headers:  # answers not served from the page cache: the content's ETag
            response.add_etag()
            response.headers.setdefault("Cache-Control", "no-cache")
        response.make_conditional(request)
    return response


def _cors(response: Response) -> None:
    """Any site may read (no credentials); a preflight is granted only for GET and HEAD."""
    if request.method in READ_METHODS:
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
    elif request.method == "OPTIONS" and request.headers.get("Access-Control-Request-Method") in READ_METHODS:
        response.headers.update({"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "GET, HEAD",
                                 "Access-Control-Allow-Headers": CORS_HEADERS,
                                 "Access-Control-Max-Age": str(PREFLIGHT_MAX_AGE)})


@bp.errorhandler(HTTPException)
def problem(error: HTTPException) -> Response:
    return problems.response(error, getattr(g, "api_language", i18n.DEFAULT_LANGUAGE))


def speaking(view: F) -> F:
    """Run the view in the request's language: labels (a contest's status) come out in it."""
    @wraps(view)
    def run(*args: Any, **kwargs: Any) -> Any:
        with force_locale(language()):
            return view(*args, **kwargs)

    return cast(F, run)


def documented(*errors: str) -> Callable[[F], F]:
    """The error answers an operation may give, besides those every operation may."""
    def decorate(view: F) -> F:
        for name in (*ERRORS, *errors):
            view = bp.alt_response(HTTPStatus[name].value, response=name)(view)
        return bp.alt_response(HTTPStatus.NOT_MODIFIED.value, response="NOT_MODIFIED")(view)

    return decorate


def _cursor_problem() -> Problem:
    return Problem(400, _l("The cursor is not valid: pass next_cursor exactly as a page gave it."),
                   {"cursor": [str(_l("Not a valid cursor."))]})


# Operations ----------------------------------------------------------------------------------

@bp.route("/contests", parameters=[LANGUAGE_PARAMETER])
@public
@pagecache.cached(arguments=("lang", "cursor", "limit", "status"))
@bp.arguments(schemas.ContestListArgs, location="query", error_status_code=400)
@bp.response(200, schemas.ContestPageSchema)
@documented()
@bp.doc(summary=_l("Contests"), description=_l("Public contests, the newest event first, a page at a time."))
@speaking
def contests_list(args: dict[str, Any]) -> services.Page:
    try:
        return services.contests_page(cursor=args.get("cursor"), limit=args["limit"], status=args.get("status"),
                                      language=language())
    except InvalidCursor:
        raise _cursor_problem() from None


@bp.route("/contests/<slug>", parameters=[LANGUAGE_PARAMETER])
@public
@pagecache.cached(arguments=("lang",))
@bp.response(200, schemas.ContestSchema)
@documented("NOT_FOUND")
@bp.doc(summary=_l("One contest"), description=_l("Dates, venue, categories with their limits, rounds, "
                                                  "status, registration window and links."))
@speaking
def contest(slug: str) -> dict[str, Any]:
    found = services.public_contest(slug)
    if found is None:
        raise NotFound()
    return services.contest_detail(found, language())


@bp.route("/contests/<slug>/results", parameters=[LANGUAGE_PARAMETER])
@public
@pagecache.cached(arguments=("lang", "category"))
@bp.arguments(schemas.ResultsArgs, location="query", error_status_code=400)
@bp.response(200, schemas.ResultsSchema)
@documented("NOT_FOUND")
@bp.doc(summary=_l("Published results"),
        description=_l("Place, award, name as consent allows, grade, school and total, per category. "
                       "Not found until the results are published."))
@speaking
def results(args: dict[str, Any], slug: str) -> dict[str, Any]:
    try:
        found = services.published_results(slug, category=args.get("category"), language=language())
    except services.UnknownCategory:
        raise Problem(404, _l("These results have no such category.")) from None
    if found is None:
        raise NotFound()
    return found


@bp.route("/news", parameters=[LANGUAGE_PARAMETER])
@public
@pagecache.cached(arguments=("lang", "cursor", "limit", "contest"))
@bp.arguments(schemas.NewsListArgs, location="query", error_status_code=400)
@bp.response(200, schemas.NewsPageSchema)
@documented("NOT_FOUND")
@bp.doc(summary=_l("News"), description=_l("Published news, the newest first, a page at a time; "
                                           "with contest=, one contest's news."))
@speaking
def news_list(args: dict[str, Any]) -> services.Page:
    contest = None
    if args.get("contest") is not None:
        contest = services.public_contest(args["contest"])
        if contest is None:
            raise Problem(404, _l("There is no public contest with this slug."))
    try:
        return services.news_page(cursor=args.get("cursor"), limit=args["limit"], contest=contest,
                                  language=language())
    except InvalidCursor:
        raise _cursor_problem() from None


@bp.route("/news/<slug>", parameters=[LANGUAGE_PARAMETER])
@public
@pagecache.cached(arguments=("lang",))
@bp.response(200, schemas.NewsPostSchema)
@documented("NOT_FOUND")
@bp.doc(summary=_l("One news post"), description=_l("A published post with its text as cleaned HTML."))
@speaking
def news_post(slug: str) -> dict[str, Any]:
    found = services.public_post(slug)
    if found is None:
        raise NotFound()
    return services.post_detail(found, language())


@bp.route("/certificates/<code>", parameters=[LANGUAGE_PARAMETER])
@public
@bp.response(200, schemas.CertificateSchema)
@documented("NOT_FOUND")
@bp.doc(summary=_l("Verify a certificate"),
        description=_l("Whether a document with this code was issued and is still valid. Counts towards "
                       "the same limit as the verification page."))
@speaking
def certificate(code: str) -> dict[str, Any]:
    wait = verify_limit().reserve(request.remote_addr or "unknown")
    if wait:
        raise TooManyRequests(retry_after=wait)
    found = services.verified_certificate(code[:64], language())
    if found is None:
        raise Problem(404, _l("No document with this code was found."))
    return found


# Outside the description: unknown addresses and other methods answer with problems too -------

class AnyRestConverter(PathConverter):
    """The rest of an address, whatever it holds: the site's own converters match no control
    character, and an address that no rule matches would get the site's HTML error page."""

    regex = "(?s:.+)"
    part_isolating = False  # spans "/" (werkzeug would infer True: the pattern names no "/")


def unknown(rest: str) -> Response:
    if request.method in READ_METHODS:
        raise NotFound()
    # A path that GET serves: the method is what is wrong.
    try:
        endpoint, _arguments = current_app.url_map.bind_to_environ(request.environ).match(method="GET")
    except HTTPException:
        raise NotFound() from None
    if endpoint == "api.unknown":
        raise NotFound()
    raise MethodNotAllowed(valid_methods=["GET", "HEAD", "OPTIONS"])


def add_converter(app_converters: dict[str, type]) -> None:
    """Registered with the app: the converter must be known before the blueprint's rules are added."""
    app_converters["any_rest"] = AnyRestConverter


# Flask's own add_url_rule: flask-smorest's would document the rule as an operation.
FlaskBlueprint.add_url_rule(bp, "/<any_rest:rest>", "unknown", public(unknown),
                            methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
