"""The psycopg cursor the service connects with: psycopg's own, but for when it describes a result.

SQLAlchemy reads ``cursor.description`` after every statement, and psycopg builds it whole each
time, one ``Column`` object per result column. For a statement compiled before, SQLAlchemy keeps
the result's layout itself and only asks whether there is one: building the columns of a booking
request's five results was a tenth of its CPU (psycopg 3.3). Here the description knows its
length at once and builds its columns when one is first read.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any, overload

import psycopg
from psycopg import Column, pq

_TUPLES = (pq.ExecStatus.TUPLES_OK, pq.ExecStatus.SINGLE_TUPLE, pq.ExecStatus.TUPLES_CHUNK)


class LazilyDescribedCursor(psycopg.Cursor[Any]):
    @property
    def description(self) -> Sequence[Column] | None:  # type: ignore[override]
        """As psycopg's: None unless the current result has rows (or could have)."""
        result = self.pgresult
        if result and (result.nfields or result.status in _TUPLES):
            return _Description(self, result)
        return None


class _Description(Sequence[Column]):
    """A result's columns, built on first read from the result they describe (not the cursor's
    current one, which a later statement replaces)."""

    def __init__(self, cursor: psycopg.Cursor[Any], result: pq.abc.PGresult) -> None:
        self._length = result.nfields
        self._source = SimpleNamespace(
            pgresult=result, _encoding=cursor._encoding, adapters=cursor.adapters
        )
        self._columns: list[Column] | None = None

    def __len__(self) -> int:
        return self._length

    @overload
    def __getitem__(self, index: int) -> Column: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Column]: ...

    def __getitem__(self, index: int | slice) -> Column | Sequence[Column]:
        if self._columns is None:
            self._columns = [Column(self._source, i) for i in range(self._length)]  # type: ignore[arg-type]
        return self._columns[index]
