"""Test harness: the schema comes from the real migrations, on SQLite and on PostgreSQL.

Every test that uses ``app`` runs once per database backend. Each test runs inside an outer
transaction that is rolled back afterwards; the code under test commits to savepoints (the
Flask-SQLAlchemy 3 recipe of ../shared/STACK-NOTES.md: swap the engine for the connection).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
import stripe
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, g
from flask_migrate import upgrade

from booking.reference_data import load_reference_data
from core.clock import SEOUL, FixedClock
from service.app import create_app
from service.extensions import db, limiter
from vouchers.gateways import StripeGateway, VirtualAccountGateway
from vouchers.payments import PaymentSetup

POSTGRES_ADMIN_URL = os.environ.get(
    "DOLBOM_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
BACKENDS = ["sqlite", "postgresql"]
START = datetime(2026, 3, 2, 10, 0, tzinfo=SEOUL)  # a Monday


def _postgres_available() -> bool:
    try:
        engine = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with engine.connect():
            pass
        engine.dispose()
        return True
    except sa.exc.OperationalError:
        return False


def pytest_sessionstart(session):
    """Compile the catalogues (as make does), so that a plain ``pytest`` sees translated pages."""
    root = Path(__file__).resolve().parent.parent / "translations"
    for po in root.glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with po.open("rb") as source, mo.open("wb") as target:
                write_mo(target, read_po(source))


def pytest_collection_modifyitems(config, items):
    # make test and CI set DOLBOM_REQUIRE_POSTGRES: there a missing server fails, never skips
    if os.environ.get("DOLBOM_REQUIRE_POSTGRES") == "1" or _postgres_available():
        return
    skip = pytest.mark.skip(reason="no PostgreSQL server at DOLBOM_TEST_POSTGRES_URL")
    for item in items:
        callspec = getattr(item, "callspec", None)
        on_postgres = callspec is not None and callspec.params.get("backend") == "postgresql"
        if on_postgres or item.get_closest_marker("postgres"):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A fresh database on the PostgreSQL server for this test session."""
    name = f"dolbom_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = sa.engine.make_url(POSTGRES_ADMIN_URL).set(database=name)
    yield url.render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


@pytest.fixture
def scratch_postgres_url() -> Iterator[str]:
    """An empty PostgreSQL database of its own, for tests that must really commit."""
    name = f"dolbom_scratch_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = sa.engine.make_url(POSTGRES_ADMIN_URL).set(database=name)
    yield url.render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def build_app(url: str, clock: FixedClock, **overrides) -> Flask:
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": url,
            "WTF_CSRF_ENABLED": False,
            "CLOCK": clock,
            "RATELIMIT_ENABLED": True,
            "UPLOAD_DIRECTORY": tempfile.mkdtemp(prefix="dolbom-uploads-"),
            **overrides,
        }
    )

    @app.before_request
    def fresh_g():
        # tests keep one app context open around many requests, so ``g`` would carry the
        # logged-in user and the chosen locale from one request into the next; a real server
        # starts every request with an empty ``g``
        for name in list(vars(g)):
            delattr(g, name)

    return app


def migrate_and_seed(app: Flask) -> None:
    with app.app_context():
        upgrade()
        load_reference_data(db.session)
        db.session.commit()


@pytest.fixture(scope="session")
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture(scope="session")
def _session_app(backend, clock, tmp_path_factory, request) -> Iterator[Flask]:
    if backend == "sqlite":
        url = f"sqlite:///{Path(tmp_path_factory.mktemp('db')) / 'test.sqlite'}"
    else:
        url = request.getfixturevalue("postgres_database")
    app = build_app(url, clock)
    migrate_and_seed(app)
    yield app
    dispose(app)


def dispose(app: Flask) -> None:
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose()


@pytest.fixture
def app(_session_app: Flask, clock: FixedClock) -> Iterator[Flask]:
    """The app inside one rolled-back outer transaction per test."""
    clock.instant = START
    with _session_app.app_context():
        engines = db.engines
        engine = engines[None]
        connection = engine.connect()
        outer = connection.begin()
        engines[None] = connection
        db.session.configure(join_transaction_mode="create_savepoint")
        limiter.reset()
        try:
            yield _session_app
        finally:
            db.session.remove()
            outer.rollback()
            connection.close()
            engines[None] = engine


@pytest.fixture
def client(app: Flask):
    """A test client that asks for English, so that tests read the source strings."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def session(app: Flask):
    return db.session


# --- the card backend: the localstripe emulator on loopback, started once per test session ---

LAUNCHER = Path(__file__).resolve().parent / "localstripe_server.py"


@pytest.fixture(scope="session")
def localstripe_url():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, str(LAUNCHER), str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{url}/v1/customers", timeout=1)
            break
        except Exception:
            time.sleep(0.1)
    yield url
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def stripe_client(localstripe_url):
    request = urllib.request.Request(f"{localstripe_url}/_config/data", method="DELETE")
    urllib.request.urlopen(request, timeout=5)
    return stripe.StripeClient(
        "sk_test_dolbom", base_addresses={"api": localstripe_url}, max_network_retries=0
    )


@pytest.fixture
def card_setup(app, stripe_client):
    """The card backend for one test: the app's payments go through localstripe."""
    setup = PaymentSetup(
        card=StripeGateway(stripe_client),
        virtual_accounts=VirtualAccountGateway(bank="NH", secret="s3cret"),
    )
    previous = app.extensions["dolbom.payments"]
    app.extensions["dolbom.payments"] = setup
    yield setup
    app.extensions["dolbom.payments"] = previous
