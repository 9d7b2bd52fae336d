"""Administrators manage accounts: find them, change their role, disable or enable them."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from contest.auth import services
from contest.auth.forms import RoleForm, UserFilterForm
from contest.auth.models import Role, User
from contest.auth.permissions import roles_required
from contest.errors import ServiceError
from contest.extensions import db

bp = Blueprint("users", __name__, url_prefix="/admin/users")
PER_PAGE = 50


@bp.get("/")
@roles_required(Role.ADMIN)
def index():
    filters = UserFilterForm(request.args)
    query = filters.q.data if filters.validate() else ""
    pagination = db.paginate(services.search_users(query or "", filters.role_value()),
                             page=max(request.args.get("page", 1, type=int), 1), per_page=PER_PAGE, error_out=False)
    return render_template("auth/users.html", filters=filters, pagination=pagination, role_form=RoleForm())


def _back() -> str:
    arguments: dict[str, Any] = {key: value for key, value in request.args.items() if key in ("q", "role")}
    return url_for("users.index", **arguments)


def _apply(action, message: str):
    try:
        action()
    except ServiceError as error:
        db.session.rollback()
        flash(str(error.message), "danger")
    else:
        flash(message, "success")
    return redirect(_back())


@bp.post("/<int:user_id>/role")
@roles_required(Role.ADMIN)
def change_role(user_id: int):
    user = db.get_or_404(User, user_id)
    form = RoleForm()
    if not form.validate_on_submit():
        flash(_("Choose one of the listed roles."), "danger")
        return redirect(_back())
    return _apply(lambda: services.set_role(user, Role(form.role.data), actor=current_user),
                  _("%(name)s is now: %(role)s.", name=user.name, role=Role(form.role.data).label))


@bp.post("/<int:user_id>/disable")
@roles_required(Role.ADMIN)
def disable(user_id: int):
    user = db.get_or_404(User, user_id)
    return _apply(lambda: services.disable_user(user, actor=current_user),
                  _("The account of %(name)s is disabled.", name=user.name))


@bp.post("/<int:user_id>/enable")
@roles_required(Role.ADMIN)
def enable(user_id: int):
    user = db.get_or_404(User, user_id)
    return _apply(lambda: services.enable_user(user, actor=current_user),
                  _("The account of %(name)s is enabled again.", name=user.name))
