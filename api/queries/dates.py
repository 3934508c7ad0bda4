"""How a list of dated facts is walked in date order: a date range as index-friendly branches,
and a walk through the facts' own index or through one actor's links to them.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, FromClause, Table, bindparam, literal_column, or_, select

from api.models import SHORT_SPAN, Span
from api.paging import EachValue, Walk
from api.queries.common import DateRange

Branches = list[list[ColumnElement[bool]]]


@dataclass(frozen=True)
class Via:
    """One actor's links to the facts of a list, in a table that repeats each fact's sort_date
    and span (participants: an actor's events; mentions: the facts about an actor): its indexes
    walk the actor's facts in list order, however many facts the others have."""

    link: Table
    fact_id: ColumnElement[Any]  # the link's column that names the fact
    condition: ColumnElement[bool]  # which links: this actor's (and role, …)


def fact_walks(
    table: Table,
    conditions: list[ColumnElement[bool]],
    has_from: bool,
    has_to: bool,
    via: Via | None = None,
    each_value: EachValue | None = None,
) -> list[Walk]:
    """The index walks of a list of dated facts under `conditions`: the facts' own (sort_date,
    id), or, `via` an actor's links, the links' (actor, sort_date, fact) and (actor, span,
    sort_date, fact), one walk per branch of the date range. `each_value`: a filter that is not
    in `conditions`, read one value at a time on the facts' indexes that begin with it (never
    with `via`, which walks the links of one actor)."""
    if via is None:
        return [
            Walk(
                select(table.c.id).where(*conditions, *branch),
                (table.c.sort_date, table.c.id),
                each_value=each_value,
            )
            for branch in date_branches(table, has_from, has_to)
        ]
    assert each_value is None, "an actor's links are walked for one actor"
    links = (
        select(via.fact_id.label("id"))
        .distinct()  # an actor may take part twice in one event (two roles)
        .select_from(via.link)
        .where(via.condition)
    )
    if conditions or has_from or has_to:  # else the links alone answer
        links = links.join(table, table.c.id == via.fact_id).where(*conditions)
    return [
        Walk(links.where(*branch), (via.link.c.sort_date, via.fact_id), distinct=True)
        for branch in date_branches(table, has_from, has_to, via.link)
    ]


def date_branches(
    table: FromClause, has_from: bool, has_to: bool, link: FromClause | None = None
) -> Branches:
    """The facts whose period overlaps [:date_from, :date_to] (undated facts match no range), as
    disjoint sets of conditions that an index on (span, sort_date, id) or (sort_date, id) can
    each walk in list order, without reading the facts that ended before the range began:

    - facts that begin inside the range: all of them overlap it;
    - facts of a short span (at most SHORT_SPAN) that begin up to SHORT_SPAN before it
      (:short_from);
    - facts of a long or open-ended span that begin before it (few of them).

    `link`: the table whose index is walked, when it is not the facts' own: its copies of the
    facts' sort_date and span choose the branches, so that the index narrows each one.
    """
    c = table.c
    walked = c if link is None else link.c
    sort_date = walked.sort_date
    if not has_from and not has_to:
        return [[]]
    dated = c.date_start.is_not(None)
    until = [sort_date <= bindparam("date_to", type_=c.sort_date.type)] if has_to else []
    if not has_from:
        return [[dated, *until]]
    start = bindparam("date_from", type_=c.sort_date.type)
    begins_before = sort_date < start
    # The span is written in the SQL, not bound: PostgreSQL plans a statement once per
    # connection, and a plan that knew only "some span" walked the date index for the long
    # facts before a range, reading every fact before it (82 ms at 100k, two speakers and a
    # day), where the (span, date) index holds the few long ones.
    return [
        [dated, sort_date >= start, *until],
        [
            walked.span == literal_column(str(int(Span.short))),
            sort_date >= bindparam("short_from", type_=c.sort_date.type),
            begins_before,
            c.date_end >= start,
        ],
        [
            walked.span == literal_column(str(int(Span.long))),
            begins_before,
            or_(c.date_end.is_(None), c.date_end >= start),
        ],
    ]


def date_params(dates: DateRange) -> dict[str, Any]:
    params: dict[str, Any] = {}
    if dates.start is not None:
        params["date_from"] = dates.start
        params["short_from"] = max(dates.start, date.min + SHORT_SPAN) - SHORT_SPAN
    if dates.end is not None:
        params["date_to"] = dates.end
    return params
