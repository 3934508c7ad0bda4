"""The one pagination helper: keyset (cursor) paging over a stable sort key ending in a unique id.

A cursor holds the sort key of the last item served; the next page starts strictly after it, so
paging never skips or repeats an item even while rows are added, and a deep page costs the same
as the first (an index seek, not an OFFSET scan).
"""

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, TypeVar

import orjson
from sqlalchemy import ColumnElement, Select, func, literal, select, tuple_
from sqlalchemy.orm import Session

from api.errors import Problem

T = TypeVar("T")

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


@dataclass(frozen=True)
class PageRequest:
    limit: int
    cursor: str | None


@dataclass(frozen=True)
class PageResult(Generic[T]):
    items: list[T]
    total: int
    next_cursor: str | None


def _encode(sort: str, key: Sequence[Any]) -> str:
    values = [value.isoformat() if isinstance(value, date) else value for value in key]
    raw = orjson.dumps({"sort": sort, "after": values})
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str, sort: str, columns: Sequence[ColumnElement[Any]]) -> list[Any]:
    refused = Problem(
        400,
        "Invalid cursor",
        f"cursor={cursor!r} is not a cursor of this list: pass `next_cursor` from the previous "
        "page unchanged, with the same `sort`, or leave it out to start from the beginning.",
    )
    try:
        payload = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        values = payload["after"]
        if payload["sort"] != sort or len(values) != len(columns):
            raise refused
        return [
            literal(
                column.type.python_type(value)
                if column.type.python_type is not date
                else date.fromisoformat(value),
                type_=column.type,
            )
            for column, value in zip(columns, values, strict=True)
        ]
    except (ValueError, TypeError, KeyError, binascii.Error, orjson.JSONDecodeError) as error:
        raise refused from error


def paginate(
    session: Session,
    query: Select[Any],
    order: Sequence[Any],
    page: PageRequest,
    sort: str = "",
) -> PageResult[Any]:
    """Run `query` one page at a time; an item is the row's only column, else the row's columns.

    `order` is the sort key: columns whose values, together, are unique (the last one an id),
    ascending, or descending when `sort` starts with "-". A cursor only continues the same sort.
    """
    descending = sort.startswith("-")
    width = len(query.column_descriptions)
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    keyed = query.add_columns(*order)
    if page.cursor:
        last_served = tuple_(*_decode(page.cursor, sort, order))
        key = tuple_(*order)
        keyed = keyed.where(key < last_served if descending else key > last_served)
    keyed = keyed.order_by(*(column.desc() if descending else column for column in order))
    rows = session.execute(keyed.limit(page.limit + 1)).all()
    items = [row[0] if width == 1 else tuple(row[:width]) for row in rows[: page.limit]]
    next_cursor = None
    if len(rows) > page.limit:
        next_cursor = _encode(sort, tuple(rows[page.limit - 1])[-len(order) :])
    return PageResult(items, total, next_cursor)
