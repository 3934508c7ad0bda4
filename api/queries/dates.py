"""Date ranges as index-friendly branches."""

from datetime import date

from sqlalchemy import ColumnElement, or_

from api.models import SHORT_SPAN, Dated, Span
from api.params import DateRange

Branches = list[list[ColumnElement[bool]]]


def date_branches(model: type[Dated], dates: DateRange) -> Branches:
    """The facts whose period overlaps [start, end] (undated facts match no range), as disjoint
    sets of conditions that an index on (span, sort_date, id) or (sort_date, id) can each walk
    in list order, without reading the facts that ended before the range began:

    - facts that begin inside the range: all of them overlap it;
    - facts of a short span (at most SHORT_SPAN) that begin up to SHORT_SPAN before it;
    - facts of a long or open-ended span that begin before it (few of them).
    """
    if dates.start is None and dates.end is None:
        return [[]]
    dated = model.date_start.is_not(None)
    until = [model.sort_date <= dates.end] if dates.end else []
    if dates.start is None:
        return [[dated, *until]]
    begins_before = model.sort_date < dates.start
    return [
        [dated, model.sort_date >= dates.start, *until],
        [
            model.span == Span.short,
            model.sort_date >= max(dates.start, date.min + SHORT_SPAN) - SHORT_SPAN,
            begins_before,
            model.date_end >= dates.start,
        ],
        [
            model.span == Span.long,
            begins_before,
            or_(model.date_end.is_(None), model.date_end >= dates.start),
        ],
    ]
