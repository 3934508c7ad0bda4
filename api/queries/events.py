"""Events and meetings: who took part, in what role, and whom they were about."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, FromClause, Select, and_, bindparam, func, select

from api import documents
from api.database import Reader
from api.documents import Document
from api.models import Actor, Event, EventDocument, Mention, Participant, Source, table_of
from api.paging import Listing, PageRequest, fetch_page
from api.queries.actors import bind_actors
from api.queries.common import (
    DateRange,
    StoredDocument,
    actor_ref_json,
    date_columns,
    evidence_columns,
    evidence_json,
    json_list,
    stored_document,
    stored_rows,
)
from api.queries.dates import Via, date_params, fact_walks
from api.queries.facets import (
    FacetBuild,
    ListAnswer,
    by_actor,
    by_column,
    by_reference,
    facet_counts,
)
from api.queries.filters import Bound, any_of, bind, bind_slugs, resolved_checks, single
from api.search import (
    SearchWay,
    condition,
    held_past_the_limit,
    lexicon_checks,
    search_plan,
    walk_alone,
)

EVENTS = table_of(Event)
# A page reads its events' stored documents (api.stored_documents).
STORED_ROWS = stored_rows(table_of(EventDocument))
ACTORS = table_of(Actor)
SOURCES = table_of(Source)
PARTICIPANTS = table_of(Participant)
MENTIONS = table_of(Mention)


@dataclass(frozen=True)
class EventFilters:
    kind: tuple[str, ...] = ()
    dates: DateRange = field(default_factory=lambda: DateRange(None, None))
    precision: tuple[str, ...] = ()
    actor: tuple[str, ...] = ()
    role: tuple[str, ...] = ()
    about: tuple[str, ...] = ()
    location: str | None = None
    source: tuple[str, ...] = ()
    q: str | None = None


@dataclass(frozen=True)
class EventShape:
    kind: Bound = None
    precision: Bound = None
    actor: Bound = None
    role: Bound = None
    about: Bound = None
    location: bool = False
    source: Bound = None
    search: SearchWay | None = None  # how its rows are found (api.search)
    lexicon_checked: bool = False  # its words spelled as remembered, and checked (api.search)


def via(dialect: str, shape: EventShape) -> Via | None:
    """One actor's events walk that actor's participations (or mentions) in date order."""
    if single(shape.actor):
        taking_part = [any_of(PARTICIPANTS.c.actor_id, dialect, "actor", shape.actor)]
        if shape.role:
            taking_part.append(any_of(PARTICIPANTS.c.role, dialect, "role", shape.role, "text"))
        return Via(PARTICIPANTS, PARTICIPANTS.c.event_id, and_(*taking_part))
    if single(shape.about) and not shape.actor:
        about = and_(
            any_of(MENTIONS.c.actor_id, dialect, "about", shape.about),
            MENTIONS.c.event_id.is_not(None),
        )
        return Via(MENTIONS, MENTIONS.c.event_id, about)
    return None


def conditions(dialect: str, shape: EventShape) -> list[ColumnElement[bool]]:
    """The filters of a shape on the events table, but those its walk (`via`) applies."""
    e = EVENTS.c
    walked = via(dialect, shape)
    if walked is not None and walked.link is PARTICIPANTS:
        shape = replace(shape, actor=None, role=None)
    elif walked is not None:
        shape = replace(shape, about=None)
    found: list[ColumnElement[bool]] = []
    if shape.kind:
        found.append(any_of(e.kind, dialect, "kind", shape.kind, "text"))
    if shape.precision:
        found.append(any_of(e.date_precision, dialect, "precision", shape.precision, "text"))
    if shape.actor or shape.role:
        taking_part = select(PARTICIPANTS.c.event_id)
        if shape.actor:
            taking_part = taking_part.where(
                any_of(PARTICIPANTS.c.actor_id, dialect, "actor", shape.actor)
            )
        if shape.role:
            taking_part = taking_part.where(
                any_of(PARTICIPANTS.c.role, dialect, "role", shape.role, "text")
            )
        found.append(e.id.in_(taking_part))
    if shape.about:
        about = select(MENTIONS.c.event_id).where(
            any_of(MENTIONS.c.actor_id, dialect, "about", shape.about)
        )
        found.append(e.id.in_(about))
    if shape.location:
        found.append(func.lower(e.location).contains(bindparam("location"), escape="/"))
    if shape.source:
        found.append(any_of(e.source_id, dialect, "source", shape.source))
    if shape.search:
        found.append(condition(dialect, "events", shape.search))
    return found


async def bind_filters(reader: Reader, filters: EventFilters, params: dict[str, Any]) -> EventShape:
    shape: dict[str, Any] = {}
    if filters.kind:
        shape["kind"] = bind(params, "kind", filters.kind)
    if filters.precision:
        shape["precision"] = bind(params, "precision", filters.precision)
    if filters.actor:
        shape["actor"] = await bind_actors(reader, params, "actor", filters.actor)
    if filters.role:
        shape["role"] = bind(params, "role", filters.role)
    if filters.about:
        shape["about"] = await bind_actors(reader, params, "about", filters.about)
    if filters.location:
        # `%` and `_` match themselves, not any characters.
        escaped = filters.location.lower().replace("/", "//").replace("%", "/%").replace("_", "/_")
        params["location"] = escaped
        shape["location"] = True
    if filters.source:
        shape["source"] = await bind_slugs(
            reader, params, "source", filters.source, SOURCES, "/sources"
        )
    if filters.q:
        alone = replace(filters, q=None) == EventFilters()
        plan = await search_plan(reader, "events", filters.q, alone)
        shape["search"] = plan.bind(params)
        shape["lexicon_checked"] = plan.lexicon is not None
    params.update(date_params(filters.dates))
    return EventShape(**shape)


def assembled_rows(dialect: str) -> Callable[[FromClause], Select[Any]]:
    """EVENT_FIELDS of the events of a page (`page.c.id`), then their participants with their
    roles and the actors they are about (JSON lists built by the database)."""

    def rows(page: FromClause) -> Select[Any]:
        e = EVENTS.c
        return (
            select(
                e.id,
                e.slug,
                e.kind,
                e.title,
                e.description,
                e.location,
                e.outcome,
                e.votes_for,
                e.votes_against,
                e.abstentions,
                e.hostages_freed,
                e.casualties,
                *date_columns(EVENTS),
                *evidence_columns(EVENTS, SOURCES),
                *_related(dialect),
            )
            .select_from(page)
            .join(EVENTS, e.id == page.c.id)
            .join(SOURCES, SOURCES.c.id == e.source_id)
        )

    return rows


def _related(dialect: str) -> list[ColumnElement[Any]]:
    lists = []
    for table, column, order in (
        (PARTICIPANTS, PARTICIPANTS.c.event_id, [PARTICIPANTS.c.id]),
        (MENTIONS, MENTIONS.c.event_id, [MENTIONS.c.evidence_start, MENTIONS.c.id]),
    ):
        actor = ACTORS.alias(f"{table.name}_actor")
        source = SOURCES.alias(f"{table.name}_source")
        lists.append(
            json_list(
                dialect,
                {
                    "actor": actor_ref_json(actor),
                    "role": table.c.role,
                    "evidence": evidence_json(table, source),
                },
                table.join(actor, actor.c.id == table.c.actor_id).join(
                    source, source.c.id == table.c.source_id
                ),
                [column == EVENTS.c.id],
                order,
                EVENTS,
            )
        )
    return lists


@cache
def _listing(dialect: str, shape: EventShape, has_from: bool, has_to: bool) -> Listing:
    checks = [*resolved_checks(dialect, shape), *lexicon_checks(shape.lexicon_checked)]
    searched = walk_alone("events", shape.search)
    past_limit = held_past_the_limit(dialect, "events", shape.search)
    if searched is not None:
        return Listing([searched], STORED_ROWS, checks, past_limit)
    walks = fact_walks(EVENTS, conditions(dialect, shape), has_from, has_to, via(dialect, shape))
    return Listing(walks, STORED_ROWS, checks, past_limit)


E = EVENTS
EVENT_FACETS: dict[str, FacetBuild] = {
    "kind": lambda items: by_column(items, E, E.c.kind),
    "precision": lambda items: by_column(items, E, E.c.date_precision),
    "actor": lambda items: by_actor(
        items, PARTICIPANTS, PARTICIPANTS.c.event_id == items.c.id, PARTICIPANTS.c.actor_id
    ),
    "role": lambda items: select(PARTICIPANTS.c.role, PARTICIPANTS.c.role).select_from(
        items.join(PARTICIPANTS, PARTICIPANTS.c.event_id == items.c.id)
    ),
    "about": lambda items: by_actor(
        items, MENTIONS, MENTIONS.c.event_id == items.c.id, MENTIONS.c.actor_id
    ),
    "location": lambda items: by_column(items, E, E.c.location),
    "source": lambda items: by_reference(
        items, E, SOURCES, SOURCES.c.id == E.c.source_id, SOURCES.c.title
    ),
}


async def event_page(
    reader: Reader,
    filters: EventFilters,
    page: PageRequest,
    facets: Sequence[str] = (),
    *,
    last: bool = False,
) -> ListAnswer:
    params: dict[str, Any] = {}
    shape = await bind_filters(reader, filters, params)
    dates = filters.dates
    listing = _listing(reader.dialect, shape, dates.start is not None, dates.end is not None)
    result = await fetch_page(reader, listing, page, last=last and not facets, **params)
    counts = await facet_counts(reader, listing, result, EVENT_FACETS, facets, params)
    return ListAnswer(result, [stored_document(row) for row in result.rows], counts)


def assembled_document(row: Any) -> Document:
    """A row of `assembled_rows`, as the event's document."""
    width = len(documents.EVENT_FIELDS)
    participants, about = (documents.parsed_list(value) for value in row[width : width + 2])
    return documents.event(row, participants, about)


@cache
def _one_event() -> Select[Any]:
    found = select(EVENTS.c.id).where(EVENTS.c.slug == bindparam("slug"))
    return STORED_ROWS(found.subquery("page"))


async def event_detail(reader: Reader, slug: str, *, last: bool = False) -> StoredDocument | None:
    rows = await (reader.last_rows if last else reader.rows)(_one_event(), slug=slug)
    return stored_document(rows[0]) if rows else None
