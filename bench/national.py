"""The national-scale benchmark database, shared by the booking and settlement benchmarks.

``dolbom_bench`` holds the national demo data (231 agencies, about 30,000 caregivers and 140,000
households). It is made on first use (``flask db upgrade`` and ``flask demo-data --scale
national``, about two and a half minutes), upgraded to the head migration when it exists, and
compared with the models (``flask db check``: a head migration edited in place is caught). Each
run works on a copy, so that it can be run again.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/dolbom_bench"


def ensure_template(url: str) -> None:
    """Create ``dolbom_bench`` with national demo data when missing; upgrade it to head."""
    target = sa.engine.make_url(url)
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        found = connection.scalar(
            sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": target.database}
        )
        if not found:
            connection.exec_driver_sql(f'CREATE DATABASE "{target.database}"')
    admin.dispose()
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    env = {**os.environ, "DATABASE_URL": url}
    subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True)
    checked = subprocess.run([*flask, "db", "check"], cwd=ROOT, env=env, capture_output=True)
    if checked.returncode:  # e.g. the head migration was edited after dolbom_bench was made
        raise SystemExit(
            f"{target.database} does not match the models (flask db check): drop it to have "
            "it rebuilt, or bring it in line by hand\n" + checked.stderr.decode()[-600:]
        )
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        households = connection.exec_driver_sql("SELECT count(*) FROM households").scalar()
    engine.dispose()
    if not households:
        print("loading the national demo data (about two minutes)...", flush=True)
        command = [*flask, "demo-data", "--scale", "national"]
        subprocess.run(command, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def copy_database(url: str) -> str:
    source = sa.engine.make_url(url)
    name = f"dolbom_bench_run_{uuid.uuid4().hex[:6]}"
    admin = sa.create_engine(source.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        # a file copy, not 150 MB written through the WAL and flushed while the benchmark runs
        version = connection.exec_driver_sql("SHOW server_version_num").scalar()
        strategy = " STRATEGY FILE_COPY" if int(version) >= 150000 else ""
        connection.exec_driver_sql(
            f'CREATE DATABASE "{name}" TEMPLATE "{source.database}"{strategy}'
        )
    admin.dispose()
    return source.set(database=name).render_as_string(hide_password=False)


def flush_to_disk(url: str) -> None:
    """Write the preparation's changes to disk before measuring: a checkpoint flushing them
    mid-run would stall commits and show up as latency that is not the application's."""
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql("VACUUM ANALYZE")
        connection.exec_driver_sql("CHECKPOINT")
    admin.dispose()
    os.sync()


def drop_database(url: str) -> None:
    target = sa.engine.make_url(url)
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)')
    admin.dispose()
