"""The declarative base every model shares, with a constraint naming convention for Alembic."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import groupby
from typing import Any, TypeVar

import orjson
from sqlalchemy import (
    JSON,
    ClauseElement,
    Column,
    ColumnElement,
    DateTime,
    Executable,
    Insert,
    Integer,
    MetaData,
    Result,
    Select,
    Table,
    Text,
    TypeDecorator,
    bindparam,
    cast,
    func,
    insert,
    inspect,
    literal,
    literal_column,
    select,
)
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import (
    DeclarativeBase,
    InstanceState,
    Session,
    make_transient_to_detached,
    registry,
)
from sqlalchemy.orm.interfaces import MANYTOONE
from sqlalchemy.sql import column as column_clause
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.selectable import TableValuedAlias
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


def one_of(column: ColumnElement[Any], values: Iterable[str]) -> ColumnElement[bool]:
    """``column IN ('a', 'b')`` with the values written into the SQL when it is compiled.

    For the code's own constants (states, kinds) in the statements a hot path builds once: a
    list of bound values is expanded again on every execution (SQLAlchemy's post-compile step,
    a tenth of a ranking's statement overhead), and the predicate of a partial index or an
    exclusion constraint is matched only by a plan that sees the values as literals.
    """
    return column.in_([literal_column(_quoted(value), column.type) for value in values])


def _quoted(value: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"one_of takes the code's own strings, not {value!r}")
    return "'" + value.replace("'", "''") + "'"  # standard SQL, as PostgreSQL and SQLite read it


class Base(DeclarativeBase):
    registry = mapper_registry
    metadata = mapper_registry.metadata


def read_rows(session: Session, statement: Executable, params: dict[str, Any]) -> Result[Any]:
    """Plain rows of a Core SELECT, read on the session's connection after its pending changes are
    flushed (as autoflush would): for a statement of columns the ORM adds nothing but its own
    cost, which on a hot path is as much as the database's."""
    session.flush()
    return session.connection().execute(statement, params)


@dataclass(frozen=True)
class KeyedRows:
    """Plain rows written with a new object: ``key_column`` takes the object's generated key (a
    booking's offers, the audit event of its request)."""

    table: Table
    key_column: str
    rows: Sequence[Mapping[str, Any]]


def write_new(
    session: Session, objects: Sequence[Base], *, keyed: Sequence[KeyedRows] = ()
) -> None:
    """INSERT new objects with Core and keep them in the session as written and unchanged.

    For a few new rows on a hot path, where the unit of work costs more than the statements: a
    booking's three rows took 1.9 ms of CPU through a flush and 1.0 ms this way. ``objects``
    come parents first; rows of one table in a row go in one statement. A foreign key is taken
    from a many-to-one relationship to an object already written; an unset column takes its
    default, so that every column is known and nothing is read back. ``keyed`` rows follow,
    with the first object's key. Errors are the database's (``IntegrityError`` for a violated
    constraint), raised before anything is attached.

    On PostgreSQL, when every object refers to none but the first, everything is one statement
    (see ``_write_as_one``): one round trip instead of one per table.
    """
    session.flush()  # what is pending goes first, as autoflush would do before a statement
    states = [inspect(obj) for obj in objects]
    connection = session.connection()
    if connection.dialect.name != "postgresql" or not _write_as_one(connection, states, keyed):
        _write_table_by_table(connection, states)
        key = _generated_key(states[0])
        for batch in keyed:
            if batch.rows:
                rows = [{**row, batch.key_column: key} for row in batch.rows]
                insert_rows(session, batch.table, rows)
    for state in states:
        make_transient_to_detached(state.obj())
    session.add_all(objects)


def _write_table_by_table(connection: Connection, states: list[InstanceState[Any]]) -> None:
    for mapper, group in groupby(states, key=lambda state: state.mapper):
        batch = list(group)
        table = mapper.local_table
        rows = [_row_of(state)[0] for state in batch]
        generated = tuple(c for c in mapper.primary_key if c.key not in rows[0])
        if not generated:
            connection.execute(_insert(table, ()), rows)
            continue
        keys_in_order = connection.execute(_insert(table, generated), rows)
        for state, keys in zip(batch, keys_in_order, strict=True):
            for column, value in zip(generated, keys, strict=True):
                setattr(state.obj(), mapper.get_property_by_column(column).key, value)


def _generated_key(state: InstanceState[Any]) -> Any:
    (column,) = state.mapper.primary_key
    return getattr(state.obj(), state.mapper.get_property_by_column(column).key)


@dataclass(frozen=True)
class _Part:
    """One table's share of a statement that writes a new row and what hangs from it."""

    table: Table
    keys: tuple[str, ...]  # the columns sent with the rows
    root_columns: tuple[str, ...]  # the columns that take the first row's key
    generated: str | None  # the column whose values the database gives (returned)


def _write_as_one(
    connection: Connection, states: list[InstanceState[Any]], keyed: Sequence[KeyedRows]
) -> bool:
    """Write the first object, the objects that refer to it and the keyed rows in one statement
    of data-modifying CTEs; False (nothing written) when the objects do not fit that shape.

    Each table's rows go as one JSON parameter, in order (``_record_set``): five parameters
    where a booking request's columns would be fifty, each of which SQLAlchemy and psycopg
    process on their own, and a statement psycopg can cache. The keys the
    database gives a table's rows come back sorted, which is their order, as a sequence gives
    ascending numbers to rows inserted in order (SQLAlchemy's own ``insertmanyvalues`` relies on
    the same). Foreign keys are checked at the end of the statement, when every row is in."""
    root = states[0]
    if len(root.mapper.primary_key) != 1:
        return False
    parts: list[_Part] = []
    params: dict[str, Any] = {}
    groups: list[list[InstanceState[Any]]] = []

    def add(part: _Part, rows: Sequence[Mapping[str, Any]]) -> bool:
        """Take a table's rows as the next record set; False when JSON cannot carry them."""
        if not _travels_as_json(part.table, part.keys, rows):
            return False
        params[f"p{len(parts)}_rows"] = _rows_as_json(part.table, part.keys, rows, connection)
        parts.append(part)
        return True

    for mapper, group in groupby(states, key=lambda state: state.mapper):
        batch = list(group)
        if not parts and len(batch) != 1:
            return False
        rows_and_roots = [_row_of(state, root=root.obj()) for state in batch]
        rows = [row for row, _ in rows_and_roots]
        root_columns = rows_and_roots[0][1]
        if root_columns is None or any(
            roots != root_columns or row.keys() != rows[0].keys() for row, roots in rows_and_roots
        ):
            return False  # a row needs another new object's key, or the rows differ in shape
        generated = [
            c.key for c in mapper.primary_key if c.key not in rows[0] and c.key not in root_columns
        ]
        if len(generated) > 1:
            return False
        table = mapper.local_table
        if not add(_Part(table, tuple(rows[0]), root_columns, next(iter(generated), None)), rows):
            return False
        groups.append(batch)
    for batch in keyed:
        if not batch.rows:
            continue
        keys = tuple(key for key in batch.rows[0] if key != batch.key_column)
        if not add(_Part(batch.table, keys, (batch.key_column,), None), batch.rows):
            return False
    if parts[0].generated is None:
        return False
    returned = connection.execute(_one_statement(tuple(parts)), params).one()
    # the first object's key, then the sorted keys of each later table that has generated ones
    key, *generated_keys = returned
    given = iter([[key], *(sorted(keys) for keys in generated_keys)])
    for part, batch in zip(parts, groups, strict=False):  # the keyed rows have no objects
        keys = next(given) if part.generated else None
        for index, state in enumerate(batch):
            for column in part.root_columns:
                _set_column(state, part.table.c[column], key)
            if keys is not None:
                _set_column(state, part.table.c[part.generated], keys[index])
    return True


def _set_column(state: InstanceState[Any], column: Column[Any], value: Any) -> None:
    setattr(state.obj(), state.mapper.get_property_by_column(column).key, value)


@functools.cache  # one statement per shape: a booking request then only binds its values
def _one_statement(parts: tuple[_Part, ...]) -> Select[Any]:
    first, *rest = parts
    row = _record_set(first.table, first.keys, name="p0_rows")
    root = (
        insert(first.table)
        .from_select(list(first.keys), select(*(row.c[k] for k in first.keys)))
        .returning(first.table.c[first.generated])
        .cte("p0")
    )
    root_key = select(root.c[first.generated]).scalar_subquery()
    ctes, returned = [], []
    for index, part in enumerate(rest, start=1):
        table = part.table
        record_set = _record_set(table, part.keys, name=f"p{index}_rows")
        source = select(
            *(root_key for _ in part.root_columns), *(record_set.c[k] for k in part.keys)
        ).order_by(record_set.c.ordinal)
        statement = insert(table).from_select([*part.root_columns, *part.keys], source)
        if part.generated:
            statement = statement.returning(table.c[part.generated])
        cte = statement.cte(f"p{index}")
        ctes.append(cte)
        if part.generated:
            returned.append(select(func.array_agg(cte.c[part.generated])).scalar_subquery())
    return select(root.c[first.generated], *returned).add_cte(*ctes)


@functools.cache  # built once per table: composing a statement costs as much as sending it
def _insert(table: Table, generated: tuple[Column[Any], ...]) -> Insert:
    statement = insert(table)
    return statement.returning(*generated, sort_by_parameter_order=True) if generated else statement


def _row_of(
    state: InstanceState[Any], root: object | None = None
) -> tuple[dict[str, Any], tuple[str, ...] | None]:
    """The object's row, with keys from written parents and defaults set on the object too; and
    the columns that take the key of ``root`` (not written yet), or None when the object refers
    to another unwritten object."""
    mapper, values = state.mapper, state.dict
    root_columns: list[str] = []
    for relationship in mapper.relationships:
        parent = values.get(relationship.key)
        if relationship.direction is MANYTOONE and parent is not None:
            if parent is root:
                root_columns.extend(local.key for local, _ in relationship.local_remote_pairs)
                continue
            parent_mapper = inspect(parent).mapper
            for local, remote in relationship.local_remote_pairs:
                value = getattr(parent, parent_mapper.get_property_by_column(remote).key)
                if value is None and root is not None:
                    return {}, None
                setattr(state.obj(), mapper.get_property_by_column(local).key, value)
    row = {}
    for prop in mapper.column_attrs:
        column = prop.columns[0]
        if column.key in root_columns:
            continue
        if prop.key not in values:
            if column.primary_key and column.autoincrement in (True, "auto"):
                continue  # the database's to give
            setattr(state.obj(), prop.key, _default_of(mapper.class_.__name__, prop.key, column))
        row[column.key] = values[prop.key]
    return row, tuple(root_columns)


def _default_of(model: str, key: str, column: Any) -> Any:
    default = column.default
    if default is None:
        return None
    if default.is_scalar:
        return default.arg
    if default.is_callable:
        return default.arg(None)  # SQLAlchemy's wrapper of a plain callable takes a context
    raise ValueError(f"{model}.{key}: set it, or give the column a Python default")


def insert_rows(session: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """INSERT plain rows (all with the same keys) on the session's transaction, in one statement.

    On PostgreSQL the rows travel as one JSON parameter (``_record_set``). Ten offers of a
    booking took 0.3–0.5 ms less CPU, client and server together, as one array per column than as
    an ``executemany`` (which psycopg pipelines, but which binds and executes each row), and
    0.5 ms less again as JSON than as arrays: psycopg and SQLAlchemy dump an array element by
    element in Python. Elsewhere, and for rows JSON cannot carry exactly (see
    ``_travels_as_json``), it is an ``executemany``.
    """
    if not rows:
        return
    session.flush()  # what is pending goes first (a parent row, say), as autoflush would do
    connection = session.connection()
    keys = tuple(rows[0])
    if connection.dialect.name != "postgresql" or not _travels_as_json(table, keys, rows):
        connection.execute(_insert(table, ()), list(rows))
        return
    connection.execute(
        _insert_from_json(table, keys), {"rows": _rows_as_json(table, keys, rows, connection)}
    )


@functools.cache  # one statement per table and set of columns
def _insert_from_json(table: Table, keys: tuple[str, ...]) -> Insert:
    batch = _record_set(table, keys, name="rows")
    return insert(table).from_select(
        list(keys), select(*(batch.c[key] for key in keys)).order_by(batch.c.ordinal)
    )


def _travels_as_json(table: Table, keys: Iterable[str], rows: Sequence[Mapping[str, Any]]) -> bool:
    """Rows can go as a JSON record set on PostgreSQL unless a JSON column holds None: the record
    set reads a JSON null as SQL NULL, where SQLAlchemy writes the JSON value ``null``."""
    json_keys = [key for key in keys if isinstance(table.c[key].type, JSON)]
    return not any(row[key] is None for key in json_keys for row in rows)


def _rows_as_json(
    table: Table, keys: tuple[str, ...], rows: Sequence[Mapping[str, Any]], connection: Connection
) -> str:
    """The rows as a JSON array of objects, each with its ``ordinal``; a column of the
    application's own types (``TypeDecorator``: instants in UTC) is bound as it would be alone."""
    dialect = connection.dialect
    processors = [
        (key, table.c[key].type.process_bind_param)
        for key in keys
        if isinstance(table.c[key].type, TypeDecorator)
    ]
    documents = []
    for ordinal, row in enumerate(rows):
        document = {**row, "ordinal": ordinal}
        for key, process in processors:
            document[key] = process(row[key], dialect)
        documents.append(document)
    return orjson.dumps(documents).decode()


def _record_set(table: Table, keys: tuple[str, ...], *, name: str) -> TableValuedAlias:
    """Rows sent as one JSON parameter ``name`` (see ``_rows_as_json``), read back as typed
    columns and their place in the batch (``ordinal``): one value to bind for any number of
    rows, and JSON columns travel too."""
    document = cast(bindparam(name, type_=Text()), JSON)
    columns = [column_clause(key, table.c[key].type) for key in keys]
    return (
        func.json_to_recordset(document)
        .table_valued(*columns, column_clause("ordinal", Integer()))
        .render_derived(name=f"{name}_set", with_types=True)
    )


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
