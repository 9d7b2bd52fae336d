"""Wiring of the application: extensions, blueprints, per-request hooks and error pages."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask, Response, jsonify, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from contest.extensions import babel, bootstrap, csrf, db, login_manager, migrate
from contest.forms import wants_json

# Endpoints served straight from disk; everything else must declare who may see it.
STATIC_ENDPOINTS = {"static", "bootstrap.static"}

# Pages another site may show in a frame: the widget (contest/sharing). Only they get the
# frame-ancestors of EMBED_ORIGINS and no X-Frame-Options (which cannot name origins).
FRAMEABLE_ENDPOINTS = {"sharing.widget"}
# An origin as CSP writes it: scheme, host (optionally "*." for its subdomains), optional port.
ORIGIN = re.compile(r"https?://(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:[0-9]{1,5})?")


def content_security_policy(frame_ancestors: str = "'none'") -> str:
    return "; ".join([
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        f"frame-ancestors {frame_ancestors}",
    ])


CONTENT_SECURITY_POLICY = content_security_policy()
OTHER_HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
)


def _lowered(headers: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str, str], ...]:
    return tuple((name.lower(), name, value) for name, value in headers)


SECURITY_HEADERS = _lowered((("Content-Security-Policy", CONTENT_SECURITY_POLICY), ("X-Frame-Options", "DENY"),
                             *OTHER_HEADERS))


def embed_origins(value: str) -> list[str]:
    """EMBED_ORIGINS ("https://kitaphana.kz https://www.kitaphana.kz", commas allowed) as a list;
    refuses to start with anything that is not a plain origin, since the value goes into a header."""
    origins = [item.rstrip("/").lower() for item in re.split(r"[\s,]+", value) if item]
    for origin in origins:
        if not ORIGIN.fullmatch(origin):
            raise RuntimeError(f"EMBED_ORIGINS: {origin!r} is not an origin such as https://www.example.kz")
    return origins


def embed_headers(origins: list[str]) -> tuple[tuple[str, str, str], ...]:
    """The widget's headers: this site itself (the organisers' preview) and the configured origins."""
    policy = content_security_policy(" ".join(["'self'", *origins]))
    return _lowered((("Content-Security-Policy", policy), *OTHER_HEADERS))


def init_extensions(app: Flask) -> None:
    import contest.models  # noqa: F401  (registers every table on the metadata)
    from contest import files, i18n, ratelimit
    from contest.auth.services import load_session_user
    from contest.sqlite import configure_sqlite

    files.init_app(app)
    db.init_app(app)
    with app.app_context():
        configure_sqlite(db.engine)
    migrate.init_app(app, db, directory=str(app.root_path + "/../migrations"))
    csrf.init_app(app)
    bootstrap.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to open this page.")
    login_manager.login_message_category = "info"
    login_manager.user_loader(load_session_user)
    ratelimit.init_app(app)


def register_blueprints(app: Flask) -> None:
    from contest.auth.admin_views import bp as users_bp
    from contest.auth.views import bp as auth_bp
    from contest.certificates.views import bp as certificates_bp
    from contest.contests.views import bp as contests_bp
    from contest.judging.manage_views import bp as judging_manage_bp
    from contest.judging.views import bp as judging_bp
    from contest.mail.views import bp as mail_bp
    from contest.news.views import bp as news_bp
    from contest.registration.manage_views import bp as registration_manage_bp
    from contest.registration.views import bp as registration_bp
    from contest.results.views import bp as results_bp
    from contest.sharing.views import bp as sharing_bp
    from contest.site.views import bp as site_bp
    from contest.stage.jury_views import bp as stage_jury_bp
    from contest.stage.views import bp as stage_bp

    app.register_blueprint(site_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(contests_bp)
    app.register_blueprint(users_bp)
    app.register_blueprint(news_bp)
    app.register_blueprint(registration_manage_bp)
    app.register_blueprint(registration_bp)
    app.register_blueprint(certificates_bp)
    app.register_blueprint(results_bp)
    app.register_blueprint(mail_bp)
    app.register_blueprint(judging_bp)
    app.register_blueprint(judging_manage_bp)
    app.register_blueprint(stage_bp)
    app.register_blueprint(sharing_bp)
    app.register_blueprint(stage_jury_bp)


def register_request_hooks(app: Flask) -> None:
    from contest.auth.permissions import enforce_access_rule

    app.before_request(enforce_access_rule)
    frameable_headers = embed_headers(embed_origins(app.config.get("EMBED_ORIGINS", "")))

    @app.after_request
    def finish_unit_of_work(response: Response) -> Response:
        # One unit of work per request: services only flush; a successful response commits
        # everything at once, and an error response (including a form sent back with errors)
        # leaves the database exactly as it was. A request that never touched the database
        # (a cached page) has nothing to end: the check skips creating a session to find out.
        if not db.session.registry.has() or not db.session().in_transaction():
            return response
        if response.status_code >= 400:
            db.session.rollback()
            return response
        try:
            db.session.commit()
        except IntegrityError as error:
            # A constraint the services did not foresee refused the commit: nothing was saved.
            # (This hook runs after the one that adds the security headers, so it adds them.)
            return security_headers(app.make_response(refused_by_database(app, error)))
        return response

    @app.after_request
    def security_headers(response: Response) -> Response:
        headers = response.headers
        # Each header only where the view did not set its own. One pass over what is there,
        # rather than a search per header: this runs on every response, cached pages included.
        present = {name.lower() for name, _ in headers}
        wanted = frameable_headers if request.endpoint in FRAMEABLE_ENDPOINTS else SECURITY_HEADERS
        headers.extend([(name, value) for key, name, value in wanted if key not in present])
        if app.config.get("SESSION_COOKIE_SECURE") and "strict-transport-security" not in present:
            headers.add("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if "cache-control" not in present and request.endpoint not in STATIC_ENDPOINTS:
            # Pages may carry personal data or CSRF tokens: never let a shared cache keep them
            # unless a public view has said otherwise.
            headers["Cache-Control"] = "no-store"
        headers.add("Vary", "Cookie")
        return response


ERROR_TEXTS = {
    400: (_l("Bad request"), _l("The request could not be understood. Please go back and try again.")),
    403: (_l("Access denied"), _l("You do not have permission to open this page.")),
    404: (_l("Page not found"), _l("There is no page at this address. It may have been moved or removed.")),
    405: (_l("Action not allowed"), _l("This address does not accept that kind of request.")),
    409: (_l("Not saved"), _l("The change conflicts with what is stored (perhaps someone changed it a moment ago, "
                              "or other records depend on it). Nothing was saved. Reload the page and check it.")),
    413: (_l("File too large"), _l("What you sent is larger than the site accepts. Please send a smaller file.")),
    429: (_l("Too many requests"), _l("You have made too many attempts. Please wait a little and try again.")),
    500: (_l("Something went wrong"),
          _l("An unexpected error happened on our side. It has been logged; please try again later.")),
}


def render_error(code: int, detail: str | None = None) -> tuple[str, int]:
    title, text = ERROR_TEXTS.get(code, ERROR_TEXTS[500])
    return render_template("errors/error.html", code=code, title=title, text=detail or text), code


def refused_by_database(app: Flask, error: IntegrityError) -> tuple[str, int]:
    """The safety net under the services' rules: the database refused a write (a unique or
    foreign key constraint, two requests racing). Rolled back and logged; the user gets a 409
    page in their language, never a 500."""
    db.session.rollback()
    app.logger.warning("Refused by a database constraint on %s %s: %s", request.method, request.path,
                       error.orig, exc_info=error)
    return render_error(409)


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(IntegrityError)
    def integrity_error(error: IntegrityError):
        return refused_by_database(app, error)

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        db.session.rollback()
        message = str(_l("The form has expired or was sent from another site. Please reload the page and try again."))
        if wants_json():
            return jsonify(status="refused", reason="csrf", message=message, errors=[]), 400
        return render_error(400, message)

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(error: RequestEntityTooLarge):
        # Reading the form is what failed, so nothing typed can be shown again: the page says
        # so and leads back to the form (forms here post to their own address).
        db.session.rollback()
        return render_template("errors/too_large.html", back_url=request.path,
                               max_bytes=app.config["MAX_CONTENT_LENGTH"],
                               file_max_bytes=app.config["ENTRY_FILE_MAX_BYTES"]), 413

    # Unhandled exceptions reach this handler as InternalServerError after Flask has logged
    # the traceback (tests set PROPAGATE_EXCEPTIONS, so there they surface instead).
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        db.session.rollback()
        code = error.code or 500
        code = code if code in ERROR_TEXTS else 400
        detail = getattr(error, "user_message", None)
        if wants_json():  # a page's script asked: it shows the message (see static/js/sheet-offline.js)
            return jsonify(status="refused", reason="http", message=str(detail or ERROR_TEXTS[code][1]),
                           errors=[]), code
        return render_error(code, detail)


def register_template_helpers(app: Flask) -> None:
    from contest import i18n
    from contest.auth.permissions import has_role

    app.jinja_env.globals.update(
        languages=i18n.LANGUAGE_NAMES,
        current_language=i18n.current_language,
        has_role=has_role,
        page_url=page_url,
        in_section=in_section,
    )
    from contest.markup import plain_text, render_markdown

    app.jinja_env.filters.update(
        prose_datetime=i18n.format_prose_datetime,
        prose_date=i18n.format_prose_date,
        table_datetime=i18n.format_table_datetime,
        table_date=i18n.format_table_date,
        score=i18n.format_score,
        fixed=i18n.format_fixed,
        weight=i18n.format_weight,
        file_size=i18n.format_file_size,
        localized=i18n.localized,
        markdown=render_markdown,
        plain_text=plain_text,
        tenge=i18n.format_amount,
    )


def in_section(prefixes: list[str]) -> bool:
    """Whether the current page lies under one of these paths: the navigation marks its section."""
    path = request.path
    return any(path == prefix or path.startswith(prefix.rstrip("/") + "/") for prefix in prefixes)


def page_url(page: int) -> str:
    """The current page's address with `page` replaced, for pagination links."""
    arguments: dict[str, Any] = {**request.args.to_dict(), "page": page}
    return url_for(request.endpoint or "", **(request.view_args or {}), **arguments)
