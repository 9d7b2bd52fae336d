"""Who may open which page. Deny by default: every view states its rule with one of the
decorators below, and a view without one answers 403 (a test lists any such endpoint)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import abort, current_app, request, session
from flask_login import current_user

from contest.auth.models import Role
from contest.extensions import login_manager

F = TypeVar("F", bound=Callable)

PUBLIC = "public"
SIGNED_IN = "signed-in"


def public(view: F) -> F:
    """Anyone, signed in or not."""
    view.access_rule = PUBLIC  # type: ignore[attr-defined]
    return view


def signed_in(view: F) -> F:
    """Any active account, whatever its role."""
    view.access_rule = SIGNED_IN  # type: ignore[attr-defined]
    return view


def roles_required(*roles: Role) -> Callable[[F], F]:
    """Accounts with one of `roles`; an administrator passes every role check."""

    def decorate(view: F) -> F:
        view.access_rule = frozenset(roles)  # type: ignore[attr-defined]
        return view

    return decorate


def has_role(*roles: Role) -> bool:
    return bool(current_user.is_authenticated and current_user.has_role(*roles))


def surely_anonymous() -> bool:
    """True when the session names no user: nobody is signed in. Known without Flask-Login's user
    loading (which hashes the client's address and agent on each request). Signing in puts the
    user in the session and never issues a remember-me cookie (auth/views.py calls `login_user`
    without `remember`), so the session alone decides."""
    return "_user_id" not in session


def enforce_access_rule():
    if request.endpoint is None or request.endpoint in ("static", "bootstrap.static"):
        return None
    view = current_app.view_functions.get(request.endpoint)
    rule = getattr(view, "access_rule", None)
    if rule is None:
        current_app.logger.error("Endpoint %s declares no access rule; denied", request.endpoint)
        abort(403)
    if rule == PUBLIC:
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if rule == SIGNED_IN or current_user.has_role(*rule):
        return None
    abort(403)
