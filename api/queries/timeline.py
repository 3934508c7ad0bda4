"""The timeline: events and statements in one chronological list."""

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sqlalchemy import Select, select

from api.database import Reader
from api.documents import Document
from api.models import Event, Statement, table_of
from api.paging import Listing, PageRequest, Walk, fetch_page
from api.queries import events, statements
from api.queries.actors import actor_ids
from api.queries.common import DateRange, id_in, stored_document
from api.queries.dates import date_params, fact_walks
from api.queries.facets import ListAnswer
from api.queries.filters import Bound, bind, slugs_to_ids

EVENT, STATEMENT = 0, 1  # on the same day, events come before what was said about them
EVENTS = table_of(Event)
STATEMENTS = table_of(Statement)


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
            Walk(walk.select, (walk.key[0], EVENT, walk.key[1]))
            for walk in fact_walks(
                EVENTS,
                events.conditions(dialect, event_shape),
                has_from,
                has_to,
                events.via(dialect, event_shape),
            )
        ),
        *(
            Walk(walk.select, (walk.key[0], STATEMENT, walk.key[1]))
            for walk in fact_walks(
                STATEMENTS,
                statements.conditions(dialect, statement_shape),
                has_from,
                has_to,
                statements.via(statement_shape),
            )
        ),
    ]
    return Listing(walks)


@cache
def _events_by_id(dialect: str) -> Select[Any]:
    found = select(EVENTS.c.id).where(id_in(EVENTS.c.id, dialect, "ids"))
    return events.STORED_ROWS(found.subquery("page"))


@cache
def _statements_by_id(dialect: str) -> Select[Any]:
    found = select(STATEMENTS.c.id).where(id_in(STATEMENTS.c.id, dialect, "ids"))
    return statements.STORED_ROWS(found.subquery("page"))


async def timeline_page(reader: Reader, filters: TimelineFilters, page: PageRequest) -> ListAnswer:
    """Events and statements in one list sorted by (date, kind, id): each list (and each of its
    date branches) is paged on its own index, the keys are merged, then the page's events and
    statements are read by id, all in the request's one snapshot."""
    params: dict[str, Any] = {}
    shape: dict[str, Any] = {}
    if filters.actor:
        ids = await actor_ids(reader, filters.actor, "actor")
        shape["actor"] = bind(params, "actor", ids)
        bind(params, "speaker", ids)
    if filters.about:
        shape["about"] = bind(params, "about", await actor_ids(reader, filters.about, "about"))
    if filters.precision:
        shape["precision"] = bind(params, "precision", filters.precision)
    if filters.source:
        ids = await slugs_to_ids(reader, statements.SOURCES, filters.source, "source", "/sources")
        shape["source"] = bind(params, "source", ids)
    params.update(date_params(filters.dates))
    dates = filters.dates
    listing = _listing(
        reader.dialect, TimelineShape(**shape), dates.start is not None, dates.end is not None
    )
    result = await fetch_page(reader, listing, page, **params)
    keys = [(row[-2], row[-1]) for row in result.rows]  # (kind, id): the end of each row's key
    found: dict[tuple[int, int], Document] = {}
    for kind, statement, name in (
        (EVENT, _events_by_id, "event"),
        (STATEMENT, _statements_by_id, "statement"),
    ):
        ids = [row_id for row_kind, row_id in keys if row_kind == kind]
        if ids:
            for row in await reader.rows(statement(reader.dialect), ids=ids):
                fact = stored_document(row)
                found[(kind, row[0])] = {"type": name, "date": fact["date"], name: fact}
    return ListAnswer(result, [found[key] for key in keys], {})
