"""Dates and durations in SQL, the same on PostgreSQL and SQLite, in Seoul time."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, func
from sqlalchemy.orm import Session


def minutes_between(starts, ends, session: Session) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        return func.cast(func.extract("epoch", ends - starts) / 60, Integer)
    return func.cast((func.julianday(ends) - func.julianday(starts)) * 1440 + 0.5, Integer)


def seoul_month(column, session: Session) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone("Asia/Seoul", column), "YYYY-MM")
    return func.strftime("%Y-%m", column, "+9 hours")


def seoul_date(column, session: Session) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        return func.date(func.timezone("Asia/Seoul", column))
    return func.date(column, "+9 hours")
