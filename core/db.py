"""The declarative base every model shares, with a constraint naming convention for Alembic."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import ClauseElement, DateTime, Executable, MetaData, Result, TypeDecorator, literal
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase, Session, registry
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import Boolean

T = TypeVar("T")

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware instant stored as UTC (timestamptz on PostgreSQL).

    SQLite keeps no offset, so values are normalised to UTC on the way in and tagged UTC on the
    way out; naive datetimes are refused rather than guessed.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where an aware one is required")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class overlaps(FunctionElement[bool]):
    """``overlaps(starts, ends, since, until)``: ``[starts, ends)`` overlaps ``[since, until)``.

    On PostgreSQL it is ``tstzrange(starts, ends) && tstzrange(since, until)``, which a GiST index
    over the range (an exclusion constraint's) answers by itself however long the history is;
    elsewhere two comparisons."""

    type = Boolean()
    inherit_cache = True
    name = "overlaps"

    def __init__(self, starts: Any, ends: Any, since: Any, until: Any) -> None:
        # plain values are bound as the columns' type (UTC on SQLite); a bindparam() brings its own
        since, until = (
            value if isinstance(value, ClauseElement) else literal(value, starts.type)
            for value in (since, until)
        )
        super().__init__(starts, ends, since, until)


@compiles(overlaps)
def _overlaps(element: overlaps, compiler: Any, **kw: Any) -> str:
    starts, ends, since, until = (compiler.process(part, **kw) for part in element.clauses)
    return f"({starts} < {until} AND {ends} > {since})"


@compiles(overlaps, "postgresql")
def _overlaps_postgresql(element: overlaps, compiler: Any, **kw: Any) -> str:
    starts, ends, since, until = (compiler.process(part, **kw) for part in element.clauses)
    return f"tstzrange({starts}, {ends}) && tstzrange({since}, {until})"


mapper_registry = registry(
    metadata=MetaData(naming_convention=NAMING_CONVENTION),
    type_annotation_map={datetime: UTCDateTime()},
)


class Base(DeclarativeBase):
    registry = mapper_registry
    metadata = mapper_registry.metadata


def read_rows(session: Session, statement: Executable, params: dict[str, Any]) -> Result[Any]:
    """Plain rows of a Core SELECT, read on the session's connection after its pending changes are
    flushed (as autoflush would): for a statement of columns the ORM adds nothing but its own
    cost, which on a hot path is as much as the database's."""
    session.flush()
    return session.connection().execute(statement, params)


def insert_once(session: Session, row: T, find: Callable[[], T | None]) -> T:
    """Insert ``row`` unless a concurrent transaction inserted its twin (a unique key) first.

    Callers look for an earlier row before building theirs; this covers the race in which two
    requests both looked and found nothing: the loser's insert is rolled back to a savepoint
    and the winner's row is returned, so a retried notice or a double click is never a 500.
    """
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        existing = find()
        if existing is None:
            raise
        return existing
    return row
