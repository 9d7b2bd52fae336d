"""Literary contests of the Centralized Library System of Almaty."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from config import CONFIGS, Config, ProductionConfig

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: type[Config] | str | None = None, **overrides: object) -> Flask:
    """Build the application.

    `config` is a config class or one of "development", "testing", "production";
    by default `APP_ENV` chooses, falling back to development.
    """
    config_class = _config_class(config)
    if issubclass(config_class, ProductionConfig):
        config_class.check()

    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    app.config.from_object(config_class)
    app.config.update(overrides)
    os.makedirs(app.instance_path, exist_ok=True)
    if app.config["TRUSTED_PROXIES"]:
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]  # Flask's documented way to wrap it
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    from contest import addresses, api, ops, pagecache, web

    web.init_extensions(app)
    addresses.init_app(app)
    ops.init_app(app)
    pagecache.init_app(app)
    web.register_blueprints(app)
    api.init_app(app)
    _connect_domains(app)
    web.register_request_hooks(app)
    web.register_error_handlers(app)
    web.register_template_helpers(app)

    from contest.cli import register_cli

    register_cli(app)
    return app


def _connect_domains(app: Flask) -> None:
    """Each domain built on contests connects to the contests' signals (DESIGN.md §1) here, in
    the order of the domains: the order of the boxes on the organiser's contest page and of the
    checks. Nothing is wired as a side effect of importing a module."""
    from contest import certificates, contests, judging, news, registration, results, sharing, stage

    contests.init_app(app)
    for domain in (news, registration, judging, results, certificates, stage, sharing):
        domain.init_app(app)


def _config_class(config: type[Config] | str | None) -> type[Config]:
    if config is None:
        config = os.environ.get("APP_ENV", "development")
    if isinstance(config, str):
        try:
            return CONFIGS[config]
        except KeyError:
            raise RuntimeError(f"Unknown APP_ENV {config!r}; use one of {sorted(CONFIGS)}") from None
    return config
