"""Results pages: the organisers' live standings, agreement figures, advancement, publishing and
exports; the public results page and exports, served from the published snapshot."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3; stubs cover 3.2

from contest import downloads, i18n, pagecache
from contest.auth.models import Role
from contest.auth.permissions import public, roles_required, surely_anonymous
from contest.contests import services as contests
from contest.contests.models import Contest, ContestStatus, Round
from contest.contests.page_parts import PagePart
from contest.errors import ServiceError
from contest.extensions import db
from contest.forms import FORM_ERROR_STATUS, attach_error
from contest.i18n import localized
from contest.lookups import contest_or_404, or_404
from contest.results import adjusting, checks, exports, published, services
from contest.results.forms import AdjustmentForm, AdvanceForm, ExAequoForm, PublishForm, RemoveForm, UnpublishForm
from contest.results.models import AdjustmentKind, ResultSnapshot
from contest.results.ranking import RankingError

bp = Blueprint("results", __name__)
organiser = roles_required(Role.ORGANISER)

# Browsers and proxies may keep the page but must ask again each time (a cheap 304 while the
# ETag matches): a consent withdrawn after publishing then hides the name at once.
PUBLIC_CACHE_CONTROL = "public, no-cache"


# Organisers ----------------------------------------------------------------------------------

def results_box(sender: object, *, contest: Contest) -> PagePart | None:
    if contest.status not in (ContestStatus.JUDGING.value, ContestStatus.RESULTS_PUBLISHED.value,
                              ContestStatus.ARCHIVED.value):
        return None
    return PagePart("results/_manage_part.html", {"contest": contest})


def _requested_round(contest: Contest) -> Round:
    """The round named by ?round= (one of the contest's, else 404), by default the one whose
    standings are the results."""
    return or_404(services.round_of(contest, request.args.get("round", type=int)))


def _standings_page(contest: Contest, *, publish_form=None, unpublish_form=None, missing=None, status=200):
    round_ = _requested_round(contest)
    error = None
    try:
        standings = services.live_standings(contest, round_)
    except RankingError as refusal:
        standings, error = None, refusal.message
    snapshot = services.current_snapshot(contest.id)
    page = render_template(
        "results/standings.html", contest=contest, round=round_, standings=standings, error=error,
        snapshot=snapshot, publish_form=publish_form or PublishForm(), unpublish_form=unpublish_form or UnpublishForm(),
        advance_form=AdvanceForm(), missing=missing, advanced=services.advanced_ids(round_),
        warnings=checks.sheet_warnings(contest, standings) if standings else [],
        decided_by=lambda standing: services.decided_by_label(contest, standing), method_note=services.method_note)
    return page, status


@bp.get("/manage/contests/<int:contest_id>/results")
@organiser
def standings(contest_id: int):
    return _standings_page(contest_or_404(contest_id, *contests.SETUP_WITH_HISTORY))


@bp.get("/manage/contests/<int:contest_id>/results/agreement")
@organiser
def agreement(contest_id: int):
    contest = contest_or_404(contest_id, *contests.SETUP_WITH_HISTORY)
    round_ = _requested_round(contest)
    return render_template("results/agreement.html", contest=contest, round=round_,
                           categories=services.agreement(contest, round_))


@bp.post("/manage/contests/<int:contest_id>/results/advance")
@organiser
def advance(contest_id: int):
    contest = contest_or_404(contest_id, *contests.SETUP_WITH_HISTORY)
    round_ = _requested_round(contest)
    if not AdvanceForm().validate_on_submit():
        abort(400)
    try:
        count = services.mark_advancement(contest, round_, actor=current_user)
    except (ServiceError, RankingError) as error:
        flash(error.message, "danger")
        return redirect(url_for(".standings", contest_id=contest.id, round=round_.id))
    flash(_("%(count)d entries advance to the next round.", count=count), "success")
    return redirect(url_for(".standings", contest_id=contest.id, round=round_.id))


def _outside_page(contest: Contest, round_: Round, *, adjustment_form: AdjustmentForm | None = None,
                  ex_aequo_form: ExAequoForm | None = None, status: int = 200):
    """Penalties and bonuses outside the jury, and the jury's ex aequo decisions, of one round."""
    adjustment_form = adjustment_form or AdjustmentForm()
    ex_aequo_form = ex_aequo_form or ExAequoForm(prefix="decision")
    entries = adjusting.entries_of(contest)
    choose = SelectChoice("", _("Choose…"))
    adjustment_form.registration.choices = [choose, *(
        SelectChoice(entry.id, f"{entry.code} — {entry.participant.full_name}") for entry in entries)]
    adjustment_form.kind.choices = [SelectChoice(kind.value, kind.label) for kind in AdjustmentKind]
    ex_aequo_form.category.choices = [choose, *(
        SelectChoice(category.id, localized(category, "name")) for category in contest.categories)]
    ex_aequo_form.tier.choices = [choose, *(SelectChoice(tier.id, localized(tier, "name"))
                                            for tier in contest.award_tiers)]
    decisions = adjusting.decisions_of(round_)
    codes = {entry.id: entry.code for entry in entries}
    page = render_template(
        "results/outside.html", contest=contest, round=round_, adjustments=adjusting.adjustments_of(round_),
        decisions=decisions, codes=codes, adjustment_form=adjustment_form, ex_aequo_form=ex_aequo_form,
        remove_form=RemoveForm(), can_change=contest.status == ContestStatus.JUDGING.value,
        combined=adjusting.counts_in_combination(contest, round_))
    return page, status


@bp.get("/manage/contests/<int:contest_id>/results/outside")
@organiser
def outside(contest_id: int):
    contest = contest_or_404(contest_id, *contests.SETUP_WITH_HISTORY)
    return _outside_page(contest, _requested_round(contest))


@bp.post("/manage/contests/<int:contest_id>/results/adjustments")
@organiser
def add_adjustment(contest_id: int):
    contest = contest_or_404(contest_id, *contests.SETUP_WITH_HISTORY)
    round_ = _requested_round(contest)
    form = AdjustmentForm()
    if form.validate_on_submit():
        try:
            adjusting.add_adjustment(contest, round_, registration_id=form.registration.data, kind=form.kind.data,
                                     points=form.points.data, reason=form.reason.data, actor=current_user)
        except ServiceError as error:
            attach_error(form, error)
        else:
            flash(_("The points are recorded and counted in the standings."), "success")
            return redirect(url_for(".outside", contest_id=contest.id, round=round_.id))
    return _outside_page(contest, round_, adjustment_form=form, status=FORM_ERROR_STATUS)


@bp.post("/manage/contests/<int:contest_id>/results/adjustments/<int:adjustment_id>/remove")
@organiser
def remove_adjustment(contest_id: int, adjustment_id: int):
    return _remove_outside_item(contest_id, lambda contest: adjusting.remove_adjustment(
        contest, adjustment_id, actor=current_user), _("The points are removed."))


def _remove_outside_item(contest_id: int, remove, done: str):
    """One removal from the page of points outside the jury: checked form, then back to the page."""
    contest = contest_or_404(contest_id, *contests.SETUP_WITH_HISTORY)
    round_ = _requested_round(contest)
    if not RemoveForm().validate_on_submit():
        abort(400)
    try:
        remove(contest)
    except ServiceError as error:
        flash(error.message, "danger")
    else:
        flash(done, "success")
    return redirect(url_for(".outside", contest_id=contest.id, round=round_.id))


@bp.post("/manage/contests/<int:contest_id>/results/ex-aequo")
@organiser
def add_ex_aequo(contest_id: int):
    contest = contest_or_404(contest_id, *contests.SETUP_WITH_HISTORY)
    round_ = _requested_round(contest)
    form = ExAequoForm(prefix="decision")
    if form.validate_on_submit():
        try:
            adjusting.decide_ex_aequo(contest, round_, category_id=form.category.data, tier_id=form.tier.data,
                                      codes=form.codes.data, skip_next=form.next_tier.data != "award",
                                      reason=form.reason.data, actor=current_user)
        except ServiceError as error:
            attach_error(form, error)
        else:
            flash(_("The jury's decision is recorded."), "success")
            return redirect(url_for(".outside", contest_id=contest.id, round=round_.id))
    return _outside_page(contest, round_, ex_aequo_form=form, status=FORM_ERROR_STATUS)


@bp.post("/manage/contests/<int:contest_id>/results/ex-aequo/<int:decision_id>/remove")
@organiser
def remove_ex_aequo(contest_id: int, decision_id: int):
    return _remove_outside_item(contest_id, lambda contest: adjusting.remove_ex_aequo(
        contest, decision_id, actor=current_user), _("The jury's decision is removed."))


@bp.post("/manage/contests/<int:contest_id>/results/publish")
@organiser
def publish(contest_id: int):
    contest = contest_or_404(contest_id, *contests.SETUP_WITH_HISTORY)
    form = PublishForm()
    if form.validate_on_submit():
        try:
            services.publish_results(contest, actor=current_user, reason=form.reason.data or "")
        except services.MissingSheetsError as error:
            attach_error(form, error)
            return _standings_page(contest, publish_form=form, missing=error.missing, status=FORM_ERROR_STATUS)
        except ServiceError as error:
            attach_error(form, error)
        else:
            flash(_("The results are published."), "success")
            return redirect(url_for(".standings", contest_id=contest.id))
    return _standings_page(contest, publish_form=form, status=FORM_ERROR_STATUS)


@bp.post("/manage/contests/<int:contest_id>/results/unpublish")
@organiser
def unpublish(contest_id: int):
    contest = contest_or_404(contest_id, *contests.SETUP_WITH_HISTORY)
    form = UnpublishForm()
    if form.validate_on_submit():
        try:
            services.unpublish_results(contest, reason=form.reason.data or "", actor=current_user)
        except ServiceError as error:
            attach_error(form, error)
        else:
            flash(_("The results are withdrawn; the contest is back in judging."), "success")
            return redirect(url_for(".standings", contest_id=contest.id))
    return _standings_page(contest, unpublish_form=form, status=FORM_ERROR_STATUS)


@bp.get("/manage/contests/<int:contest_id>/results/export.<kind>")
@organiser
def export(contest_id: int, kind: str):
    if kind not in exports.KINDS:
        abort(404)
    contest = contest_or_404(contest_id, *contests.SETUP_WITH_HISTORY)
    snapshot = services.current_snapshot(contest.id)
    if snapshot is None:
        abort(404)
    return exports.download(contest, snapshot, kind, with_contacts=True)


@bp.get("/manage/contests/<int:contest_id>/results/protocol-<language>.pdf")
@organiser
def protocol(contest_id: int, language: str):
    if not i18n.is_supported(language):
        abort(404)
    contest = contest_or_404(contest_id, *contests.SETUP_WITH_HISTORY)
    snapshot = services.current_snapshot(contest.id)
    if snapshot is None:
        abort(404)
    from contest.results.protocol import protocol_pdf

    data = protocol_pdf(contest, snapshot, language)
    return downloads.file_response(data, "application/pdf", f"{contest.slug}-protocol-{language}.pdf")


# Public --------------------------------------------------------------------------------------

def published_results(sender: object, *, contest: Contest) -> PagePart | None:
    if contest.status not in (ContestStatus.RESULTS_PUBLISHED.value, ContestStatus.ARCHIVED.value):
        return None
    snapshot = services.current_snapshot(contest.id)
    if snapshot is None:
        return None
    return PagePart("results/_contest_part.html", {
        "contest": contest, "snapshot": snapshot, "winners": services.winners_by_category(snapshot),
        "public_name": services.public_name, "text_in": services.text_in})


def _published(slug: str) -> published.Published:
    """(contest id, snapshot id) of a contest with published results, else 404. At most one
    query, none while what is current has not changed (see contest/results/published.py)."""
    found = published.lookup(slug)
    if found is None:
        abort(404)
    return found


def _page_language() -> str:
    """`?lang=` when given (the page's language links), else the visitor's usual choice."""
    language = request.args.get("lang")
    if i18n.is_supported(language):
        return language
    return i18n.visitor_language() if surely_anonymous() else i18n.preferred_language()


@bp.get("/contests/<slug>/results")
@public
@pagecache.cached(arguments=("lang", "category", "criteria"), cache_control=PUBLIC_CACHE_CONTROL)
def public_results(slug: str):
    contest_id, snapshot_id = _published(slug)
    contest = contests.contest_with_setup(contest_id)
    snapshot = db.session.get(ResultSnapshot, snapshot_id)
    if contest is None or snapshot is None:  # deleted since the address was resolved
        abort(404)
    category = request.args.get("category", type=int)
    breakdown = request.args.get("criteria") == "1"
    categories = services.categories_as_consent_stands(snapshot)
    if category is not None:
        categories = [item for item in categories if item["id"] == category]
        if not categories:
            abort(404)
    language = _page_language()
    with force_locale(language):
        return render_template("results/public.html", contest=contest, snapshot=snapshot, data=snapshot.data,
                               categories=categories, category=category, breakdown=breakdown, language=language,
                               public_name=services.public_name, text_in=services.text_in,
                               combination_text=services.combination_text, total_label=services.total_label,
                               language_url=lambda code: url_for(".public_results", slug=contest.slug,
                                                                 category=category, lang=code,
                                                                 criteria="1" if breakdown else None))


@bp.get("/contests/<slug>/results.<kind>")
@public
def public_export(slug: str, kind: str):
    if kind not in exports.KINDS:
        abort(404)
    contest_id, snapshot_id = _published(slug)
    contest = contests.contest_with_setup(contest_id)
    snapshot = db.session.get(ResultSnapshot, snapshot_id)
    if contest is None or snapshot is None:  # deleted since the address was resolved
        abort(404)
    language = _page_language()
    return exports.download(contest, snapshot, kind, with_contacts=False, language=language)
