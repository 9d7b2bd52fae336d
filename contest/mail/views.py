"""The organisers' list of messages that could not be delivered, with "send again".

Only staff (organisers, administrators) see it: the addresses may be those of minors'
accounts. The text of a message is never shown (it may hold a password-reset link).
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from contest.auth.models import Role
from contest.auth.permissions import roles_required
from contest.extensions import db
from contest.mail import outbox

bp = Blueprint("mail", __name__, url_prefix="/manage/mail")
PER_PAGE = 50


@bp.get("/")
@roles_required(Role.ORGANISER)
def undelivered():
    pagination = db.paginate(outbox.undelivered_mail(), page=max(request.args.get("page", 1, type=int), 1),
                             per_page=PER_PAGE, error_out=False)
    return render_template("mail/undelivered.html", pagination=pagination)


@bp.post("/retry")
@roles_required(Role.ORGANISER)
def retry():
    """One message (`mail_id`) or, without it, every message on the list."""
    raw_id = request.form.get("mail_id")
    if raw_id is not None and not raw_id.isdigit():
        flash(_("This message is not on the list."), "danger")
        return redirect(url_for("mail.undelivered"))
    count = outbox.retry_mail([int(raw_id)] if raw_id is not None else None, actor=current_user)
    if count:
        flash(ngettext("%(num)d message is being sent again.", "%(num)d messages are being sent again.", count),
              "success")
    else:
        flash(_("Nothing to send again: the message has been delivered or is no longer on the list."), "info")
    return redirect(url_for("mail.undelivered"))
