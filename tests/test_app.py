"""Configuration, schema, access rules, catalogs, CLI."""

from __future__ import annotations

import os
import re

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade

from config import ProductionConfig, database_url, pool_options
from contest import catalogs, create_app
from contest.auth.models import Role, User
from contest.extensions import db as _db
from tests.databases import fresh_database_url

# Routes a visitor may open; every other route must send them to sign in or refuse.
PUBLIC_ENDPOINTS = {"site.home", "site.switch_language", "site.choose_language", "site.manifest",
                    "auth.signup", "auth.login",
                    "auth.forgot_password", "auth.reset_password", "contests.index", "contests.detail",
                    "contests.cover", "contests.calendar_feed", "contests.contest_calendar",
                    "news.index", "news.post", "news.feed", "news.contest_feed", "news.cover",
                    "site.sitemap_xml", "site.robots_txt",
                    "certificates.verify_form", "certificates.verify",
                    "results.public_results", "results.public_export",
                    "sharing.site_card", "sharing.contest_card", "sharing.news_card", "sharing.results_card",
                    "sharing.result_card", "sharing.widget",
                    "ops.healthz", "ops.readyz", "ops.metrics", "judging.service_worker",
                    "stage.state_json", "stage.state_events", "stage.audience_screen",
                    # The read-only JSON API and its description (tests/api/).
                    "api.contests_list", "api.contest", "api.results", "api.news_list", "api.news_post",
                    "api.certificate", "api.openapi_json", "api.docs", "api.unknown"}

# The participant account's pages: any signed-in account; each object is checked against the
# account (another account's participant or registration answers 404).
PARTICIPANT_ENDPOINTS = {"registration.dashboard", "registration.new_participant", "registration.edit_participant",
                         "registration.delete_participant", "registration.withdraw_consent", "registration.register",
                         "registration.registration", "registration.withdraw", "registration.entry_file",
                         "registration.privacy_page", "registration.export_data", "registration.delete_account",
                         "registration.change_category",
                         "certificates.mine", "certificates.my_download"}


def test_production_refuses_to_start_without_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY is not set"):
        create_app(ProductionConfig)


def test_postgres_urls_use_psycopg3():
    assert database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_the_connection_pool_is_sized_from_the_environment(monkeypatch):
    monkeypatch.delenv("DB_POOL_SIZE", raising=False)
    monkeypatch.delenv("DB_MAX_OVERFLOW", raising=False)
    assert pool_options() == {}  # SQLAlchemy's own defaults
    monkeypatch.setenv("DB_POOL_SIZE", "4")
    monkeypatch.setenv("DB_MAX_OVERFLOW", "2")
    assert pool_options() == {"pool_size": 4, "max_overflow": 2}
    monkeypatch.setenv("DB_POOL_SIZE", "")
    monkeypatch.setenv("DB_MAX_OVERFLOW", "0")
    assert pool_options() == {"max_overflow": 0}


def test_every_endpoint_declares_who_may_open_it(app):
    missing = [endpoint for endpoint, view in app.view_functions.items()
               if endpoint not in ("static", "bootstrap.static") and not hasattr(view, "access_rule")]
    assert missing == []


def test_public_endpoints_are_exactly_the_expected_ones(app):
    public = {endpoint for endpoint, view in app.view_functions.items()
              if getattr(view, "access_rule", None) == "public"}
    assert public == PUBLIC_ENDPOINTS


# Organiser-only pages that carry participants' contact data (the matrix below walks them too).
REGISTRATION_MANAGE_ENDPOINTS = {
    "registration_manage.index", "registration_manage.approve_selected", "registration_manage.detail",
    "registration_manage.approve", "registration_manage.allow_incomplete", "registration_manage.reject",
    "registration_manage.entry_file",
    "registration_manage.export", "registration_manage.import_upload", "registration_manage.import_confirm",
    "registration_manage.import_template", "registration_manage.change_category"}


def test_registration_management_is_for_organisers_only(app):
    endpoints = {endpoint for endpoint in app.view_functions if endpoint.startswith("registration_manage.")}
    assert endpoints == REGISTRATION_MANAGE_ENDPOINTS
    for endpoint in endpoints:
        assert app.view_functions[endpoint].access_rule == frozenset({Role.ORGANISER}), endpoint


# Results for organisers: live standings with names, agreement, publishing, exports with contacts.
RESULTS_MANAGE_ENDPOINTS = {"results.standings", "results.agreement", "results.advance", "results.publish",
                            "results.unpublish", "results.export", "results.protocol", "results.outside",
                            "results.add_adjustment", "results.remove_adjustment", "results.add_ex_aequo",
                            "results.remove_ex_aequo"}


def test_results_management_is_for_organisers_only(app):
    endpoints = {endpoint for endpoint in app.view_functions
                 if endpoint.startswith("results.") and not endpoint.startswith("results.public_")}
    assert endpoints == RESULTS_MANAGE_ENDPOINTS
    for endpoint in endpoints:
        assert app.view_functions[endpoint].access_rule == frozenset({Role.ORGANISER}), endpoint


def test_participant_pages_need_an_account(app):
    rules = {endpoint: getattr(app.view_functions.get(endpoint), "access_rule", None)
             for endpoint in PARTICIPANT_ENDPOINTS}
    assert rules == dict.fromkeys(PARTICIPANT_ENDPOINTS, "signed-in")


# The jury pages: jurors score (each contest, round and entry is checked against their seat on
# the jury: another contest's entry answers 404, an entry not theirs 403 with the reason);
# organisers run the jury. Neither sees the other's pages.
JUROR_ENDPOINTS = {"judging.index", "judging.queue", "judging.sheet", "judging.ranking", "judging.declare_conflict",
                   "judging.entry_file"}
JURY_MANAGE_ENDPOINTS = {
    "judging_manage.jury", "judging_manage.add", "judging_manage.invite", "judging_manage.set_chair",
    "judging_manage.set_honorary", "judging_manage.set_categories", "judging_manage.remove",
    "judging_manage.assign", "judging_manage.clear", "judging_manage.order", "judging_manage.matrix",
    "judging_manage.remind", "judging_manage.entry", "judging_manage.recuse", "judging_manage.reopen",
    "judging_manage.ballots_upload", "judging_manage.ballots_confirm", "judging_manage.ballots_template"}


def test_jury_pages_are_for_jurors_and_organisers(app):
    rules = {endpoint: view.access_rule for endpoint, view in app.view_functions.items()
             if endpoint.startswith(("judging.", "judging_manage."))}
    assert rules == {**dict.fromkeys(JUROR_ENDPOINTS, frozenset({Role.JUROR})),
                     **dict.fromkeys(JURY_MANAGE_ENDPOINTS, frozenset({Role.ORGANISER})),
                     "judging.service_worker": "public"}  # a static script: it holds no data


def _sample_url(app, rule) -> str:
    values = {argument: 1 for argument in rule.arguments}
    with app.test_request_context():
        from flask import url_for
        return url_for(rule.endpoint, **values)


# Pages without arguments that answer by sending the visitor on (signing out, switching language),
# and the pages for visitors only, which send a signed-in account to its start page.
REDIRECTS = {"auth.logout", "site.switch_language"}
VISITORS_ONLY = {"auth.signup", "auth.login"}
# Open to anyone as far as roles go, and guarded by a check of its own (allowed addresses or a
# token: tests/ops/test_metrics.py); unconfigured, as here, it answers 404 to everyone.
OWN_GUARD = {"ops.metrics"}


def assert_has_content(response, url: str) -> None:
    """A page: one heading with text in it; anything else (a feed, a file): a body."""
    body = response.get_data(as_text=True)
    if response.mimetype != "text/html":
        assert body, url
        return
    headings = re.findall(r"<h1\b[^>]*>(.*?)</h1>", body, re.S)
    assert len(headings) == 1 and re.sub(r"<[^>]+>|\s", "", headings[0]), (url, headings)


@pytest.mark.parametrize("role", [None, *Role])
def test_role_matrix_over_every_route(app, client, login_as, role):
    """Anonymous visitors and each role get only what their role allows; nothing answers 500."""
    user = login_as(role) if role is not None else None
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ("static", "bootstrap.static"):
            continue
        if user is not None:  # sign in again: an earlier route in the walk may be /logout
            login_as(user=user)
        view = app.view_functions[rule.endpoint]
        access = view.access_rule
        url = _sample_url(app, rule)
        response = client.get(url) if "GET" in rule.methods else client.post_form(url)
        assert response.status_code < 500, (url, response.status_code)
        allowed = access == "public" or (role is not None and (access == "signed-in" or role == Role.ADMIN
                                                                or role in access))
        if rule.endpoint in OWN_GUARD:
            assert response.status_code == 404, url
            continue
        if allowed and "GET" in rule.methods and not rule.arguments and rule.endpoint not in REDIRECTS:
            if role is not None and rule.endpoint in VISITORS_ONLY:
                assert response.status_code == 302, url
            else:
                assert response.status_code == 200, (url, role, response.status_code)
                assert_has_content(response, url)
        if access == "public" or (role is not None and access == "signed-in"):
            assert response.status_code not in (401, 403), url
        elif role is None:
            assert response.status_code == 302 and "/login" in response.headers["Location"], url
        elif role != Role.ADMIN and role not in access:
            assert response.status_code == 403, (url, role)


def test_view_without_access_rule_is_denied(app):
    from flask import Flask

    extra = create_app("testing", SQLALCHEMY_DATABASE_URI="sqlite://")
    assert isinstance(extra, Flask)

    @extra.get("/forgotten")
    def forgotten():
        return "should not be served"

    assert extra.test_client().get("/forgotten").status_code == 403


def test_migrations_build_exactly_the_models_schema():
    """`flask db upgrade` from empty gives the schema the models describe (SQLite and PostgreSQL)."""
    url, drop = fresh_database_url()
    try:
        fresh = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
        with fresh.app_context():
            upgrade()
            with _db.engine.connect() as connection:
                context = MigrationContext.configure(connection, opts={"compare_type": True})
                differences = compare_metadata(context, _db.metadata)
            _db.engine.dispose()
        assert differences == []
    finally:
        drop()


def test_every_message_is_translated_in_every_language():
    gaps = catalogs.missing()
    assert gaps == {}, "\n".join(f"{locale}: {ids[:10]}" for locale, ids in gaps.items())


def test_cli_creates_admin_with_password_from_stdin(app, db):
    result = app.test_cli_runner().invoke(
        args=["users", "create", "admin@example.kz", "--role", "admin", "--name", "Admin"],
        input="a-long-admin-pass-phrase\n")
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    user = db.session.scalar(db.select(User).where(User.email == "admin@example.kz"))
    assert user.role == "admin"


def test_cli_refuses_weak_password_and_creates_nothing(app, db):
    result = app.test_cli_runner().invoke(
        args=["users", "create", "admin@example.kz", "--role", "admin", "--name", "Admin"], input="password\n")
    assert result.exit_code != 0
    assert db.session.scalar(db.select(User)) is None


def test_cli_set_role_and_disable(app, db, make_user):
    make_user(email="j@example.kz")
    runner = app.test_cli_runner()
    assert runner.invoke(args=["users", "set-role", "j@example.kz", "juror"]).exit_code == 0
    assert runner.invoke(args=["users", "disable", "j@example.kz"]).exit_code == 0
    db.session.expire_all()
    user = db.session.scalar(db.select(User))
    assert (user.role, user.is_active) == ("juror", False)
    assert runner.invoke(args=["users", "disable", "nobody@example.kz"]).exit_code != 0


def test_demo_is_idempotent_and_prints_logins(app, db):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    second = runner.invoke(args=["demo"])
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    assert "admin@demo.kz" in first.output
    db.session.expire_all()
    count = db.session.scalar(db.select(db.func.count()).select_from(User))
    assert count == 8
    # The past contests' histories are there once: Aqynfest 2022 (twelve poets, three jurors, two
    # rounds) and Shakarim 2023 (eight pupils, three jurors, one round), a snapshot each; Aqynfest
    # 2027 has four registrations.
    from contest.judging.models import ScoreSheet
    from contest.registration.models import Registration
    from contest.results.models import ResultSnapshot

    def rows(model) -> int:
        return db.session.scalar(db.select(db.func.count()).select_from(model))

    assert (rows(Registration), rows(ScoreSheet), rows(ResultSnapshot)) == (12 + 8 + 4, 12 * 3 * 2 + 8 * 3, 2)


def test_the_app_starts_in_a_fresh_interpreter(tmp_path):
    """The suite imports modules in its own order, which can hide a circular import; `make run`
    and gunicorn start from nothing, so start the app the same way."""
    import subprocess
    import sys
    from pathlib import Path

    environment = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite3'}", "APP_ENV": "development"}
    started = subprocess.run([sys.executable, "-c", "from contest import create_app; create_app()"],
                             capture_output=True, text=True, env=environment, cwd=Path(__file__).parent.parent,
                             timeout=120)
    assert started.returncode == 0, started.stderr


@pytest.fixture
def world(make_contest, make_category, make_criterion, make_round, make_award_tier, make_participant,
          make_registration, make_juror, make_user, make_post):
    """One contest in judging with everything its pages show: a category, a criterion, a round, an
    award tier, an approved entry of a participant account, a juror; and a news post."""
    from tests.registration.helpers import one_work_entry

    contest = make_contest(status="judging", title_en="Aqynfest in judging")
    category = make_category(contest)
    make_criterion(contest)
    round_ = make_round(contest)
    make_award_tier(contest)
    account = make_user(role=Role.PARTICIPANT.value)
    participant = make_participant(account, surname="Seitova")
    registration = make_registration(contest, participant=participant, category=category, status="approved")
    _db.session.add(one_work_entry(registration, title="Dala", text="A line"))
    juror = make_juror(contest)
    post = make_post()
    _db.session.commit()
    return {"contest": contest, "round": round_, "registration": registration, "participant": participant,
            "account": account, "juror": juror.user, "post": post}


# What each role opens in its day's work: (role, endpoint, URL values from the world, heading text).
DAILY_PAGES = [
    (None, "contests.detail", lambda w: {"slug": w["contest"].slug}, "Aqynfest in judging"),
    (None, "news.post", lambda w: {"slug": w["post"].slug}, "News post"),
    ("participant", "registration.registration", lambda w: {"registration_id": w["registration"].id}, None),
    ("participant", "registration.edit_participant", lambda w: {"participant_id": w["participant"].id}, None),
    ("juror", "judging.queue", lambda w: {"contest_id": w["contest"].id, "round_id": w["round"].id}, None),
    ("juror", "judging.sheet", lambda w: {"contest_id": w["contest"].id, "round_id": w["round"].id,
                                          "registration_id": w["registration"].id}, None),
    *[(role, endpoint, values, None) for role in ("organiser", "admin") for endpoint, values in [
        ("contests.manage", lambda w: {"contest_id": w["contest"].id}),
        ("contests.edit", lambda w: {"contest_id": w["contest"].id}),
        ("registration_manage.index", lambda w: {"contest_id": w["contest"].id}),
        ("registration_manage.detail", lambda w: {"contest_id": w["contest"].id,
                                                  "registration_id": w["registration"].id}),
        ("judging_manage.jury", lambda w: {"contest_id": w["contest"].id}),
        ("judging_manage.matrix", lambda w: {"contest_id": w["contest"].id, "round_id": w["round"].id}),
        ("judging_manage.entry", lambda w: {"contest_id": w["contest"].id, "registration_id": w["registration"].id}),
        ("results.standings", lambda w: {"contest_id": w["contest"].id}),
        ("certificates.manage", lambda w: {"contest_id": w["contest"].id}),
        ("news.edit", lambda w: {"post_id": w["post"].id}),
    ]],
]


@pytest.mark.parametrize(("role", "endpoint", "values", "heading"), DAILY_PAGES,
                         ids=[f"{role}-{endpoint}" for role, endpoint, _values, _heading in DAILY_PAGES])
def test_each_role_opens_its_pages_with_their_content(app, client, login_as, world, role, endpoint, values,
                                                      heading):
    """The allowed side of the matrix: each role's pages about real objects answer 200 with
    their heading (the matrix above walks every route with made-up ids)."""
    from flask import url_for

    if role == "participant":
        login_as(user=world["account"])
    elif role == "juror":
        login_as(user=world["juror"])
    elif role is not None:
        login_as(role)
    with app.test_request_context():
        url = url_for(endpoint, **values(world))
    response = client.get(url, headers={"Accept-Language": "en"})
    assert response.status_code == 200, (url, response.status_code)
    assert_has_content(response, url)
    if heading:
        assert heading in re.search(r"<h1\b[^>]*>(.*?)</h1>", response.get_data(as_text=True), re.S).group(1)
