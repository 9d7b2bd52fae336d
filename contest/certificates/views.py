"""Certificate pages: the organisers' settings, issuing and revoking; a participant's downloads;
the public verification of a code."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from contest import downloads, files, i18n
from contest.auth.models import Role
from contest.auth.permissions import public, roles_required, signed_in
from contest.certificates import jobs, services
from contest.certificates.forms import IssueForm, ResumeForm, RevokeForm, SettingsForm, VerifyForm
from contest.certificates.models import Certificate, CertificateJob, JobStatus
from contest.certificates.pdf import DocumentKind, pdf_filename, render
from contest.contests.models import Contest, ContestStatus
from contest.contests.page_parts import PagePart
from contest.errors import ServiceError
from contest.extensions import db
from contest.forms import FORM_ERROR_STATUS, attach_error, form_status
from contest.lookups import contest_or_404, in_contest_or_404
from contest.ratelimit import Limit

bp = Blueprint("certificates", __name__)
organiser = roles_required(Role.ORGANISER)
PER_PAGE = 100


def verify_limit() -> Limit:
    config = current_app.config
    return Limit("certificate-verify", int(config.get("CERTIFICATE_VERIFY_LIMIT", 30)),
                 int(config.get("CERTIFICATE_VERIFY_WINDOW", 60)))


@bp.app_template_global("certificate_public_name")
def certificate_public_name(certificate: Certificate) -> str | None:
    return services.public_name(certificate)


def certificates_box(sender: object, *, contest: Contest) -> PagePart:
    return PagePart("certificates/_contest_part.html", {
        "contest_id": contest.id, "issuable": contest.status in services.ISSUABLE_STATUSES,
        "archived": contest.status == ContestStatus.ARCHIVED.value,
        "counts": services.certificate_counts(contest)})


def _certificate_or_404(contest: Contest, certificate_id: int) -> Certificate:
    return in_contest_or_404(Certificate, certificate_id, contest)


def _job_or_404(contest: Contest, job_id: int) -> CertificateJob:
    return in_contest_or_404(CertificateJob, job_id, contest)


def _pdf_response(data: bytes, filename: str, *, inline: bool = False) -> Response:
    return downloads.file_response(data, "application/pdf", filename, inline=inline)


# Organisers: overview, issuing, progress ----------------------------------------------------

@bp.get("/manage/contests/<int:contest_id>/certificates")
@organiser
def manage(contest_id: int):
    contest = contest_or_404(contest_id)
    page = db.paginate(select(Certificate).where(Certificate.contest_id == contest.id)
                       .order_by(Certificate.kind, Certificate.holder_name, Certificate.id),
                       page=max(request.args.get("page", 1, type=int), 1), per_page=PER_PAGE, error_out=False)
    recent = list(db.session.scalars(select(CertificateJob).where(CertificateJob.contest_id == contest.id)
                                     .order_by(CertificateJob.id.desc()).limit(5)))
    return render_template("certificates/manage.html", contest=contest, page=page, jobs=recent,
                           form=IssueForm(), resume_form=ResumeForm(), can_resume=jobs.can_resume,
                           issuable=contest.status in services.ISSUABLE_STATUSES,
                           counts=services.certificate_counts(contest), kinds=list(DocumentKind))


@bp.post("/manage/contests/<int:contest_id>/certificates/issue")
@organiser
def issue(contest_id: int):
    contest = contest_or_404(contest_id)
    form = IssueForm()
    if form.validate_on_submit():
        try:
            job = jobs.start_job(contest, form.output_format.data, site_url=request.host_url, actor=current_user)
        except ServiceError as error:
            flash(str(error.message), "danger")
            return redirect(url_for(".manage", contest_id=contest.id))
        flash(_("Generation has started. It runs in the background: you may leave this page."), "success")
        return redirect(url_for(".job", contest_id=contest.id, job_id=job.id))
    flash(_("Choose ZIP or one PDF."), "danger")
    return redirect(url_for(".manage", contest_id=contest.id))


def _progress(job: CertificateJob) -> dict:
    return {"status": job.status, "status_label": job.status_label, "percent": job.percent,
            "issued": job.issued, "rendered": job.rendered, "total": job.total,
            "stale": jobs.is_stale(job), "done": job.status == JobStatus.DONE,
            "heading": _job_heading(job), "message": _progress_message(job)}


def _job_heading(job: CertificateJob) -> str:
    """The page's heading says what state the job is in, on the first load as on every reload."""
    if job.status == JobStatus.DONE:
        return _("The certificates are ready")
    if job.status == JobStatus.FAILED or jobs.is_stale(job):
        return _("The generation was interrupted")
    return _("Generating certificates")


def _progress_message(job: CertificateJob) -> str:
    if job.status == JobStatus.DONE:
        return _("Ready: %(count)d documents.", count=job.total)
    if job.status == JobStatus.FAILED or jobs.is_stale(job):
        return _("The generation was interrupted. Resume it: documents already issued keep their codes.")
    if job.status == JobStatus.QUEUED:
        return _("Waiting for a worker…")
    if not job.printing:
        return _("Issuing: %(done)d of %(total)d documents.", done=job.issued, total=job.total)
    return _("Printing: %(done)d of %(total)d documents.", done=job.rendered, total=job.total)


@bp.get("/manage/contests/<int:contest_id>/certificates/jobs/<int:job_id>")
@organiser
def job(contest_id: int, job_id: int):
    contest = contest_or_404(contest_id)
    job = _job_or_404(contest, job_id)
    return render_template("certificates/job.html", contest=contest, job=job, progress=_progress(job),
                           resume_form=ResumeForm(), can_resume=jobs.can_resume(job))


@bp.get("/manage/contests/<int:contest_id>/certificates/jobs/<int:job_id>/progress.json")
@organiser
def job_progress(contest_id: int, job_id: int):
    contest = contest_or_404(contest_id)
    return jsonify(_progress(_job_or_404(contest, job_id)))


@bp.post("/manage/contests/<int:contest_id>/certificates/jobs/<int:job_id>/resume")
@organiser
def job_resume(contest_id: int, job_id: int):
    contest = contest_or_404(contest_id)
    job = _job_or_404(contest, job_id)
    if ResumeForm().validate_on_submit():
        try:
            jobs.resume_job(job, actor=current_user)
            flash(_("Generation resumed."), "success")
        except ServiceError as error:
            flash(str(error.message), "danger")
    return redirect(url_for(".job", contest_id=contest.id, job_id=job.id))


@bp.get("/manage/contests/<int:contest_id>/certificates/jobs/<int:job_id>/download")
@organiser
def job_download(contest_id: int, job_id: int):
    contest = contest_or_404(contest_id)
    job = _job_or_404(contest, job_id)
    if job.status != JobStatus.DONE or not job.file_name:
        abort(404)
    suffix = ".zip" if job.file_name.endswith(".zip") else ".pdf"
    return files.send(jobs.OUTPUT_AREA, job.file_name, download_name=f"certificates-{contest.slug}{suffix}",
                      mimetype="application/zip" if suffix == ".zip" else "application/pdf")


@bp.get("/manage/contests/<int:contest_id>/certificates/<int:certificate_id>/pdf")
@organiser
def download(contest_id: int, certificate_id: int):
    contest = contest_or_404(contest_id)
    return _certificate_pdf(_certificate_or_404(contest, certificate_id))


def _certificate_pdf(certificate: Certificate) -> Response:
    document = services.document_for(certificate, services.print_setup(certificate.contest))
    return _pdf_response(render(document), pdf_filename(document))


@bp.route("/manage/contests/<int:contest_id>/certificates/<int:certificate_id>/revoke", methods=["GET", "POST"])
@organiser
def revoke(contest_id: int, certificate_id: int):
    contest = contest_or_404(contest_id)
    certificate = _certificate_or_404(contest, certificate_id)
    form = RevokeForm()
    if form.validate_on_submit():
        try:
            services.revoke_certificate(certificate, reason=form.reason.data or "", actor=current_user)
            flash(_("The document %(code)s is revoked.", code=certificate.code), "success")
            return redirect(url_for(".manage", contest_id=contest.id))
        except ServiceError as error:
            attach_error(form, error)
    return render_template("certificates/revoke.html", contest=contest, certificate=certificate,
                           form=form), form_status(form)


# Organisers: settings and preview -----------------------------------------------------------

@bp.route("/manage/contests/<int:contest_id>/certificates/settings", methods=["GET", "POST"])
@organiser
def settings(contest_id: int):
    contest = contest_or_404(contest_id)
    current = services.settings_for(contest)
    form = SettingsForm()
    if request.method == "GET":
        form.frame_style.data = current.frame_style
        for kind in DocumentKind:
            for language in services.LANGUAGES:
                form.text_field(kind, language).data = services.text_for(current, kind, language)
        for index, row in enumerate(current.signatories, start=1):
            form[f"signatory{index}_name"].data = row.name
            form[f"signatory{index}_title"].data = row.title
    elif form.validate_on_submit():
        try:
            services.save_settings(contest, frame_style=form.frame_style.data, texts=form.texts(),
                                   signatories=form.signatories(),
                                   logo=None if form.remove_logo.data else (form.logo_bytes() or services.KEEP),
                                   actor=current_user)
            flash(_("Certificate settings saved."), "success")
            return redirect(url_for(".settings", contest_id=contest.id))
        except ServiceError as error:
            attach_error(form, error)
    status = FORM_ERROR_STATUS if request.method == "POST" else 200
    return render_template("certificates/settings.html", contest=contest, form=form, current=current,
                           kinds=list(DocumentKind), languages_list=services.LANGUAGES,
                           placeholders=services.PLACEHOLDERS, signatory_numbers=range(1, 4)), status


@bp.get("/manage/contests/<int:contest_id>/certificates/preview/<kind>/<language>.pdf")
@organiser
def preview(contest_id: int, kind: str, language: str):
    contest = contest_or_404(contest_id)
    if kind not in {item.value for item in DocumentKind} or not i18n.is_supported(language):
        abort(404)
    document = services.sample_document(contest, services.print_setup(contest), DocumentKind(kind), language)
    return _pdf_response(render(document), f"preview-{kind}-{language}.pdf", inline=True)


# Participants --------------------------------------------------------------------------------

@bp.get("/my/certificates")
@signed_in
def mine():
    return render_template("certificates/mine.html", certificates=services.account_certificates(current_user))


@bp.get("/my/certificates/<int:certificate_id>/pdf")
@signed_in
def my_download(certificate_id: int):
    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None or certificate.account_id != current_user.id or certificate.is_revoked:
        abort(404)
    return _certificate_pdf(certificate)


# Public verification ------------------------------------------------------------------------

def _rate_limited() -> None:
    """Every lookup counts, found or not: 80-bit codes cannot be guessed, and this keeps anyone
    from even trying at scale."""
    if verify_limit().reserve(request.remote_addr or "unknown"):
        abort(429)


def _verification_page(text: str):
    certificate = services.find_by_code(text)
    form = VerifyForm(formdata=None, code=text)
    if certificate is None:
        # One answer for a mistyped, a malformed and an unknown code alike.
        return render_template("certificates/verify.html", form=form, certificate=None, searched=True), 404
    return render_template("certificates/verify.html", form=form, certificate=certificate, searched=True)


@bp.get("/verify")
@public
def verify_form():
    form = VerifyForm(request.args)
    if form.code.data:
        _rate_limited()
        return _verification_page(form.code.data[:64])
    return render_template("certificates/verify.html", form=form, certificate=None, searched=False)


@bp.get("/verify/<code>")
@public
def verify(code: str):
    _rate_limited()
    return _verification_page(code[:64])
