"""Shared fixtures: the app on SQLite or PostgreSQL (`TEST_DATABASE_URL`), a per-test clean
database, an isolated test client, `login_as(role)`, factories, a query counter and a real
local SMTP server."""

from __future__ import annotations

import itertools
import os
import re
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes
from email.message import Message
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from flask import Flask, current_app
from flask.testing import FlaskClient
from flask_babel import force_locale
from flask_migrate import upgrade
from sqlalchemy import event, select, text

from config import database_url
from contest import create_app, pagecache
from contest.auth.models import Role, User
from contest.auth.passwords import hash_password
from contest.auth.services import open_session
from contest.contests.models import AwardTier, Category, Contest, Criterion, Round
from contest.db import utcnow
from contest.extensions import db as _db
from contest.files import STORES, store
from contest.files.database import StoredFile
from contest.judging.models import JuryMember, Score, ScoreSheet
from contest.news.models import NewsPost
from contest.ratelimit import MemoryStore
from contest.registration.models import Participant, Registration, RegistrationCounter
from contest.results import published
from tests.ci_skips import (  # noqa: F401 (hooks: under CI=true an unlisted skip fails the run)
    pytest_runtest_logreport,
    pytest_sessionfinish,
    pytest_sessionstart,
    pytest_terminal_summary,
)

TEST_PASSWORD = "correct-horse-battery-staple"


def redis_url() -> str:
    """The Redis the Redis-backed tests use (CI sets TEST_REDIS_URL; keys and queues are unique
    per test, so runs may share it)."""
    return os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# Mail ------------------------------------------------------------------------------------

class MailboxHandler:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.messages.append(message_from_bytes(envelope.content))
        return "250 Message accepted"


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[Controller]:
    controller = Controller(MailboxHandler(), hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller
    controller.stop()


@pytest.fixture
def mailbox(smtp_server) -> list[Message]:
    """Messages the application sent during this test, as parsed emails."""
    smtp_server.handler.messages.clear()
    return smtp_server.handler.messages


def mail_body(message: Message) -> str:
    return message.get_payload(decode=True).decode(message.get_content_charset() or "utf-8")


# Application and database ----------------------------------------------------------------

def test_database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return database_url(url)
    # A file, not memory: the browser tests' server thread must see the same data.
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


def build_schema(app: Flask) -> None:
    """PostgreSQL runs on the migrated schema, SQLite on `create_all` (or on the migrations with
    TEST_SCHEMA=migrations); test_app.py's test_migrations_build_exactly_the_models_schema checks the
    migrations against the models on either database, so the suite covers each way of making the schema."""
    with app.app_context():
        _db.drop_all()
        with _db.engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        if _db.engine.dialect.name == "postgresql" or os.environ.get("TEST_SCHEMA") == "migrations":
            upgrade()
        else:
            _db.create_all()


@pytest.fixture(scope="session")
def app(tmp_path_factory, smtp_server) -> Flask:
    app = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=test_database_url(tmp_path_factory),
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=smtp_server.port,
        UPLOAD_DIR=str(tmp_path_factory.mktemp("uploads")),
        PUBLIC_VERSION_FILE=str(tmp_path_factory.mktemp("pages") / "public-version"),
    )
    build_schema(app)
    return app


def clean_database() -> None:
    _db.session.remove()
    tables = list(reversed(_db.metadata.sorted_tables))
    with _db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            names = ", ".join(f'"{table.name}"' for table in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(table.delete())


@pytest.fixture(autouse=True)
def app_context(app: Flask) -> Iterator[None]:
    """Every test runs inside an app context and starts from empty tables and counters.
    Outside a request, messages come in English so that service tests read naturally;
    each request still picks its own language."""
    app.extensions["counter_store"] = MemoryStore()
    # Per-worker caches are keyed by slugs, ids and addresses, which the next test's data reuses.
    published.forget()
    app.extensions[pagecache.EXTENSION].backend = pagecache.FileBackend(app.config["PUBLIC_VERSION_FILE"])
    with app.app_context(), force_locale("en"):
        yield
        clean_database()


@pytest.fixture
def db(app):
    return _db


@pytest.fixture(params=STORES)
def file_store(request, app: Flask) -> Iterator[str]:
    """The test runs once with each file store (contest.files): local disk and the database."""
    previous = app.config["FILE_STORE"]
    app.config["FILE_STORE"] = request.param
    yield request.param
    app.config["FILE_STORE"] = previous


@pytest.fixture
def database_file_store(app: Flask) -> Iterator[None]:
    """Files in the database, as on a site with several app servers."""
    previous = app.config["FILE_STORE"]
    app.config["FILE_STORE"] = "database"
    yield
    app.config["FILE_STORE"] = previous


def stored_bytes(area: str, name: str) -> bytes:
    """A stored file's bytes, from whichever store is configured."""
    return b"".join(store().chunks(area, name))


def is_stored(area: str, name: str) -> bool:
    return store().exists(area, name)


def stored_names(area: str) -> list[str]:
    """The names of the files in `area` of the configured store (the local one lives for the session)."""
    if current_app.config["FILE_STORE"] == "database":
        return sorted(_db.session.scalars(select(StoredFile.name).where(StoredFile.area == area)))
    folder = Path(current_app.config["UPLOAD_DIR"]) / area
    return sorted(path.name for path in folder.iterdir()) if folder.is_dir() else []


class IsolatedClient(FlaskClient):
    """Each request gets its own app context, as in production (so nothing cached on `g`
    leaks between requests). The test's own session commits what it prepared before the
    request and forgets what it had loaded after it, so it reads what the request wrote."""

    def open(self, *args, **kwargs):
        _db.session.commit()
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        _db.session.expire_all()
        return response

    def csrf_token(self) -> str:
        # Signed in, every page's language switcher carries a token for this session; a visitor's
        # public pages carry none (they are shared), the sign-in form does.
        match = None
        for url in ("/", "/login"):
            match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', self.get(url).get_data(as_text=True))
            if match:
                break
        assert match, "no CSRF token on the home or sign-in page"
        return match.group(1)

    def post_form(self, url: str, data: dict | None = None, **kwargs):
        """POST like a browser that loaded the form first: with a valid CSRF token."""
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf_token())
        return self.post(url, data=data, **kwargs)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    app.test_client_class = IsolatedClient
    return app.test_client()


@pytest.fixture
def signed_in_browser(app: Flask) -> Callable[[User], IsolatedClient]:
    """Another browser signed in as `user`, with its own cookies and a CSRF token ready in
    `browser.token`, for requests sent from threads at the same moment (each thread inside its
    own app context, as the server's threads are)."""

    def make(user: User) -> IsolatedClient:
        browser = IsolatedClient(app, app.response_class, use_cookies=True)
        token = open_session(user)
        _db.session.commit()
        with browser.session_transaction() as session:
            session["_user_id"] = token
            session["_fresh"] = True
        browser.token = browser.csrf_token()
        return browser

    return make


# Factories -------------------------------------------------------------------------------

_sequence = itertools.count(1)


@pytest.fixture
def make_user() -> Callable[..., User]:
    def make(**values) -> User:
        number = next(_sequence)
        values.setdefault("email", f"user{number}@example.kz")
        values.setdefault("name", f"Test User {number}")
        values.setdefault("role", Role.PARTICIPANT.value)
        password = values.pop("password", TEST_PASSWORD)
        user = User(password_hash=hash_password(password), **values)
        _db.session.add(user)
        _db.session.commit()
        return user

    return make


@pytest.fixture
def make_post() -> Callable[..., NewsPost]:
    """A news post, published an hour ago unless `published_at` says otherwise (None: a draft)."""

    def make(**values) -> NewsPost:
        number = next(_sequence)
        values.setdefault("slug", f"news-post-{number}")
        if not any(values.get(f"title_{code}") for code in ("kk", "ru", "en")):
            values["title_en"] = f"News post {number}"
            values.setdefault("body_en", f"The text of news post {number}.")
        values.setdefault("published_at", utcnow() - timedelta(hours=1))
        post = NewsPost(**values)
        _db.session.add(post)
        _db.session.commit()
        return post

    return make


@pytest.fixture
def login_as(client: FlaskClient, make_user) -> Callable[..., User]:
    """Sign the test client in as a new account of `role` (or as a given user)."""

    def login(role: Role | str = Role.PARTICIPANT, user: User | None = None, **values) -> User:
        user = user or make_user(role=Role(role).value, **values)
        token = open_session(user)  # as signing in does: a session row, its token in the cookie
        _db.session.commit()
        with client.session_transaction() as session:
            session["_user_id"] = token
            session["_fresh"] = True
        return user

    return login


def _soon(days: int) -> datetime:
    return datetime.now(UTC).replace(microsecond=0) + timedelta(days=days)


@pytest.fixture
def make_contest() -> Callable[..., Contest]:
    """A contest straight in the database (any status, no guards); registration open for the
    next month and the event a week after it closes, unless told otherwise."""

    def make(**values) -> Contest:
        number = next(_sequence)
        values.setdefault("slug", f"contest-{number}")
        values.setdefault("title_en", f"Test contest {number}")
        values.setdefault("kind", "writing")
        values.setdefault("level", "city")
        values.setdefault("status", "draft")
        values.setdefault("registration_opens_at", _soon(-1))
        values.setdefault("registration_closes_at", values["registration_opens_at"] + timedelta(days=30))
        values.setdefault("event_at", values["registration_closes_at"] + timedelta(days=7))
        contest = Contest(**values)
        _db.session.add(contest)
        _db.session.commit()
        return contest

    return make


def _part_factory(model: type, **defaults):
    def make(contest: Contest, **values):
        number = next(_sequence)
        values = {"name_en": f"{model.__name__} {number}", "position": number, **defaults, **values}
        part = model(contest=contest, **values)
        _db.session.add(part)
        _db.session.commit()
        return part

    return make


@pytest.fixture
def make_round() -> Callable[..., Round]:
    return _part_factory(Round, stage="final")


@pytest.fixture
def make_category() -> Callable[..., Category]:
    return _part_factory(Category)


@pytest.fixture
def make_criterion() -> Callable[..., Criterion]:
    return _part_factory(Criterion, max_score=10, step=1.0, weight=1.0)


@pytest.fixture
def make_award_tier() -> Callable[..., AwardTier]:
    return _part_factory(AwardTier, winners_count=1, document_kind="winner_diploma")


@pytest.fixture
def make_participant(make_user) -> Callable[..., Participant]:
    """A participant of a new account (or of `account`): an adult unless `birth_date` says
    otherwise; a minor gets a guardian and a recorded consent unless told otherwise."""

    def make(account: User | None = None, **values) -> Participant:
        number = next(_sequence)
        account = account or make_user()
        values.setdefault("surname", f"Surname{number}")
        values.setdefault("given_name", f"Given{number}")
        values.setdefault("birth_date", date(2000, 1, 1))
        values.setdefault("school", "School No. 1")
        values.setdefault("grade", None)
        if values["birth_date"] > date.today().replace(year=date.today().year - 18):
            values.setdefault("guardian_name", f"Guardian{number}")
            values.setdefault("guardian_phone", "+7 701 000 00 00")
            values.setdefault("consent_at", utcnow())
            values.setdefault("consent_version", "test")
            values.setdefault("consent_by_id", account.id)
        participant = Participant(account_id=account.id, **values)
        _db.session.add(participant)
        _db.session.commit()
        return participant

    return make


@pytest.fixture
def open_contest(make_contest, make_category, make_criterion) -> Callable[..., Contest]:
    """A contest open for registration now, with one category and one criterion."""

    def make(**values) -> Contest:
        values.setdefault("status", "registration_open")
        contest = make_contest(**values)
        make_category(contest)
        make_criterion(contest)
        return contest

    return make


@pytest.fixture
def make_registration(make_participant, open_contest) -> Callable[..., Registration]:
    """A registration straight in the database (no rules checked), numbered in its contest."""

    def make(contest: Contest | None = None, participant: Participant | None = None, **values) -> Registration:
        contest = contest or open_contest()
        participant = participant or make_participant()
        counter = _db.session.get(RegistrationCounter, contest.id)
        if counter is None:
            counter = RegistrationCounter(contest_id=contest.id, prefix=f"T{contest.id}", last_number=0)
            _db.session.add(counter)
        counter.last_number += 1
        values.setdefault("category", contest.categories[0])
        registration = Registration(
            contest=contest, participant=participant, number=counter.last_number,
            code=f"{counter.prefix}-{counter.last_number:04d}", registered_by_id=participant.account_id, **values)
        _db.session.add(registration)
        _db.session.commit()
        return registration

    return make


@pytest.fixture
def make_juror(make_user) -> Callable[..., JuryMember]:
    """A jury member of `contest`: a new juror account unless `user` is given."""

    def make(contest: Contest, user: User | None = None, **values) -> JuryMember:
        user = user or make_user(role=Role.JUROR.value)
        member = JuryMember(contest_id=contest.id, user=user, **values)
        _db.session.add(member)
        _db.session.commit()
        return member

    return make


@pytest.fixture
def make_sheet() -> Callable[..., ScoreSheet]:
    """A score sheet straight in the database (no rules checked): `points` maps criteria (or
    their ids) to points; the round defaults to the contest's first."""

    def make(member: JuryMember, registration: Registration, round_: Round | None = None, *,
             points: dict | None = None, status: str = "draft", **values) -> ScoreSheet:
        round_ = round_ or registration.contest.rounds[0]
        if status == "submitted":
            values.setdefault("submitted_at", utcnow())
        sheet = ScoreSheet(member_id=member.id, registration_id=registration.id, round_id=round_.id,
                           status=status, **values)
        for criterion, value in (points or {}).items():
            sheet.scores.append(Score(criterion_id=getattr(criterion, "id", criterion), points=value))
        _db.session.add(sheet)
        _db.session.commit()
        return sheet

    return make


# Query counting --------------------------------------------------------------------------

@dataclass
class QueryLog:
    statements: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.statements)

    @property
    def queries(self) -> int:
        """The statements but SQLite's BEGIN, which comes or not with the test's own transaction
        (PostgreSQL's driver opens one unlogged): the same figure on both databases."""
        return sum(1 for statement in self.statements if not statement.startswith("BEGIN"))


@pytest.fixture
def count_queries(app: Flask):
    """`with count_queries() as log: ...` then `log.count` is the number of SQL statements."""

    @contextmanager
    def counting() -> Iterator[QueryLog]:
        log = QueryLog()

        def before(conn, cursor, statement, parameters, context, executemany):
            log.statements.append(statement)

        event.listen(_db.engine, "before_cursor_execute", before)
        try:
            yield log
        finally:
            event.remove(_db.engine, "before_cursor_execute", before)

    return counting
