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
from sqlalchemy import ColumnElement, Select, func, literal, select, tuple_, union_all
from sqlalchemy.orm import Session

from api.errors import Problem

T = TypeVar("T")
# A SELECT of any number of columns of any types.
AnySelect = Select[*tuple[Any, ...]]

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
# Counting stops here: an exact total of a million rows would cost a scan on every request.
COUNT_LIMIT = 1_000


@dataclass(frozen=True)
class PageRequest:
    limit: int
    cursor: str | None


@dataclass(frozen=True)
class PageResult(Generic[T]):
    items: list[T]
    total: int
    total_exact: bool  # False when more than COUNT_LIMIT items match: total is then COUNT_LIMIT
    next_cursor: str | None


def encode_cursor(sort: str, key: Sequence[Any]) -> str:
    values = [value.isoformat() if isinstance(value, date) else value for value in key]
    raw = orjson.dumps({"sort": sort, "after": values})
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str, columns: Sequence[Any]) -> list[Any]:
    """The sort key a cursor holds, as values of the columns' types; 400 if it is not ours."""
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
            date.fromisoformat(value)
            if column.type.python_type is date
            else column.type.python_type(value)
            for column, value in zip(columns, values, strict=True)
        ]
    except (ValueError, TypeError, KeyError, binascii.Error, orjson.JSONDecodeError) as error:
        raise refused from error


def paginate(
    session: Session,
    query: AnySelect,
    order: Sequence[Any],
    page: PageRequest,
    sort: str = "",
    branches: Sequence[Sequence[ColumnElement[bool]]] = ((),),
) -> PageResult[Any]:
    """Run `query` one page at a time; an item is the row's only column, else the row's columns.

    `order` is the sort key: columns whose values, together, are unique (the last one an id),
    ascending, or descending when `sort` starts with "-". A cursor only continues the same sort.
    `branches`: the list is the union of these disjoint sets of extra conditions, each served
    by an index range of its own (see api.queries.date_branches).
    """
    if len(branches) > 1:
        return _paginate_union(session, query, order, page, sort, branches)
    query = query.where(*branches[0])
    descending = sort.startswith("-")
    width = len(query.column_descriptions)
    total, total_exact = count(session, query)
    keyed = query.add_columns(*order)
    if page.cursor:
        keyed = keyed.where(_after(order, decode_cursor(page.cursor, sort, order), descending))
    keyed = keyed.order_by(*(column.desc() if descending else column for column in order))
    rows = session.execute(keyed.limit(page.limit)).all()
    items = [row[0] if width == 1 else tuple(row[:width]) for row in rows]
    next_cursor = None
    if len(rows) == page.limit:
        # Is there a next page? A probe of one key, rather than loading one more full item
        # (which would also cost its related rows an extra round of eager loading).
        last = tuple(rows[-1])[-len(order) :]
        probe = query.with_only_columns(literal(1), maintain_column_froms=True)
        if session.scalar(probe.where(_after(order, list(last), descending)).limit(1)):
            next_cursor = encode_cursor(sort, last)
    return PageResult(items, total, total_exact, next_cursor)


def _paginate_union(
    session: Session,
    query: AnySelect,
    order: Sequence[Any],
    page: PageRequest,
    sort: str,
    branches: Sequence[Sequence[ColumnElement[bool]]],
) -> PageResult[Any]:
    """Page through a union of branches: each branch walks its own index for at most one page
    of keys, the keys are merged, and only the page's items are loaded (by id, the last key)."""
    descending = sort.startswith("-")
    keys = query.with_only_columns(*order, maintain_column_froms=True)
    after = decode_cursor(page.cursor, sort, order) if page.cursor else None
    total, total_exact, walks = 0, True, []
    for conditions in branches:
        branch = keys.where(*conditions)
        counted, exact = count(session, branch)
        total, total_exact = total + counted, total_exact and exact
        if after is not None:
            branch = branch.where(_after(order, after, descending))
        branch = branch.order_by(*(c.desc() if descending else c for c in order))
        walks.append(select(branch.limit(page.limit + 1).subquery()))
    merged = union_all(*walks).subquery()
    merged_order = [merged.c[column.key] for column in order]
    rows = session.execute(
        select(*merged_order)
        .order_by(*(c.desc() if descending else c for c in merged_order))
        .limit(page.limit + 1)
    ).all()
    ids = [row[-1] for row in rows[: page.limit]]
    id_column = order[-1]
    loaded = {
        getattr(item, id_column.key): item
        for item in session.scalars(query.where(id_column.in_(ids)))
    }
    next_cursor = (
        encode_cursor(sort, tuple(rows[page.limit - 1])) if len(rows) > page.limit else None
    )
    return PageResult([loaded[i] for i in ids], min(total, COUNT_LIMIT), total_exact, next_cursor)


def _after(order: Sequence[Any], values: Sequence[Any], descending: bool) -> Any:
    """Rows whose sort key comes after `values` in the list's order."""
    key = tuple_(*order)
    last = tuple_(
        *(literal(value, type_=column.type) for column, value in zip(order, values, strict=True))
    )
    return key < last if descending else key > last


def count(session: Session, query: AnySelect) -> tuple[int, bool]:
    """How many rows `query` selects, counting no further than COUNT_LIMIT."""
    bounded = (
        query.order_by(None)
        .with_only_columns(literal(1), maintain_column_froms=True)
        .limit(COUNT_LIMIT + 1)
        .subquery()
    )
    total = session.scalar(select(func.count()).select_from(bounded)) or 0
    return min(total, COUNT_LIMIT), total <= COUNT_LIMIT
