"""Forming a contest's jury: existing juror accounts or invitations by email, the chair,
honorary members, category restrictions."""

from __future__ import annotations

import secrets
from typing import Any

from flask import current_app, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select, update

from contest import i18n
from contest.audit.services import record
from contest.auth.models import Role, User
from contest.auth.services import find_user_by_email, make_reset_token, normalise_email
from contest.contests.models import Category, Contest
from contest.errors import ServiceError
from contest.extensions import db
from contest.i18n import localized
from contest.judging.assignment import check_jury_editable
from contest.judging.models import JuryMember, ScoreSheet, jury_member_category
from contest.mail.outbox import send_mail_after_commit

NAME_LIMIT = 200


def membership(contest: Contest, user: Any) -> JuryMember | None:
    """The user's seat on this contest's jury, if any (views: 404 when None)."""
    if getattr(user, "id", None) is None:
        return None
    return db.session.scalar(select(JuryMember).where(
        JuryMember.contest_id == contest.id, JuryMember.user_id == user.id))


def memberships_of(user: Any) -> list[JuryMember]:
    """Every jury the user sits on (a juror's start page)."""
    return list(db.session.scalars(select(JuryMember).where(JuryMember.user_id == user.id)
                                   .order_by(JuryMember.id.desc())))


def add_juror(contest: Contest, user: User, *, is_chair: bool = False, is_honorary: bool = False,
              categories: list[Category] | None = None, actor: User | None) -> JuryMember:
    check_jury_editable(contest)
    if user.role != Role.JUROR.value:
        raise ServiceError(_l("Only a juror account can sit on a jury; an administrator can change "
                              "the account's role first."), "email")
    if membership(contest, user) is not None:
        raise ServiceError(_l("%(name)s is already on this jury.", name=user.name), "email")
    member = JuryMember(contest_id=contest.id, user=user, is_honorary=is_honorary)
    db.session.add(member)
    db.session.flush()
    if categories:
        set_member_categories(member, categories, actor=actor, quiet=True)
    if is_chair:
        set_chair(member, actor=actor, quiet=True)
    record("jury.add", member, actor=actor, contest_id=contest.id, user_id=user.id, juror=user.name,
           is_chair=member.is_chair, is_honorary=is_honorary)
    return member


def invite_juror(contest: Contest, *, email: str, name: str, language: str | None = None,
                 is_chair: bool = False, is_honorary: bool = False, actor: User | None) -> JuryMember:
    """Add the juror account with this address, or create one (with no usable password) and
    email a link to choose a password: the same signed, single-use link as a password reset."""
    check_jury_editable(contest)  # before an account is created for the invitation
    email = normalise_email(email or "")
    name = (name or "").strip()
    if "@" not in email or len(email) > 254:
        raise ServiceError(_l("Enter a valid email address, for example name@example.kz."), "email")
    user = find_user_by_email(email)
    if user is None:
        if not name or len(name) > NAME_LIMIT:
            raise ServiceError(_l("Give the juror's full name (at most %(count)s characters).", count=NAME_LIMIT),
                               "name")
        if language is not None and not i18n.is_supported(language):
            raise ServiceError(_l("Unknown language."), "language")
        user = _create_juror_account(email, name, language, actor)
    member = add_juror(contest, user, is_chair=is_chair, is_honorary=is_honorary, actor=actor)
    _send_invitation(member)
    return member


def _create_juror_account(email: str, name: str, language: str | None, actor: User | None) -> User:
    # "!" never starts an Argon2 hash, so no password matches until the juror sets one.
    user = User(email=email, name=name, role=Role.JUROR.value, preferred_language=language,
                password_hash=f"!invited-{secrets.token_hex(16)}")
    db.session.add(user)
    db.session.flush()
    record("user.created", user, actor=actor, role=user.role, invited=True)
    return user


def _send_invitation(member: JuryMember) -> None:
    user = member.user
    invited = user.password_hash.startswith("!")
    link = (url_for("auth.reset_password", token=make_reset_token(user), _external=True) if invited
            else url_for("auth.login", _external=True))
    with force_locale(user.preferred_language or i18n.current_language()):
        subject = _("You are invited to the jury: %(contest)s", contest=localized(member.contest, "title"))
        body = render_template("judging/email/invitation.txt", user=user, contest=member.contest, link=link,
                               invited=invited, minutes=current_app.config["PASSWORD_RESET_MAX_AGE"] // 60)
    send_mail_after_commit(user.email, subject, body)


def set_chair(member: JuryMember, *, actor: User | None, quiet: bool = False) -> None:
    """Make this member the chair; the previous chair becomes an ordinary member."""
    check_jury_editable(member.contest)
    db.session.execute(update(JuryMember).where(
        JuryMember.contest_id == member.contest_id, JuryMember.id != member.id, JuryMember.is_chair.is_(True))
        .values(is_chair=False).execution_options(synchronize_session="fetch"))
    db.session.flush()
    member.is_chair = True
    db.session.flush()
    if not quiet:
        record("jury.chair", member, actor=actor, contest_id=member.contest_id, juror=member.user.name)


def set_honorary(member: JuryMember, is_honorary: bool, *, actor: User | None) -> None:
    check_jury_editable(member.contest)
    old, member.is_honorary = member.is_honorary, bool(is_honorary)
    db.session.flush()
    record("jury.honorary", member, actor=actor, contest_id=member.contest_id, old=old, new=member.is_honorary)


def set_member_categories(member: JuryMember, categories: list[Category], *, actor: User | None,
                          quiet: bool = False) -> None:
    """Restrict the member to these categories; an empty list lifts the restriction."""
    check_jury_editable(member.contest)
    if any(category.contest_id != member.contest_id for category in categories):
        raise ServiceError(_l("Choose among this contest's categories."), "categories")
    old = [category.id for category in member.categories]
    member.categories = list(dict.fromkeys(categories))
    db.session.flush()
    if not quiet:
        record("jury.categories", member, actor=actor, contest_id=member.contest_id, old=old,
               new=[category.id for category in member.categories])


def remove_juror(member: JuryMember, *, actor: User | None) -> None:
    """Only a member without score sheets may leave: scores are never thrown away."""
    check_jury_editable(member.contest)
    if db.session.scalar(select(exists().where(ScoreSheet.member_id == member.id))):
        raise ServiceError(_l("%(name)s has already scored entries, so they stay on the jury. Mark them "
                              "honorary if their scores should not count.", name=member.user.name))
    record("jury.remove", member, actor=actor, contest_id=member.contest_id, user_id=member.user_id,
           juror=member.user.name)
    db.session.delete(member)
    db.session.flush()


def no_juror_restricted_to(sender: object, *, part: object) -> None:
    """Deleting the only category a juror is restricted to would silently lift the restriction
    (none means all), so the organiser changes the jurors' categories first."""
    if not isinstance(part, Category):
        return
    category = part
    names = db.session.scalars(
        select(User.name).join(JuryMember, JuryMember.user_id == User.id)
        .join(jury_member_category, jury_member_category.c.member_id == JuryMember.id)
        .where(jury_member_category.c.category_id == category.id).order_by(User.name)).all()
    if names:
        raise ServiceError(_l("Jurors score only this category: %(names)s. Change their categories on the jury "
                              "page first.", names=", ".join(names)))
