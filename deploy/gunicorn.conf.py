"""gunicorn settings for one app server (`gunicorn -c deploy/gunicorn.conf.py`; the systemd units
deploy/systemd/contest-web.service and contest-live.service run it). Each value can be changed in
the environment file.

Metrics: every worker is a process of its own, so prometheus_client keeps each one's counts in
files under PROMETHEUS_MULTIPROC_DIR (set before gunicorn starts: the systemd unit does) and a
scrape of /metrics adds them up. The folder is emptied when gunicorn starts (counts of an earlier
run would be added again), and a worker that exits has its live gauges dropped (`child_exit`)."""

import os
import threading
import time
from pathlib import Path

# Imported here, in the master, not in child_exit: that hook runs inside the SIGCHLD handler, and
# two workers exiting together re-entered a half-done import there (ImportError at shutdown).
from prometheus_client import multiprocess

wsgi_app = "contest:create_app()"
# Each app server runs two of these: the site's (contest-web.service) and the live round's
# (contest-live.service sets GUNICORN_POOL=live), which nginx sends /stage/ and /jury/ to. The
# live one yields to the site's pages (`yield_to_the_site`): a hall following the stage and a
# jury scoring take the processor when the pages leave it free (README: Live round; bench/live.py).
live_pool = os.environ.get("GUNICORN_POOL") == "live"
live_nice = int(os.environ.get("GUNICORN_LIVE_NICE", 10))
if live_pool:
    bind = os.environ.get("GUNICORN_LIVE_BIND", "127.0.0.1:8001")
    workers = int(os.environ.get("GUNICORN_LIVE_WORKERS", 2))
else:
    bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
    workers = int(os.environ.get("GUNICORN_WORKERS", 4))
# Threads: during a live round each audience screen holds one connection, and so one thread, for
# as long as it follows the stage (server-sent events, contest/stage/stream.py); they wait
# without using the processor. Keep workers x threads x app servers above the hall's screens
# plus the participants' phones following the stage, with room for everyone else.
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", 200))
# A worker takes no more connections than it has threads. gthread otherwise accepts up to 1000
# and queues what its threads cannot take; the workers of one server share its port unevenly,
# so a request could wait behind a worker's feeds while its sibling had threads free (a bench/
# live.py run had the chair's "close" time out; none has since). Full, a worker leaves new
# connections to its siblings. So no connection is kept open idle between requests either
# (nginx opens one per request, on the local network).
worker_connections = threads
keepalive = 0
# Entries with files at the upload limit arrive slowly on a phone: nginx buffers the body first,
# so a worker is busy only for the request's own work; exports and PDFs may take this long.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 120))
graceful_timeout = 30
# A worker is replaced now and then: memory a long run gathers (PDF rendering) goes back.
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
# The request id nginx sent (X-Request-ID), so an access line matches the app's own log lines.
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms id=%({x-request-id}o)s'

if os.environ.get("LOG_FORMAT") == "json":
    # gunicorn's own lines and its access lines as JSON too, through the app's handler (its name
    # lets the app, once loaded in a worker, replace it rather than add a second one).
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "contest.ops.logs.JsonFormatter"}},
        "filters": {"context": {"()": "contest.ops.logs.ContextFilter"}},
        "handlers": {"contest-json": {"class": "logging.StreamHandler", "formatter": "json",
                                      "filters": ["context"], "stream": "ext://sys.stderr"}},
        "loggers": {name: {"handlers": [], "level": "INFO", "propagate": True}
                    for name in ("gunicorn.error", "gunicorn.access")},
        "root": {"handlers": ["contest-json"], "level": "INFO"},
    }


def _metrics_dir() -> Path | None:
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    return Path(folder) if folder else None


def yield_to_the_site() -> None:
    """A lower priority (its workers inherit it), and, on a machine of two cores or more, every
    core but the first, which the site's pages then always find free. Measured (bench/live.py,
    two cores): at the same priority the live round's bursts (a change waking every feed, a jury
    submitting together) took a page's p95 to three to five times its idle value; with the lower
    priority to about twice; with the first core left too, under it."""
    os.nice(live_nice)
    _lower_own_scheduling_group()
    cores = os.sched_getaffinity(0)
    if len(cores) > 1:
        os.sched_setaffinity(0, cores - {min(cores)})


def _lower_own_scheduling_group() -> None:
    """Linux weighs a process's nice only against the processes of its own session when it
    groups sessions (autogroup: /proc/sys/kernel/sched_autogroup_enabled). systemd starts each
    service in a session of its own, so against contest-web the nice alone changed nothing: the
    group's own nice must drop too. Only a master that leads its session does it (a systemd
    service, a bench server); started from a shell, the group would be the shell's, and stays as
    it is. Where systemd gives services cgroups with CPU weights instead, contest-live.service's
    CPUWeight does the same."""
    if os.getsid(0) != os.getpid():
        return
    for _attempt in range(5):
        try:
            with open("/proc/self/autogroup", "w") as group:
                group.write(str(live_nice))
            return
        except BlockingIOError:  # the kernel takes one change a tenth of a second from non-root users
            time.sleep(0.1)
        except OSError:  # no autogroup in this kernel: the nice is all there is
            return


def on_starting(server) -> None:
    if live_pool and live_nice > 0:
        yield_to_the_site()
    folder = _metrics_dir()
    if folder is None:
        return
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.db"):
        stale.unlink()


def child_exit(server, worker) -> None:
    if _metrics_dir() is not None:
        multiprocess.mark_process_dead(worker.pid)


def post_worker_init(worker) -> None:
    """A worker that is to stop (SIGTERM at a restart or a deploy, or max_requests reached)
    finishes its requests in flight first, but a live feed (contest/stage/stream.py) would hold
    it for graceful_timeout and then be cut: the feeds end as soon as the worker stops
    accepting, and the screens reconnect to another worker. gunicorn has no hook for that
    moment, so a thread watches the worker's own flag."""
    from contest.stage import stream

    def watch() -> None:
        while worker.alive:
            time.sleep(0.5)
        stream.stop_streams()

    threading.Thread(target=watch, name="stop-streams", daemon=True).start()
