"""Bulk generation as a background job, never inside a web request.

With `REDIS_URL` set, jobs go to the RQ queue "certificates" and any number of workers on
any machine take them (see contest/queues.py); the output file goes to the file store (contest.files), which those
machines must share: `FILE_STORE=database`, or one UPLOAD_DIR mounted on all of them.
Without Redis (the embedded setup), a thread of the web process runs the job.

A job first issues the documents in chunks, committing each, then renders them into one
ZIP or one PDF. Issuing is idempotent per holder (see `services.issue_documents`), so a job
that died part-way is simply run again: what it issued keeps its codes, the rest is added,
and the output file is written anew.
"""

from __future__ import annotations

import logging
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from functools import partial

from flask import Flask, current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError

from contest import files
from contest.audit.services import record
from contest.auth.models import User
from contest.certificates import services
from contest.certificates.models import CertificateJob, JobStatus, OutputFormat
from contest.certificates.pdf import Document, render_many, write_zip
from contest.contests.models import Contest
from contest.db import utcnow
from contest.errors import ServiceError
from contest.extensions import db
from contest.ops.metrics import CERTIFICATE_JOB_FAILURES
from contest.queues import after_commit, redis_queue, worker_app

log = logging.getLogger(__name__)

OUTPUT_AREA = "certificates"
ISSUE_CHUNK = 50  # documents issued per commit: a crash loses at most this much work
PROGRESS_EVERY = 20  # documents rendered between two progress updates
STALE_AFTER = timedelta(minutes=2)  # no sign of life for this long: the worker died
FAILURE_WRITE_ATTEMPTS = 5
FAILURE_WRITE_PAUSE = 2.0  # seconds, times the attempt's number
_THREADS = "certificate_threads"


# Starting and resuming -----------------------------------------------------------------------

def is_stale(job: CertificateJob) -> bool:
    if job.status not in (JobStatus.QUEUED, JobStatus.RUNNING):
        return False
    last_sign = job.heartbeat_at or job.created_at
    return last_sign < utcnow() - STALE_AFTER


def can_resume(job: CertificateJob) -> bool:
    return job.status == JobStatus.FAILED or is_stale(job)


def active_job(contest: Contest) -> CertificateJob | None:
    jobs = db.session.scalars(select(CertificateJob).where(
        CertificateJob.contest_id == contest.id,
        CertificateJob.status.in_([JobStatus.QUEUED.value, JobStatus.RUNNING.value])))
    return next((job for job in jobs if not is_stale(job)), None)


def start_job(contest: Contest, output_format: str, *, site_url: str, actor: User | None) -> CertificateJob:
    services.ensure_issuable(contest)
    if output_format not in {fmt.value for fmt in OutputFormat}:
        raise ServiceError(_l("Choose ZIP or one PDF."), "output_format")
    if active_job(contest) is not None:
        raise ServiceError(_l("Certificates of this contest are being generated already: wait until it is done."))
    job = CertificateJob(contest_id=contest.id, output_format=output_format, site_url=site_url,
                         created_by_id=getattr(actor, "id", None), created_at=utcnow())
    db.session.add(job)
    db.session.flush()
    record("certificates.generation_started", contest, actor=actor, job=job.id, format=output_format)
    enqueue_after_commit(job.id)
    return job


def resume_job(job: CertificateJob, *, actor: User | None) -> None:
    services.ensure_issuable(db.session.get_one(Contest, job.contest_id))
    if not can_resume(job):
        raise ServiceError(_l("This generation is not interrupted: nothing to resume."))
    job.status = JobStatus.QUEUED.value
    job.heartbeat_at = utcnow()
    db.session.flush()
    record("certificates.generation_resumed", job, actor=actor)
    enqueue_after_commit(job.id)


def enqueue_after_commit(job_id: int) -> None:
    """The worker must find the job's row: hand it over only once the request has committed."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # the proxied app, for the worker thread
    after_commit("certificate-jobs", job_id, partial(_dispatch_all, app))


def _dispatch_all(app: Flask, job_ids: list[int]) -> None:
    for job_id in job_ids:
        dispatch(app, job_id)


def dispatch(app: Flask, job_id: int) -> None:
    queue = redis_queue(app, app.config["CERTIFICATE_QUEUE"])
    if queue is not None:
        from rq import Retry

        queue.enqueue(run_job_in_worker, job_id, job_timeout=3600, retry=Retry(max=2, interval=10))
        return
    thread = threading.Thread(target=_run_in_thread, args=(app, job_id), name=f"certificates-{job_id}", daemon=True)
    app.extensions.setdefault(_THREADS, []).append(thread)
    thread.start()


def _run_in_thread(app: Flask, job_id: int) -> None:
    with app.app_context():
        try:
            run_job(job_id)
        except Exception:  # already recorded on the job; a thread has nobody else to tell
            log.exception("Certificate job %s failed", job_id)
        finally:
            db.session.remove()


def wait_for_threads(app: Flask, timeout: float = 60) -> None:
    """Block until the in-process jobs started so far are done (tests, shutdown)."""
    for thread in list(app.extensions.get(_THREADS, [])):
        thread.join(timeout)
    app.extensions[_THREADS] = [thread for thread in app.extensions.get(_THREADS, []) if thread.is_alive()]


def run_job_in_worker(job_id: int) -> None:
    """The RQ entry point."""
    with worker_app().app_context():
        try:
            run_job(job_id)
        finally:
            db.session.remove()


# Running -------------------------------------------------------------------------------------

def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _beat(job: CertificateJob) -> None:
    job.heartbeat_at = utcnow()
    db.session.commit()


def run_job(job_id: int) -> None:
    """Run (or run again) one job to the end; a failure is recorded on the job and re-raised."""
    job = db.session.get(CertificateJob, job_id)
    if job is None or job.status == JobStatus.DONE:
        return
    try:
        _run(job)
    except Exception as error:
        CERTIFICATE_JOB_FAILURES.inc()
        _record_failure(job_id, f"{type(error).__name__}: {error}"[:2000])
        raise


def _record_failure(job_id: int, error: str) -> None:
    """The job's page must say it was interrupted (and offer to resume), never stay "running":
    if the database is busy (SQLite: another writer holds the lock past the wait), try again."""
    for attempt in range(1, FAILURE_WRITE_ATTEMPTS + 1):
        db.session.rollback()
        try:
            job = db.session.get_one(CertificateJob, job_id)
            job.status = JobStatus.FAILED.value
            job.error = error
            job.heartbeat_at = utcnow()
            db.session.commit()
            return
        except OperationalError:
            if attempt == FAILURE_WRITE_ATTEMPTS:
                raise
            log.warning("Recording the failure of certificate job %s: the database is busy, trying again", job_id)
            time.sleep(FAILURE_WRITE_PAUSE * attempt)


def _run(job: CertificateJob) -> None:
    contest = db.session.get_one(Contest, job.contest_id)
    job.status = JobStatus.RUNNING.value
    job.attempts += 1
    job.issued = job.rendered = 0
    job.error = ""
    plan = services.planned_documents(contest)
    job.total = len(plan)
    _beat(job)

    _issue_all(job, contest, plan)
    _write_output(job, contest)
    _beat(job)  # the file is there: a failure from here on leaves it downloadable after a resume

    base = (job.site_url or services.site_url()).rstrip("/")
    services.notify_holders(contest, link=f"{base}/my/certificates")
    job.status = JobStatus.DONE.value
    job.finished_at = utcnow()
    _beat(job)


def _issue_all(job: CertificateJob, contest: Contest, plan: list[services.Planned]) -> None:
    """First half of the progress bar: issue chunk by chunk, each chunk committed."""
    for chunk in _chunks(plan, ISSUE_CHUNK):
        try:
            services.issue_documents(contest, chunk)
            db.session.flush()
        except IntegrityError:
            # Another worker (a resumed duplicate) issued some of these at the same moment:
            # take its rows, which is exactly what a second pass does.
            db.session.rollback()
            services.issue_documents(contest, chunk)
        job.issued += len(chunk)
        _beat(job)


def _documents(job: CertificateJob, contest: Contest) -> Iterator[Document]:
    """Second half of the progress bar: documents as they are printed, read from the database
    in batches; each batch becomes plain data, and its read ends, before it is printed (no
    transaction stays open while printing: on SQLite it would hold up every writer)."""
    setup = services.print_setup(contest, job.site_url or None)
    job.total = services.printable_count(contest)  # "of N" counts what the output will hold
    _beat(job)

    def rendered(count: int) -> None:
        job.rendered += count
        _beat(job)

    return services.printable_documents(contest, setup, PROGRESS_EVERY, after_read=db.session.commit,
                                        after_batch=rendered)


def _write_output(job: CertificateJob, contest: Contest) -> None:
    """Render into a temporary file first: rendering commits after every batch (see
    `_documents`), while the file must reach the store in one transaction, together with the
    job's new `file_name` (a crash part-way leaves no half file in the store)."""
    suffix = ".zip" if job.output_format == OutputFormat.ZIP else ".pdf"
    with tempfile.TemporaryFile() as output:
        if job.output_format == OutputFormat.ZIP:
            write_zip(_documents(job, contest), output)
        else:
            render_many(_documents(job, contest), output, title=contest.slug)
        output.seek(0)
        files.retire(db.session, OUTPUT_AREA, job.file_name)
        job.file_name = files.copy_from(db.session, OUTPUT_AREA, suffix, output)

