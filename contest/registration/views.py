"""The participant account's pages: its participants, registering them for contests, entries,
the entry file download, and the account's own data (download, deletion)."""

from __future__ import annotations

import json

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from contest.auth.permissions import signed_in
from contest.auth.views import safe_next
from contest.contests.models import Contest
from contest.contests.page_parts import PagePart
from contest.contests.signals import answers
from contest.errors import ServiceError
from contest.forms import FORM_ERROR_STATUS, attach_error, form_status
from contest.registration import privacy, queries, services
from contest.registration.access import may_download_entry
from contest.registration.completeness import entry_completeness
from contest.registration.forms import (
    ChangeCategoryForm,
    ConfirmForm,
    DeleteAccountForm,
    EntryForm,
    ParticipantForm,
    RegisterForm,
)
from contest.registration.models import Participant, Registration
from contest.registration.signals import registration_page
from contest.registration.uploads import send_entry_file

bp = Blueprint("registration", __name__)
# Pages of every domain show how complete an entry is (the organisers' table, the dashboard).
bp.add_app_template_global(entry_completeness, "entry_completeness")

# Rules about the person (age, grade, consent) go beside the participant choice.
PARTICIPANT_RULE_FIELDS = {"participant", "birth_date", "grade", "consent", "guardian_name", "guardian_phone"}


def _my_participant(participant_id: int) -> Participant:
    participant = queries.participant_of(current_user, participant_id)
    if participant is None:
        abort(404)  # someone else's participant does not exist for this account
    return participant


def _my_registration(registration_id: int) -> Registration:
    registration = queries.registration_of(current_user, registration_id)
    if registration is None:
        abort(404)
    return registration


# The contest page's registration box ---------------------------------------------------------

def register_button(sender: object, *, contest: Contest) -> PagePart | None:
    """Signed-in accounts get a button (and see whom they have registered already); visitors
    get the contest page's own sign-up and sign-in prompt."""
    if not current_user.is_authenticated:
        return None
    return PagePart("registration/_contest_register.html",
                    {"contest": contest, "mine": queries.account_registrations_in(current_user, contest)})


# Dashboard and participants ------------------------------------------------------------------

@bp.get("/my")
@signed_in
def dashboard():
    return render_template("registration/dashboard.html",
                           participants=queries.account_participants(current_user),
                           is_editable=services.entry_is_editable)


def _guardian_shown(form: ParticipantForm) -> bool:
    """Without JavaScript the server decides: the guardian block shows unless the date of
    birth says the participant is an adult."""
    return form.birth_date.data is None or services.needs_guardian(form.birth_date.data)


def _participant_page(form: ParticipantForm, participant: Participant | None):
    return render_template("registration/participant_form.html", form=form, participant=participant,
                           consent_text=services.consent_text(), show_guardian=_guardian_shown(form),
                           next_url=request.args.get("next", "")), form_status(form)


@bp.route("/my/participants/new", methods=["GET", "POST"])
@signed_in
def new_participant():
    form = ParticipantForm()
    if form.validate_on_submit():
        try:
            participant = services.create_participant(current_user, form.to_data(), consent=form.consent.data,
                                                      actor=current_user)
        except ServiceError as error:
            attach_error(form, error)
        else:
            flash(_("%(name)s has been added.", name=participant.full_name), "success")
            next_url = request.args.get("next")
            if next_url:
                return redirect(safe_next(next_url))
            return redirect(url_for(".dashboard"))
    return _participant_page(form, None)


@bp.route("/my/participants/<int:participant_id>/edit", methods=["GET", "POST"])
@signed_in
def edit_participant(participant_id: int):
    participant = _my_participant(participant_id)
    form = ParticipantForm()
    if form.validate_on_submit():
        try:
            services.update_participant(participant, form.to_data(), consent=form.consent.data,
                                        actor=current_user)
        except ServiceError as error:
            attach_error(form, error)
        else:
            flash(_("The details of %(name)s have been saved.", name=participant.full_name), "success")
            return redirect(url_for(".dashboard"))
    elif not form.is_submitted():
        form.load(participant)
    return _participant_page(form, participant)


def _confirm_page(*, heading: str, text: str, button: str, cancel_url: str, form: ConfirmForm,
                  danger: bool = True, status: int = 200):
    return render_template("registration/confirm.html", heading=heading, text=text, button=button,
                           cancel_url=cancel_url, form=form, danger=danger), status


@bp.route("/my/participants/<int:participant_id>/delete", methods=["GET", "POST"])
@signed_in
def delete_participant(participant_id: int):
    participant = _my_participant(participant_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        name = participant.full_name
        try:
            services.delete_participant(participant, actor=current_user)
        except ServiceError as error:
            attach_error(form, error)
        else:
            flash(_("%(name)s has been removed.", name=name), "success")
            return redirect(url_for(".dashboard"))
    return _confirm_page(
        heading=_("Remove %(name)s?", name=participant.full_name),
        text=_("The participant's details are deleted. A participant who has registered for a contest "
               "cannot be removed: withdraw the registrations, or ask for your data to be deleted."),
        button=_("Remove the participant"), cancel_url=url_for(".dashboard"), form=form, status=form_status(form))


@bp.route("/my/participants/<int:participant_id>/withdraw-consent", methods=["GET", "POST"])
@signed_in
def withdraw_consent(participant_id: int):
    participant = _my_participant(participant_id)
    if not participant.has_consent:
        flash(_("There is no consent to withdraw for %(name)s.", name=participant.full_name), "info")
        return redirect(url_for(".dashboard"))
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            services.withdraw_consent(participant, actor=current_user)
        except ServiceError as error:
            attach_error(form, error)
        else:
            flash(_("Consent withdrawn: the name of %(name)s no longer appears on public pages.",
                    name=participant.full_name), "success")
            return redirect(url_for(".dashboard"))
    return _confirm_page(
        heading=_("Withdraw the consent for %(name)s?", name=participant.full_name),
        text=_("The name disappears from public pages (results, lists) at once. A minor without "
               "consent cannot be registered for new contests until the consent is given again."),
        button=_("Withdraw the consent"), cancel_url=url_for(".dashboard"), form=form, status=form_status(form))


# Registering for a contest -------------------------------------------------------------------

@bp.route("/my/register/<int:contest_id>", methods=["GET", "POST"])
@signed_in
def register(contest_id: int):
    contest = queries.visible_contest(contest_id)
    if contest is None:
        abort(404)
    participants = queries.account_participants(current_user)
    form = RegisterForm(participants, contest.categories)
    chosen = request.args.get("participant", type=int)
    if not form.is_submitted() and chosen:
        form.participant_id.data = chosen
    if participants and form.validate_on_submit():
        participant = next(p for p in participants if p.id == form.participant_id.data)
        category = next(c for c in contest.categories if c.id == form.category_id.data)
        try:
            registration = services.register(participant, contest, category, actor=current_user)
        except ServiceError as error:
            if error.field in PARTICIPANT_RULE_FIELDS:
                error.field = "participant_id"
            elif error.field == "category":
                error.field = "category_id"
            attach_error(form, error)
        else:
            flash(_("%(name)s is registered. The registration code is %(code)s.",
                    name=participant.full_name, code=registration.code), "success")
            return redirect(url_for(".registration", registration_id=registration.id))
    return render_template("registration/register.html", form=form, contest=contest, participants=participants,
                           is_open=services.registration_is_open(contest)), form_status(form)


# A registration and its entry ----------------------------------------------------------------

@bp.route("/my/registrations/<int:registration_id>", methods=["GET", "POST"])
@signed_in
def registration(registration_id: int):
    registration = _my_registration(registration_id)
    contest, entry = registration.contest, registration.entry
    max_file_bytes = current_app.config["ENTRY_FILE_MAX_BYTES"]
    if request.method == "POST":
        form = EntryForm(contest.works_required, max_file_bytes)
    else:
        form = EntryForm(contest.works_required, max_file_bytes, data=EntryForm.data_of(entry))
    if form.validate_on_submit():
        try:
            services.save_entry(registration, works=form.work_inputs(max_file_bytes),
                                video_url=form.video_url.data or "", actor=current_user)
        except ServiceError as error:
            form.attach(error)
        else:
            flash(_("The entry has been saved."), "success")
            return redirect(url_for(".registration", registration_id=registration.id))
    return _registration_page(registration, form, ChangeCategoryForm(registration.contest.categories,
                                                                      category_id=registration.category_id),
                              form_status(form))


def _registration_page(registration: Registration, form: EntryForm, category_form: ChangeCategoryForm,
                       status: int):
    contest, entry = registration.contest, registration.entry
    if form.has_errors and form.has_uploads():
        # A browser never fills a file input in again: say so, rather than let it look saved.
        form.form_errors.append(_("The files you chose have not been saved: choose them again before saving."))
    return render_template("registration/registration.html", registration=registration, entry=entry,
                           form=form, category_form=category_form, editable=services.entry_is_editable(registration),
                           contest=contest, completeness=entry_completeness(contest, entry),
                           parts={"page": answers(registration_page, registration=registration)}), status


@bp.post("/my/registrations/<int:registration_id>/category")
@signed_in
def change_category(registration_id: int):
    registration = _my_registration(registration_id)
    categories = registration.contest.categories
    form = ChangeCategoryForm(categories)
    if form.validate_on_submit():
        category = next(c for c in categories if c.id == form.category_id.data)
        try:
            services.change_category(registration, category, actor=current_user)
        except ServiceError as error:
            error.field = "category_id" if error.field == "category" else error.field
            attach_error(form, error)
        else:
            flash(_("The category has been changed."), "success")
            return redirect(url_for(".registration", registration_id=registration.id))
    entry_form = EntryForm(registration.contest.works_required, current_app.config["ENTRY_FILE_MAX_BYTES"],
                           formdata=None, data=EntryForm.data_of(registration.entry))
    return _registration_page(registration, entry_form, form, FORM_ERROR_STATUS)


@bp.route("/my/registrations/<int:registration_id>/withdraw", methods=["GET", "POST"])
@signed_in
def withdraw(registration_id: int):
    registration = _my_registration(registration_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            services.withdraw_registration(registration, actor=current_user)
        except ServiceError as error:
            attach_error(form, error)
        else:
            flash(_("The registration %(code)s has been withdrawn.", code=registration.code), "success")
            return redirect(url_for(".dashboard"))
    return _confirm_page(
        heading=_("Withdraw the registration %(code)s?", code=registration.code),
        text=_("%(name)s will no longer take part in this contest. The place goes to someone else; "
               "registering again is possible only while registration is open.",
               name=registration.participant.full_name),
        button=_("Withdraw the registration"),
        cancel_url=url_for(".registration", registration_id=registration.id), form=form, status=form_status(form))


@bp.get("/entries/<int:registration_id>/works/<int:position>/file")
@signed_in
def entry_file(registration_id: int, position: int):
    """A work's file, to the entry's owner and organisers (jurors download from their own
    pages): 404 for anyone else, so that nobody learns which registrations exist."""
    registration = queries.registration_with_entry(registration_id)
    if registration is None or not may_download_entry(current_user, registration):
        abort(404)
    work = registration.entry.work_at(position) if registration.entry is not None else None
    return send_entry_file(work)


# The account's own data ----------------------------------------------------------------------

@bp.get("/account/privacy")
@signed_in
def privacy_page():
    return render_template("registration/privacy.html", form=DeleteAccountForm(),
                           may_delete=privacy.may_delete_itself(current_user))


@bp.get("/account/privacy/my-data.json")
@signed_in
def export_data():
    data = privacy.account_data(current_user, actor=current_user)
    response = Response(json.dumps(data, ensure_ascii=False, indent=2, default=str),
                        mimetype="application/json")
    response.headers["Content-Disposition"] = 'attachment; filename="my-data.json"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/account/privacy/delete")
@signed_in
def delete_account():
    form = DeleteAccountForm()
    if form.validate_on_submit():
        try:
            privacy.delete_account(current_user._get_current_object(), password=form.password.data or "",
                                   actor=current_user._get_current_object())
        except ServiceError as error:
            attach_error(form, error)
        else:
            logout_user()
            session.clear()
            flash(_("Your account has been deleted and your participants' details removed. Goodbye."), "info")
            return redirect(url_for("site.home"))
    return render_template("registration/privacy.html", form=form,
                           may_delete=privacy.may_delete_itself(current_user)), FORM_ERROR_STATUS
