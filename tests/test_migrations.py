"""Migrations: one head; upgrade then autogenerate finds nothing; downgrade to base works."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from flask_migrate import check, downgrade, upgrade

from service.extensions import db
from tests.conftest import build_app, dispose


@pytest.fixture
def fresh_app(backend, clock, tmp_path, request):
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'migrations.sqlite'}"
    else:
        url = request.getfixturevalue("scratch_postgres_database")
    app = build_app(url, clock)
    yield app
    dispose(app)


@pytest.fixture
def scratch_postgres_database():
    import uuid

    import sqlalchemy as sa

    from tests.conftest import POSTGRES_ADMIN_URL

    name = f"dolbom_migrations_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    yield (
        sa.engine.make_url(POSTGRES_ADMIN_URL)
        .set(database=name)
        .render_as_string(hide_password=False)
    )
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def test_a_single_head():
    scripts = ScriptDirectory(str(Path(__file__).parent.parent / "migrations"))
    assert len(scripts.get_heads()) == 1


def test_upgrade_matches_the_models_and_downgrade_works(fresh_app):
    with fresh_app.app_context():
        upgrade()
        check()  # raises when autogenerate would find a difference
        downgrade(revision="base")
        assert set(db.inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert "households" in db.inspect(db.engine).get_table_names()
