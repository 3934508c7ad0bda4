"""The one paging helper: keyset (cursor) paging, for every list.

A list is one or more index walks (`Walk`): a SELECT and its sort key, ending in a unique id. A
page is the next `limit` rows after (or, for `prev`, before) a cursor in key order, merged from
every walk, each of which stops after `limit + 1` rows: a deep page costs what the first one
does, and paging never skips or repeats an item whose key stays where it was, whatever is added
or removed around it (an item whose key moves past the cursor is seen twice, or not at all).

A cursor names its list, a fingerprint of the filters it was made for, the sort, the direction
and the key of the item it continues from; any other list, filter or sort refuses it (400).
`total` counts at most COUNT_LIMIT items, so that no request counts a million rows.
"""

import base64
import binascii
import hashlib
import operator
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any, Literal

import orjson
from sqlalchemy import (
    BindParameter,
    ColumnElement,
    FromClause,
    Select,
    and_,
    bindparam,
    case,
    func,
    literal,
    literal_column,
    not_,
    null,
    select,
    true,
    tuple_,
    union_all,
)

from api.database import NamesUnresolved, Reader, Row
from api.errors import InvalidCursor

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
# Counting stops here: an exact total of a million rows would cost a scan on every request.
COUNT_LIMIT = 1_000
# The LIMIT of a count, written in the SQL rather than bound: PostgreSQL plans a statement once
# per connection (api.database), and a plan made without the number would count every row.
COUNT_CUTOFF: ColumnElement[int] = literal_column(str(COUNT_LIMIT + 1))
# The total of a page whose filters name no row, or several, or whose search's words are not
# what was remembered (Listing's `resolved`).
UNRESOLVED = -1
# Query parameters that choose a page or a format, not the items: a cursor survives them.
PAGING_PARAMETERS = frozenset({"cursor", "limit", "format", "facets"})

Direction = Literal["next", "prev"]
# A part of a sort key: a column, or a constant that tells apart the walks of a merged list.
KeyPart = ColumnElement[Any] | int


@dataclass(frozen=True)
class EachValue:
    """A filter of several values that an index walks one value at a time in list order (a
    speaker's statements: speaker, date, id). PostgreSQL reads a page of each value and merges
    them: given the values as one list, it read every row of each value and sorted them all (the
    two busiest speakers at 100k statements: 15,889 rows, 6.9 ms a page; 1.6 ms a page each)."""

    column: ColumnElement[Any]  # the filtered column
    values: Select[Any]  # the filter's values, each once, as the column `value`


@dataclass(frozen=True)
class Walk:
    """One index walk of a list: the ids of its items (`select`, with the list's filters) and
    their sort key. `distinct`: `select` drops repeated ids (an actor's links to the facts,
    where one fact may be linked twice). `each_value`: a filter that `select` leaves out, which
    a page applies one value at a time (PostgreSQL's LATERAL), and a count as a list."""

    select: Select[Any]
    key: tuple[KeyPart, ...]
    distinct: bool = False
    each_value: EachValue | None = None

    @property
    def rows(self) -> Select[Any]:
        """The ids of the walk's items, with every filter."""
        if self.each_value is None:
            return self.select
        return self.select.where(self.each_value.column.in_(self.each_value.values))

    def key_columns(self) -> list[ColumnElement[Any]]:
        """The key's columns, labelled by their place in the key (key0, key1…)."""
        return [_as_column(part).label(f"key{i}") for i, part in enumerate(self.key)]


@dataclass(frozen=True)
class Cursor:
    listing: str
    filters: str
    sort: str
    direction: Direction
    key: tuple[Any, ...]

    def encode(self) -> str:
        raw = orjson.dumps(
            {
                "list": self.listing,
                "filters": self.filters,
                "sort": self.sort,
                self.direction: [v if isinstance(v, int) else str(v) for v in self.key],
            }
        )
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@dataclass(frozen=True)
class PageRequest:
    """What a request asks of a list: its name, a fingerprint of its filters, sort, limit and
    cursor (see `page_request` in api.params)."""

    listing: str
    filters: str
    sort: str
    limit: int
    cursor: str | None

    def cursor_to(self, direction: Direction, key: Sequence[Any]) -> str:
        return Cursor(self.listing, self.filters, self.sort, direction, tuple(key)).encode()


def filters_fingerprint(parameters: Iterable[tuple[str, str]]) -> str:
    """What a cursor remembers of the filters: equal for the same filters in any order."""
    kept = sorted((name, value) for name, value in parameters if name not in PAGING_PARAMETERS)
    return hashlib.sha256(orjson.dumps(kept)).hexdigest()[:12]


def decode_cursor(request: PageRequest, types: Sequence[type]) -> Cursor:
    """The cursor of the request, if it was made for this list, these filters and this sort,
    with its key as values of the key's types."""
    assert request.cursor is not None
    refused = InvalidCursor(
        f"cursor={request.cursor!r} is not a cursor of this list: pass `next_cursor` (or "
        "`prev_cursor`) of a page of the same list unchanged, with the same filters and `sort`, "
        "or leave it out to start from the beginning."
    )
    try:
        raw = request.cursor
        payload = orjson.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
        direction: Direction = "next" if "next" in payload else "prev"
        key = payload[direction]
        valid = (
            isinstance(key, list)
            and len(key) == len(types)
            and payload["list"] == request.listing
            and payload["filters"] == request.filters
            and payload["sort"] == request.sort
        )
        if not valid:
            raise refused
        values = tuple(_key_value(value, kind) for value, kind in zip(key, types, strict=True))
    except (ValueError, TypeError, KeyError, binascii.Error, orjson.JSONDecodeError) as error:
        raise refused from error
    return Cursor(request.listing, request.filters, request.sort, direction, values)


def _key_value(value: Any, kind: type) -> Any:
    if kind is date and isinstance(value, str):
        return date.fromisoformat(value)
    if kind is int and type(value) is int and -(2**63) <= value < 2**63:
        return value
    if kind is str and isinstance(value, str):
        return value
    raise ValueError(f"{value!r} is not a {kind.__name__}")


@dataclass(frozen=True)
class PageResult:
    rows: list[Row]
    total: int
    total_exact: bool
    next_cursor: str | None
    prev_cursor: str | None


class Listing:
    """The SQL of one shape of a list (which filters it has, how it is sorted), built once.

    Query modules build a Listing per shape and keep it (functools.cache), so that a request
    only binds its values: the statements are built and compiled once per shape.
    """

    def __init__(
        self,
        walks: Sequence[Walk],
        rows: Callable[[FromClause], Select[Any]] | None = None,
        resolved: Sequence[ColumnElement[bool]] = (),
        past_limit: ColumnElement[bool] | None = None,
    ) -> None:
        """`rows(page)`: the columns of each item of a page, from the page's ids (`page.c.id`);
        computed for the page's rows only, after the walks found them. Without it, a row is the
        id (and the key). `resolved`: whether the names the walks resolve named one row each
        (api.queries.filters.resolved_checks), and a search's words are as remembered
        (api.search.lexicon_check), on PostgreSQL only. `past_limit`: whether the list
        is known, without reading it, to hold more than COUNT_LIMIT rows (PostgreSQL only): then
        they are not counted."""
        self.walks = tuple(walks)
        self.rows = rows
        self.resolved = tuple(resolved)
        self.past_limit = past_limit
        self.width = len(self.walks[0].key)
        self.key_of = operator.itemgetter(*range(-self.width, 0))  # a row's key: its last columns
        self.key_types = [
            int if isinstance(part, int) else part.type.python_type for part in self.walks[0].key
        ]
        self._pages: dict[tuple[bool, bool, str], Select[Any]] = {}

    @cached_property
    def count_statement(self) -> Select[Any]:
        """The walks' rows, one walk after the other, up to COUNT_CUTOFF in all: a walk is not
        read once the ones before it reached the cutoff. A walk of distinct ids is counted in
        its key order, as its index holds them, so that a repeated id is dropped as it comes:
        counted unordered, PostgreSQL hashed every row before the first came out (all 3,814
        links of an actor at 100k statements, 1.9 ms for a count that stops at 1,001; 0.5 ms
        in order)."""
        # The walks that need no DISTINCT first: a row of theirs costs a third as much, and an
        # actor's timeline usually reaches the cutoff with their statements alone.
        walks = [_counted(walk) for walk in sorted(self.walks, key=lambda walk: walk.distinct)]
        counted = (walks[0] if len(walks) == 1 else union_all(*walks)).limit(COUNT_CUTOFF)
        count = select(func.count()).select_from(counted.subquery())
        if self.past_limit is None:
            return count
        # PostgreSQL runs a subquery that names no outer column when its value is first needed:
        # the count, only when the list is not known to pass COUNT_LIMIT.
        return select(case((self.past_limit, COUNT_CUTOFF), else_=count.scalar_subquery()))

    def _first(
        self, rows: Select[Any], keyed: FromClause, reverse: bool, limit: BindParameter[int]
    ) -> Select[Any]:
        """The first `limit` rows in key order (`reverse`: the opposite), by `keyed`'s key0…"""
        keys = [keyed.c[f"key{i}"] for i in range(self.width)]
        return rows.order_by(*(key.desc() if reverse else key for key in keys)).limit(limit)

    def _of_each_value(
        self, ranged: Select[Any], each_value: EachValue, reverse: bool, limit: BindParameter[int]
    ) -> Select[Any]:
        """A range of a walk read for each value of its filter (LATERAL), then merged."""
        values = each_value.values.subquery("each_value")
        rows = ranged.where(each_value.column == values.c.value).lateral("rows_of_value")
        merged = select(*rows.c).select_from(values).join(rows, true())
        return self._first(merged, rows, reverse, limit)

    def page_statement(self, reverse: bool, with_cursor: bool, dialect: str) -> Select[Any]:
        """The rows of a page, after the cursor key (:key0…) in key order (`reverse`: the
        opposite order), not sorted, each ending in the list's total and its key (`width`
        columns). The total counts up to COUNT_CUTOFF, by the count statement run once as a
        subquery. PostgreSQL: always, and an empty page is one row of the total and NULLs (the
        page is one statement, whatever it holds). SQLite: after a cursor only (else NULL); each
        walk is read as two ranges after a cursor (`_after`)."""
        shape = (reverse, with_cursor, dialect)
        if shape not in self._pages:
            self._pages[shape] = self._build_page(*shape)
        return self._pages[shape]

    def _build_page(self, reverse: bool, with_cursor: bool, dialect: str) -> Select[Any]:
        ties_apart = dialect == "sqlite"
        limit: BindParameter[int] = bindparam("limit_plus_one")
        walks = []
        for walk in self.walks:
            statement = walk.select.add_columns(*walk.key_columns())
            columns = [part for part in walk.key if not isinstance(part, int)]
            order = [c.desc() if reverse else c for c in columns]
            ranges = _after(walk.key, reverse, ties_apart) if with_cursor else [None]
            for after in ranges:
                # A range of the first key's ties is in the order of the rest of the key.
                ordered = order[1:] if after is not None and after.ties else order
                where = [] if after is None else [after.condition]
                ranged = statement.where(*where).order_by(*ordered).limit(limit)
                if walk.each_value is not None:
                    ranged = self._of_each_value(ranged, walk.each_value, reverse, limit)
                walks.append(ranged)
        if len(walks) == 1:
            page = walks[0].subquery("page")
        else:
            # The walks merged and cut to one page before the items' columns are read, so that
            # they are read for the page's rows only (a bare union would let SQLite read them for
            # every row of every walk).
            merged = union_all(*(select(w.subquery()) for w in walks)).subquery("walks")
            page = self._first(select(merged), merged, reverse, limit).subquery("page")
        keys = [page.c[f"key{i}"] for i in range(self.width)]
        statement = self.rows(page) if self.rows else select(page.c.id)
        # Not ordered again here: both databases sorted each row whole, its stored document
        # with it (SQLite in a temporary B-tree), where `fetch_page` sorts the page's keys.
        if dialect == "sqlite":
            assert not self.resolved, "SQLite looks names up first"
            counted = self.count_statement.scalar_subquery() if with_cursor else null()
            return statement.add_columns(counted.label("total"), *keys)
        # SQLite would copy the rows of this join into a temporary table first (a quarter more
        # time for a page), where PostgreSQL reads them as they come.
        items = statement.add_columns(*keys).subquery("items")
        total: ColumnElement[int] = self.count_statement.scalar_subquery()
        if self.resolved:
            total = case((and_(*self.resolved), total), else_=literal(UNRESOLVED))
        totals = select(total.label("total")).subquery("totals")
        columns = list(items.c)
        return select(*columns[: -self.width], totals.c.total, *columns[-self.width :]).select_from(
            totals.outerjoin(items, true())
        )


def _as_column(part: KeyPart) -> ColumnElement[Any]:
    return literal(part) if isinstance(part, int) else part


def _counted(walk: Walk) -> Select[Any]:
    """The rows of a walk to count (see `Listing.count_statement`)."""
    if not walk.distinct:
        return walk.rows
    # DISTINCT orders by what it selects: the id (the key's last part) and the key's columns
    # before it, in key order, as the index holds them. Nothing more: with the key's constants,
    # or the id twice, SQLite sorted them in a temporary B-tree (a count of 1,001 took twice as
    # long).
    *before_id, last = [part for part in walk.key if not isinstance(part, int)]
    assert walk.rows.selected_columns[0].element is last, "a key ends with its walk's id"
    return select(walk.rows.add_columns(*before_id).order_by(*before_id, last).subquery().c.id)


@dataclass(frozen=True)
class _Range:
    condition: ColumnElement[bool]
    ties: bool  # the rows of the cursor's first key only


def _after(key: Sequence[KeyPart], reverse: bool, ties_apart: bool) -> list[_Range]:
    """Rows whose key comes after :key0, :key1… in the walk's order (before, if `reverse`).

    With columns only, a row-value comparison. PostgreSQL walks it as one index range; SQLite
    seeks on the first column only and reads every row of its value up to the cursor (43,338
    statements of one day at 1M: 4.6 ms for a page), so with `ties_apart` the rows are two
    ranges: the first key's value with the rest after the cursor's, then the first key after
    it (0.04 ms). With a constant in the key (a merged list), the first column bounds the range
    and the rest of the key is checked on the rows of that first value only."""
    values = [bindparam(f"key{i}", type_=_as_column(part).type) for i, part in enumerate(key)]

    def later(left: Sequence[Any], right: Sequence[Any]) -> ColumnElement[bool]:
        a, b = tuple_(*left), tuple_(*right)
        return a < b if reverse else a > b

    first = key[0]
    assert not isinstance(first, int)
    if not any(isinstance(part, int) for part in key):
        if not ties_apart or len(key) == 1:
            return [_Range(later(key, values), ties=False)]
        return [
            _Range(and_(first == values[0], later(key[1:], values[1:])), ties=True),
            _Range(first < values[0] if reverse else first > values[0], ties=False),
        ]
    rest = [_as_column(part) for part in key[1:]]
    after = and_(
        first <= values[0] if reverse else first >= values[0],
        not_(and_(first == values[0], not_(later(rest, values[1:])))),
    )
    return [_Range(after, ties=False)]


async def fetch_page(
    reader: Reader, listing: Listing, request: PageRequest, *, last: bool = False, **params: Any
) -> PageResult:
    """One page of the listing, with the total (capped) and the cursors around it. `last`: no
    statement of the read follows the page's (see `Reader.last_rows`)."""
    cursor = decode_cursor(request, listing.key_types) if request.cursor else None
    backwards = cursor is not None and cursor.direction == "prev"
    descending = request.sort.startswith("-")
    key_params = {f"key{i}": value for i, value in enumerate(cursor.key)} if cursor else {}
    # The page carries its total: on PostgreSQL a statement is a round trip (and a page of one
    # statement needs no transaction: `last`). But SQLite's first page counts apart, only when
    # it is full: one that is not holds the whole list (the first page of a search for a rare
    # phrase walked its matches twice, for the page and again for its count: 28 ms where 9 do).
    statement = listing.page_statement(descending != backwards, cursor is not None, reader.dialect)
    alone = last and reader.dialect == "postgresql"
    rows = await (reader.last_rows if alone else reader.rows)(
        statement, limit_plus_one=request.limit + 1, **params, **key_params
    )
    width = listing.width
    if rows and rows[0][-width - 1] is not None:  # the total came with the page
        counted = rows[0][-width - 1]
        if counted == UNRESOLVED:
            raise NamesUnresolved
        if rows[0][-1] is None:  # PostgreSQL's empty page: its row holds the total only
            rows = []
    elif cursor is None and len(rows) <= request.limit:  # the whole list, or nothing
        counted = len(rows)
    else:  # SQLite: a full first page, or no row to carry the total (past the last item)
        (counted,) = (
            await (reader.last_rows if last else reader.rows)(listing.count_statement, **params)
        )[0]
    # In key order: keys are never NULL, and compare as the databases order them (text keys
    # byte by byte, api.models.Key).
    rows.sort(key=listing.key_of, reverse=descending != backwards)
    more = len(rows) > request.limit
    rows = rows[: request.limit]
    if backwards:
        rows.reverse()
    next_cursor = prev_cursor = None
    if rows and (more if not backwards else True):
        next_cursor = request.cursor_to("next", rows[-1][-width:])
    if rows and (more if backwards else cursor is not None):
        prev_cursor = request.cursor_to("prev", rows[0][-width:])
    total = min(counted, COUNT_LIMIT)
    return PageResult(rows, total, counted <= COUNT_LIMIT, next_cursor, prev_cursor)
