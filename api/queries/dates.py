"""Date ranges as index-friendly branches, and the precision filter."""

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, FromClause, bindparam, or_

from api.models import SHORT_SPAN, Span
from api.queries.common import DateRange

Branches = list[list[ColumnElement[bool]]]


def date_branches(table: FromClause, has_from: bool, has_to: bool) -> Branches:
    """The facts whose period overlaps [:date_from, :date_to] (undated facts match no range), as
    disjoint sets of conditions that an index on (span, sort_date, id) or (sort_date, id) can
    each walk in list order, without reading the facts that ended before the range began:

    - facts that begin inside the range: all of them overlap it;
    - facts of a short span (at most SHORT_SPAN) that begin up to SHORT_SPAN before it
      (:short_from);
    - facts of a long or open-ended span that begin before it (few of them).
    """
    c = table.c
    if not has_from and not has_to:
        return [[]]
    dated = c.date_start.is_not(None)
    until = [c.sort_date <= bindparam("date_to", type_=c.sort_date.type)] if has_to else []
    if not has_from:
        return [[dated, *until]]
    start = bindparam("date_from", type_=c.sort_date.type)
    begins_before = c.sort_date < start
    return [
        [dated, c.sort_date >= start, *until],
        [
            c.span == int(Span.short),
            c.sort_date >= bindparam("short_from", type_=c.sort_date.type),
            begins_before,
            c.date_end >= start,
        ],
        [c.span == int(Span.long), begins_before, or_(c.date_end.is_(None), c.date_end >= start)],
    ]


def date_params(dates: DateRange) -> dict[str, Any]:
    params: dict[str, Any] = {}
    if dates.start is not None:
        params["date_from"] = dates.start
        params["short_from"] = max(dates.start, date.min + SHORT_SPAN) - SHORT_SPAN
    if dates.end is not None:
        params["date_to"] = dates.end
    return params
