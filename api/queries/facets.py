"""Facets: how many items of a list, under its filters, have each value of a field.

`facets=speaker,stance` on a list answers, beside the page, the most common values of each field
with their counts, as Datasette does: what a filter sidebar shows, and what answers "who said
the most about X". Like `total`, the counts stop at COUNT_LIMIT items: a list with more items is
counted on a bounded sample of them (the first COUNT_LIMIT + 1 of each of its index walks), and
the facet says `"exact": false` (its counts are then lower bounds), so that no request counts a
million rows.
"""

from collections.abc import Awaitable, Callable, Sequence
from functools import cache
from typing import Any, NamedTuple, Protocol

from sqlalchemy import FromClause, Select, String, func, select, union_all

from api.database import Reader
from api.documents import Document
from api.models import Actor, table_of
from api.paging import COUNT_CUTOFF, Listing, PageRequest, PageResult
from api.queries.common import Item, StoredDocument


class ListAnswer(NamedTuple):
    """A page of a list: its rows, their documents (built, or as stored: `documents()` parses
    them), and the facets asked for."""

    result: PageResult
    items: Sequence[Item]
    facets: dict[str, Document]

    def documents(self) -> list[Document]:
        """The items as documents (the stored ones parsed), for CSV and the reading room."""
        return [i.document() if isinstance(i, StoredDocument) else i for i in self.items]


class PageRead(Protocol):
    """A list's read: its filters and page (and the facets asked for) into a ListAnswer; `last`
    when nothing else is read after it (see `Reader.last_rows`)."""

    def __call__(
        self, reader: Reader, filters: Any, page: PageRequest, facets: Sequence[str], *, last: bool
    ) -> Awaitable[ListAnswer]: ...


# The values a facet lists, most common first.
FACET_VALUES = 30

# A facet: given the ids of the list's items (`items.c.id`), the value and the label of each.
FacetBuild = Callable[[FromClause], Select[Any]]


@cache  # per list shape (a Listing is built once per shape) and facet
def _statement(listing: Listing, name: str, build: FacetBuild, dialect: str) -> Select[Any]:
    walks = [select(walk.rows.limit(COUNT_CUTOFF).subquery()) for walk in listing.walks]
    items = (walks[0] if len(walks) == 1 else union_all(*walks)).subquery("items")
    values = build(items)
    # Items, not joined rows: an event with four hosts is one event with the role "host".
    count = func.count(items.c.id.distinct())
    value, label = values.selected_columns
    # Ties in the order of the bytes, whatever the server's locale.
    text = isinstance(value.type, String) and dialect == "postgresql"
    tie = value.collate("C") if text else value
    return (
        values.add_columns(count)
        .where(value.is_not(None))  # an event with no location is not in a place "None"
        .group_by(value, label)
        .order_by(count.desc(), tie)
        .limit(FACET_VALUES)
    )


async def facet_counts(
    reader: Reader,
    listing: Listing,
    result: PageResult,
    available: dict[str, FacetBuild],
    names: Sequence[str],
    params: dict[str, Any],
) -> dict[str, Document]:
    """The facets asked for (`names`, of `available`), under the list's filters (`params`)."""
    found: dict[str, Document] = {}
    for name in dict.fromkeys(names):
        statement = _statement(listing, name, available[name], reader.dialect)
        rows = await reader.rows(statement, **params)
        found[name] = {
            "values": [
                {"value": str(value), "label": str(label), "count": count}
                for value, label, count in rows
            ],
            "exact": result.total_exact,
        }
    return found


def by_actor(items: FromClause, via: FromClause, on: Any, actor_id: Any) -> Select[Any]:
    """Items by the actor that `via` (a table joined to the items `on` a condition) names."""
    actor = table_of(Actor).alias("facet_actor")
    return select(actor.c.slug, actor.c.name).select_from(
        items.join(via, on).join(actor, actor.c.id == actor_id)
    )


def by_column(items: FromClause, table: FromClause, column: Any) -> Select[Any]:
    """Items by a column of their own table (a word of a vocabulary: its value is its label)."""
    return select(column, column).select_from(items.join(table, table.c.id == items.c.id))


def by_reference(
    items: FromClause, table: FromClause, target: FromClause, on: Any, label: Any
) -> Select[Any]:
    """Items by the row of `target` they refer to (`on`), shown by its slug and `label`."""
    return select(target.c.slug, label).select_from(
        items.join(table, table.c.id == items.c.id).join(target, on)
    )
