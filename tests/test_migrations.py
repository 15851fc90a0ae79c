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
        url = request.getfixturevalue("scratch_postgres_url")
    app = build_app(url, clock)
    yield app
    dispose(app)


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
