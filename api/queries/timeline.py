"""The timeline: events and statements in one chronological list."""

from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

import orjson
from sqlalchemy import FromClause, Select, and_, select

from api.database import Reader, Row
from api.models import Event, EventDocument, Statement, StatementDocument, table_of
from api.paging import Listing, PageRequest, fetch_page
from api.queries import events, statements
from api.queries.actors import bind_actors
from api.queries.common import DateRange, StoredDocument, member_written
from api.queries.dates import date_params, fact_walks
from api.queries.facets import ListAnswer
from api.queries.filters import Bound, bind, bind_slugs, resolved_checks

EVENT, STATEMENT = 0, 1  # on the same day, events come before what was said about them
EVENTS = table_of(Event)
STATEMENTS = table_of(Statement)
EVENT_DOCUMENTS = table_of(EventDocument)
STATEMENT_DOCUMENTS = table_of(StatementDocument)


@dataclass(frozen=True)
class TimelineFilters:
    actor: tuple[str, ...] = ()
    about: tuple[str, ...] = ()
    dates: DateRange = field(default_factory=lambda: DateRange(None, None))
    precision: tuple[str, ...] = ()
    source: tuple[str, ...] = ()


@dataclass(frozen=True)
class TimelineShape:
    actor: Bound = None
    about: Bound = None
    precision: Bound = None
    source: Bound = None


@cache
def _listing(dialect: str, shape: TimelineShape, has_from: bool, has_to: bool) -> Listing:
    """Keys of both lists, each walked on its own index (or an actor's links): (date, kind,
    id). The actor's events are those they took part in; their statements, what they said."""
    event_shape = events.EventShape(
        actor=shape.actor, about=shape.about, precision=shape.precision, source=shape.source
    )
    statement_shape = statements.StatementShape(
        speaker=shape.actor, about=shape.about, precision=shape.precision, source=shape.source
    )
    walks = [
        *(
            replace(walk, key=(walk.key[0], EVENT, walk.key[1]))
            for walk in fact_walks(
                EVENTS,
                events.conditions(dialect, event_shape),
                has_from,
                has_to,
                events.via(dialect, event_shape),
            )
        ),
        *(
            replace(walk, key=(walk.key[0], STATEMENT, walk.key[1]))
            for walk in fact_walks(
                STATEMENTS,
                statements.conditions(dialect, statement_shape),
                has_from,
                has_to,
                statements.via(dialect, statement_shape),
                statements.each_speaker(dialect, statement_shape),
            )
        ),
    ]
    return Listing(walks, _rows, resolved_checks(dialect, shape))


# Each kind of fact: its number in the key, its name and its stored documents, in the order of
# the documents in a row of `_rows`.
KINDS = ((EVENT, "event", EVENT_DOCUMENTS), (STATEMENT, "statement", STATEMENT_DOCUMENTS))


def _rows(page: FromClause) -> Select[Any]:
    """Each item of a page (whose kind is `key1`): the stored document of its event, or of its
    statement, read in the page's statement (three statements were a page before)."""
    statement = select(page.c.id).select_from(page)
    for kind, _, stored in KINDS:
        statement = statement.outerjoin(stored, and_(page.c.key1 == kind, stored.c.id == page.c.id))
        statement = statement.add_columns(stored.c.body)
    return statement


# The first member of an item of each kind.
TYPES = {kind: member_written("type", orjson.dumps(name).decode()) for kind, name, _ in KINDS}


def _item(row: Row) -> StoredDocument:
    """A row of `_rows` as its timeline item: the type, the date, then the fact itself. The
    date is the fact's own, copied from its document (reading it from the fact's row cost a
    fifth of the page's statement)."""
    kind = row[-2]  # the middle of the row's key (date, kind, id)
    fact = StoredDocument(row[1 + kind])
    head = TYPES[kind] + member_written("date", fact.member("date"))
    return fact.member_of(head, KINDS[kind][1])


async def timeline_page(
    reader: Reader, filters: TimelineFilters, page: PageRequest, *, last: bool = False
) -> ListAnswer:
    """Events and statements in one list sorted by (date, kind, id): each list (and each of its
    date branches) is paged on its own index, the keys are merged, then the page's events and
    statements are read by id, in the same statement."""
    params: dict[str, Any] = {}
    shape: dict[str, Any] = {}
    if filters.actor:
        shape["actor"] = await bind_actors(reader, params, "actor", filters.actor)
        params["speaker"] = params["actor"]  # the same actors, by the name statements use
    if filters.about:
        shape["about"] = await bind_actors(reader, params, "about", filters.about)
    if filters.precision:
        shape["precision"] = bind(params, "precision", filters.precision)
    if filters.source:
        shape["source"] = await bind_slugs(
            reader, params, "source", filters.source, statements.SOURCES, "/sources"
        )
    params.update(date_params(filters.dates))
    dates = filters.dates
    listing = _listing(
        reader.dialect, TimelineShape(**shape), dates.start is not None, dates.end is not None
    )
    result = await fetch_page(reader, listing, page, last=last, **params)
    return ListAnswer(result, [_item(row) for row in result.rows], {})
