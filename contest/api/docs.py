"""The description for programs (/api/v1/openapi.json) and for people (/api/v1/docs), both
from the generated document, in kk, ru or en."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Response, jsonify, render_template, request, url_for
from flask_babel import force_locale

from contest import i18n, pagecache
from contest.api import problems, spec
from contest.api.views import bp, language
from contest.auth.permissions import public

METHODS = ("get",)


@public
@pagecache.cached(arguments=("lang",))
def openapi_json() -> Response:
    return jsonify(spec.document(language()))


@public
@pagecache.cached(arguments=("lang",))
def docs() -> str:
    """In the language of `?lang=` when given (as the description), else the site's usual choice."""
    chosen = language() if request.args.get("lang") else i18n.current_language()
    with force_locale(chosen):
        document = spec.document(chosen)
        return render_template("api/docs.html", document=document, operations=operations(document),
                               schemas=document.get("components", {}).get("schemas", {}),
                               problem_kinds=problems.KINDS,
                               json_url=url_for("api.openapi_json", lang=chosen, _external=True))


def operations(document: dict[str, Any]) -> list[dict[str, Any]]:
    """Each operation with its path, in the document's order, and an example address for curl."""
    found = []
    for path, item in document.get("paths", {}).items():
        for method in METHODS:
            if method in item:
                anchor = re.sub(r"[^a-z0-9]+", "-", f"{method}{path}".lower()).strip("-")
                found.append({"path": path, "method": method.upper(), "id": anchor,
                              **item[method]})
    return found


# Flask's own add_url_rule, not flask-smorest's: they stay out of the description they serve.
# Added once, when this module is first imported (before any app registers the blueprint).
Blueprint.add_url_rule(bp, "/openapi.json", "openapi_json", openapi_json, methods=["GET"])
Blueprint.add_url_rule(bp, "/docs", "docs", docs, methods=["GET"])
