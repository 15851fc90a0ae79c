"""The application factory: a readable list of configuration steps."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import Flask

from core.clock import Clock, FixedClock, SystemClock
from vouchers.tariffs import TariffBook, default_tariff_book

from . import config as settings
from .documents import FileDocumentStore
from .extensions import babel, csrf, db, limiter, login_manager, migrate
from .json import configure_json
from .payments import configure_payments


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(settings.ROOT / "templates"),
        static_folder=str(settings.ROOT / "static"),
        instance_path=str(settings.ROOT / "instance"),
    )
    configure_settings(app, config)
    configure_json(app)
    configure_logging(app)
    configure_database(app)
    configure_i18n(app)
    configure_security(app)
    configure_payments(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_commands(app)
    return app


def configure_settings(app: Flask, overrides: Mapping[str, Any] | None) -> None:
    app.config.from_mapping(settings.flask_settings())
    app.config.from_prefixed_env("DOLBOM")
    if overrides:
        app.config.from_mapping(overrides)
    app.extensions["dolbom.clock"] = app.config.pop("CLOCK", None) or _configured_clock(app)
    # rules figures are data (RULES.md): a directory of one TOML file per tariff year
    app.extensions["dolbom.documents"] = FileDocumentStore(Path(app.config["UPLOAD_DIRECTORY"]))
    app.extensions["dolbom.caregiver_limits"] = app.config.pop("CAREGIVER_LIMITS", None)
    directory = app.config.get("TARIFF_DIRECTORY")
    app.extensions["dolbom.tariffs"] = (
        TariffBook.from_directory(Path(directory)) if directory else default_tariff_book()
    )


def _configured_clock(app: Flask) -> Clock:
    """The system clock; a demo or a benchmark may pin the time with FIXED_TIME (ISO 8601)."""
    pinned = app.config.get("FIXED_TIME")
    if not pinned:
        return SystemClock()
    instant = datetime.fromisoformat(pinned)
    if instant.tzinfo is None:
        raise ValueError("FIXED_TIME needs a UTC offset, e.g. 2026-03-02T10:00:00+09:00")
    return FixedClock(instant)


def configure_logging(app: Flask) -> None:
    if not app.debug and not app.testing:
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )


def configure_database(app: Flask) -> None:
    from . import models  # noqa: F401  (every table on the shared metadata)

    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite:///"):
        Path(uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {}
    elif uri.startswith("postgresql+psycopg://"):
        from core.driver import LazilyDescribedCursor

        options = app.config["SQLALCHEMY_ENGINE_OPTIONS"]
        connect_args = {**options.get("connect_args", {}), "cursor_factory": LazilyDescribedCursor}
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {**options, "connect_args": connect_args}
    db.init_app(app)
    if uri.startswith("sqlite"):
        _enforce_sqlite_foreign_keys(app)
    migrate.init_app(app, db, directory=str(settings.ROOT / "migrations"), render_as_batch=True)


def _enforce_sqlite_foreign_keys(app: Flask) -> None:
    from sqlalchemy import event

    with app.app_context():
        engine = db.engine

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection, _record):
            # SQLite leaves foreign keys off by default; and Python's sqlite3 module opens
            # transactions on its own schedule, which breaks SAVEPOINTs: let SQLAlchemy decide
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _on_begin(connection):
            connection.exec_driver_sql("BEGIN")


def configure_i18n(app: Flask) -> None:
    from flask_babel import format_date, format_datetime, format_decimal, get_locale

    from .i18n import LOCALE_NAMES, selected_locale
    from .labels import labels

    babel.init_app(app, locale_selector=selected_locale)
    app.jinja_env.globals.update(
        get_locale=get_locale,
        LOCALE_NAMES=LOCALE_NAMES,
        format_date=format_date,
        format_datetime=format_datetime,
        format_won=lambda amount: format_decimal(amount),
    )
    app.context_processor(labels)


def configure_security(app: Flask) -> None:
    from .accounts.models import User

    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
        return user if user is not None and user.active else None

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response


def register_blueprints(app: Flask) -> None:
    from .api import register_api
    from .web import payments, register_web, settlement

    register_web(app)
    for blueprint in (payments.bp, settlement.claims_bp, settlement.bp):
        app.register_blueprint(blueprint)
    register_api(app)


def register_error_handlers(app: Flask) -> None:
    from .errors import register_error_handlers as register

    register(app)


def register_commands(app: Flask) -> None:
    from .cli import register_cli

    register_cli(app)
