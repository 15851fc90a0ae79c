"""The psycopg cursor the service connects with (``core.driver``): its description reads as
psycopg's own, though it builds its columns only when one is read."""

from __future__ import annotations

import psycopg
import pytest
import sqlalchemy as sa

from core.driver import LazilyDescribedCursor

pytestmark = pytest.mark.postgres


@pytest.fixture
def connections(postgres_database):
    url = sa.engine.make_url(postgres_database)
    conninfo = f"host={url.host} port={url.port or 5432} user={url.username} dbname={url.database}"
    with (
        psycopg.connect(conninfo, cursor_factory=LazilyDescribedCursor) as lazy,
        psycopg.connect(conninfo) as plain,
    ):
        yield lazy, plain


QUERY = "SELECT 1 AS n, 'x'::varchar(7) AS code, now() AS at, NULL::numeric(5, 2) AS money"


def _described(description):
    return [
        (c.name, c.type_code, c.display_size, c.internal_size, c.precision, c.scale)
        for c in description
    ]


def test_the_description_is_psycopgs_own(connections):
    lazy, plain = connections
    described = lazy.execute(QUERY).description
    expected = plain.execute(QUERY).description
    assert len(described) == len(expected) == 4
    assert _described(described) == _described(expected)
    assert described[1].name == "code" and described[-1].scale == 2
    assert _described(described[1:3]) == _described(expected[1:3])


def test_a_description_keeps_its_result_after_the_next_statement(connections):
    lazy, _ = connections
    cursor = lazy.cursor()
    first = cursor.execute(QUERY).description  # not read yet
    second = cursor.execute("SELECT 2 AS other").description
    assert [c.name for c in first] == ["n", "code", "at", "money"]
    assert [c.name for c in second] == ["other"]


def test_no_rows_no_description_and_an_empty_select_has_one(connections):
    lazy, plain = connections
    for connection in (lazy, plain):
        connection.execute("CREATE TEMPORARY TABLE IF NOT EXISTS scratch (n integer)")
    assert lazy.execute("INSERT INTO scratch VALUES (1)").description is None
    assert len(lazy.execute("SELECT").description) == 0
    assert lazy.execute("SELECT").description is not None
    assert plain.execute("SELECT").description is not None  # psycopg's own says the same


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_the_service_connects_with_it(session):
    """The app's PostgreSQL engine hands SQLAlchemy this cursor; its ORM reads rows through it."""
    from booking.geography import District

    connection = session.connection()
    cursor = connection.connection.dbapi_connection.cursor()
    assert isinstance(cursor, LazilyDescribedCursor)
    row = connection.execute(sa.text("SELECT 7 AS seven, 'a' AS letter")).one()
    assert (row.seven, row.letter) == (7, "a")
    district = session.scalars(sa.select(District).order_by(District.code).limit(1)).one()
    assert district.code and isinstance(district.lat_e6, int)
