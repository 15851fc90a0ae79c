"""Page through a scoped query: {"items": [...], "meta": {page, per_page, total, pages}}."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields
from sqlalchemy import Select

from ..extensions import db


def page_of(query: Select[Any], page: int, per_page: int) -> dict[str, Any]:
    result = db.paginate(query, page=page, per_page=per_page, error_out=False, count=True)
    return {
        "items": result.items,
        "meta": {"page": page, "per_page": per_page, "total": result.total, "pages": result.pages},
    }


def paged(item_schema: type[Schema]) -> type[Schema]:
    from .schemas.common import PageMeta

    return Schema.from_dict(
        {"items": fields.List(fields.Nested(item_schema)), "meta": fields.Nested(PageMeta)},
        name=f"{item_schema.__name__.removesuffix('Out')}Page",
    )
