from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from contest.auth import services
from contest.auth.forms import (
    ChangePasswordForm,
    LoginForm,
    ProfileForm,
    ResetPasswordForm,
    ResetRequestForm,
    SignOutEverywhereForm,
    SignUpForm,
)
from contest.auth.permissions import public, signed_in
from contest.errors import ServiceError
from contest.forms import FORM_ERROR_STATUS, attach_error, form_status
from contest.i18n import current_language

bp = Blueprint("auth", __name__)


def safe_next(target: str | None) -> str:
    """Only same-site paths: an attacker's link must not bounce a user off to another site."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return url_for("site.home")


def start_session(user) -> None:
    # A fresh session on every sign-in: nothing from before (a planted cookie) survives, and
    # the new one gets its own server-side row (services.open_session) that signing out ends.
    session.clear()
    services.open_session(user)
    login_user(user)


def end_browser_session() -> None:
    logout_user()
    session.clear()


@bp.route("/signup", methods=["GET", "POST"])
@public
def signup():
    if current_user.is_authenticated:
        return redirect(url_for("site.home"))
    form = SignUpForm()
    if form.validate_on_submit():
        try:
            user = services.create_user(email=form.email.data or "", name=form.name.data or "",
                                        password=form.password.data or "", language=current_language())
        except ServiceError as error:
            attach_error(form, error)
        else:
            start_session(user)
            flash(_("Welcome! Your account has been created."), "success")
            return redirect(url_for("site.home"))
    return render_template("auth/signup.html", form=form), form_status(form)


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data or "", form.password.data or "",
                                         remote_addr=request.remote_addr or "unknown")
        except services.TooManyAttempts as error:
            form.form_errors.append(error.message)
            status = 429
        except ServiceError as error:
            attach_error(form, error)
        else:
            start_session(user)
            flash(_("You are signed in."), "success")
            return redirect(safe_next(request.args.get("next")))
    if form.is_submitted() and status == 200:
        status = FORM_ERROR_STATUS
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@signed_in
def logout():
    services.end_session(current_user.session_token)
    end_browser_session()
    flash(_("You are signed out."), "info")
    return redirect(url_for("site.home"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@public
def forgot_password():
    form = ResetRequestForm()
    if form.validate_on_submit():
        services.send_password_reset(form.email.data or "")
        flash(_("If an account with this address exists, we have emailed it a link to set a new password."),
              "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form), form_status(form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str):
    try:
        services.user_for_reset_token(token)
    except ServiceError as error:
        flash(str(error.message), "danger")
        return redirect(url_for("auth.forgot_password"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            user = services.reset_password(token, form.password.data or "")
        except ServiceError as error:
            attach_error(form, error)
        else:
            start_session(user)
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("site.home"))
    return render_template("auth/reset.html", form=form), form_status(form)


@bp.get("/account")
@signed_in
def account():
    profile = ProfileForm(obj=current_user, language=current_user.preferred_language or "")
    return render_template("auth/account.html", profile=profile, password_form=ChangePasswordForm())


@bp.post("/account/profile")
@signed_in
def update_profile():
    profile = ProfileForm()
    if profile.validate_on_submit():
        services.update_profile(current_user, name=profile.name.data or "", language=profile.language.data)
        flash(_("Your profile has been saved."), "success")
        return redirect(url_for("auth.account"))
    return render_template("auth/account.html", profile=profile,
                           password_form=ChangePasswordForm(formdata=None)), FORM_ERROR_STATUS


@bp.post("/account/password")
@signed_in
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, current_password=form.current_password.data or "",
                                     new_password=form.password.data or "")
        except ServiceError as error:
            attach_error(form, error)
        else:
            start_session(current_user._get_current_object())
            flash(_("Your password has been changed. Other devices have been signed out."), "success")
            return redirect(url_for("auth.account"))
    profile = ProfileForm(formdata=None, obj=current_user, language=current_user.preferred_language or "")
    return render_template("auth/account.html", profile=profile, password_form=form), FORM_ERROR_STATUS


@bp.route("/account/sign-out-everywhere", methods=["GET", "POST"])
@signed_in
def sign_out_everywhere():
    form = SignOutEverywhereForm()
    if form.validate_on_submit():
        services.sign_out_everywhere(current_user._get_current_object())
        end_browser_session()
        flash(_("You have been signed out on every device, this one included."), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/sign_out_everywhere.html", form=form), form_status(form)
