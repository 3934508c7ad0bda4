"""Statements: who said what, and what it is about."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, FromClause, Select, and_, bindparam, select, union_all

from api import documents
from api.database import Reader
from api.documents import Document
from api.models import (
    Actor,
    Event,
    Mention,
    Source,
    Statement,
    StatementDocument,
    Term,
    statement_terms,
    table_of,
)
from api.paging import EachValue, Listing, PageRequest, fetch_page
from api.queries.actors import bind_actors
from api.queries.common import (
    DateRange,
    StoredDocument,
    actor_ref_columns,
    actor_ref_json,
    date_columns,
    event_ref_columns,
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
from api.queries.filters import (
    Bound,
    any_of,
    bind,
    bind_slugs,
    each_of,
    resolved_checks,
    single,
)
from api.search import (
    SearchWay,
    condition,
    held_past_the_limit,
    lexicon_checks,
    search_plan,
    walk_alone,
)
from api.vocabulary import ActorKind, StatementMode

STATEMENTS = table_of(Statement)
# A page reads its statements' stored documents (api.stored_documents).
STORED_ROWS = stored_rows(table_of(StatementDocument))
ACTORS = table_of(Actor)
EVENTS = table_of(Event)
SOURCES = table_of(Source)
MENTIONS = table_of(Mention)
TERMS = table_of(Term)


@dataclass(frozen=True)
class StatementFilters:
    speaker: tuple[str, ...] = ()
    about: tuple[str, ...] = ()
    dates: DateRange = field(default_factory=lambda: DateRange(None, None))
    precision: tuple[str, ...] = ()
    direct: bool | None = None
    event: tuple[str, ...] = ()
    term: tuple[str, ...] = ()
    anonymous: bool | None = None
    source: tuple[str, ...] = ()
    q: str | None = None


@dataclass(frozen=True)
class StatementShape:
    """Which filters a question has (and how many values each): one Listing per shape."""

    speaker: Bound = None
    about: Bound = None
    precision: Bound = None
    direct: bool | None = None
    event: Bound = None
    term: Bound = None
    anonymous: bool | None = None
    source: Bound = None
    search: SearchWay | None = None  # how its rows are found (api.search)
    lexicon_checked: bool = False  # its words spelled as remembered, and checked (api.search)


def via(dialect: str, shape: StatementShape) -> Via | None:
    """What is said about one actor (by anyone) walks that actor's mentions in date order; a
    speaker's statements walk the statements' own index on (speaker, date)."""
    if single(shape.about) and not shape.speaker:
        about = and_(
            any_of(MENTIONS.c.actor_id, dialect, "about", shape.about),
            MENTIONS.c.statement_id.is_not(None),
        )
        return Via(MENTIONS, MENTIONS.c.statement_id, about)
    return None


def _speakers_one_at_a_time(dialect: str, shape: StatementShape) -> bool:
    """Several speakers, on PostgreSQL, and no search: a page reads each one's statements on
    their index (speaker, date, id), then merges them (api.paging.EachValue). A search's words
    choose how its rows are found (api.search): they are left to do so."""
    several = bool(shape.speaker) and not single(shape.speaker)
    return dialect == "postgresql" and several and shape.search is None


def each_speaker(dialect: str, shape: StatementShape) -> EachValue | None:
    """The speakers, when a page reads them one at a time."""
    if not _speakers_one_at_a_time(dialect, shape):
        return None
    return EachValue(STATEMENTS.c.speaker_id, each_of(dialect, "speaker", shape.speaker))


def conditions(dialect: str, shape: StatementShape) -> list[ColumnElement[bool]]:
    """The filters of a shape on the statements table (binding :speaker, :about…), but those
    its walk applies (`via`, `each_speaker`)."""
    if via(dialect, shape) is not None:
        shape = replace(shape, about=None)
    if _speakers_one_at_a_time(dialect, shape):
        shape = replace(shape, speaker=None)
    s = STATEMENTS.c
    found: list[ColumnElement[bool]] = []
    if shape.speaker:
        found.append(any_of(s.speaker_id, dialect, "speaker", shape.speaker))
    if shape.about:
        about = select(MENTIONS.c.statement_id).where(
            any_of(MENTIONS.c.actor_id, dialect, "about", shape.about)
        )
        found.append(s.id.in_(about))
    if shape.precision:
        found.append(any_of(s.date_precision, dialect, "precision", shape.precision, "text"))
    if shape.direct is not None:
        found.append(s.mode == (StatementMode.direct if shape.direct else StatementMode.reported))
    if shape.event:
        found.append(any_of(s.event_id, dialect, "event", shape.event))
    if shape.term:
        about_terms = select(statement_terms.c.statement_id).where(
            any_of(statement_terms.c.term_id, dialect, "term", shape.term)
        )
        found.append(s.id.in_(about_terms))
    if shape.anonymous is not None:
        anonymous = select(ACTORS.c.id).where(ACTORS.c.kind == ActorKind.anonymous_source)
        found.append(
            s.speaker_id.in_(anonymous) if shape.anonymous else ~s.speaker_id.in_(anonymous)
        )
    if shape.source:
        found.append(any_of(s.source_id, dialect, "source", shape.source))
    if shape.search:
        found.append(condition(dialect, "statements", shape.search))
    return found


async def bind_filters(
    reader: Reader, filters: StatementFilters, params: dict[str, Any]
) -> StatementShape:
    """The filters into `params`, their names and slugs looked up first (422 for one that names
    nothing) or left to the page's statement (api.queries.filters)."""
    shape: dict[str, Any] = {}
    if filters.speaker:
        shape["speaker"] = await bind_actors(reader, params, "speaker", filters.speaker)
    if filters.about:
        shape["about"] = await bind_actors(reader, params, "about", filters.about)
    if filters.precision:
        shape["precision"] = bind(params, "precision", list(filters.precision))
    for name, table, listing in (
        ("event", EVENTS, "/events"),
        ("term", TERMS, "/terms"),
        ("source", SOURCES, "/sources"),
    ):
        values = getattr(filters, name)
        if values:
            shape[name] = await bind_slugs(reader, params, name, values, table, listing)
    if filters.q:
        alone = replace(filters, q=None) == StatementFilters()
        plan = await search_plan(reader, "statements", filters.q, alone)
        shape["search"] = plan.bind(params)
        shape["lexicon_checked"] = plan.lexicon is not None
    params.update(date_params(filters.dates))
    return StatementShape(direct=filters.direct, anonymous=filters.anonymous, **shape)


def assembled_rows(dialect: str) -> Callable[[FromClause], Select[Any]]:
    """STATEMENT_FIELDS of the statements of a page (`page.c.id`), with their speaker, event and
    source, then their terms, the actors they are about, and the statements of other sources
    that report the same words (JSON lists built by the database): what a statement's document
    is made of, when it is stored (api.stored_documents)."""

    def rows(page: FromClause) -> Select[Any]:
        s = STATEMENTS
        speaker = ACTORS.alias("speaker")
        event = EVENTS.alias("event")
        return (
            select(
                s.c.id,
                s.c.slug,
                s.c.text,
                s.c.mode,
                s.c.cue,
                s.c.setting,
                s.c.same_as,
                *actor_ref_columns(speaker),
                (speaker.c.kind == ActorKind.anonymous_source).label("anonymous"),
                *event_ref_columns(event),
                *date_columns(s),
                *evidence_columns(s, SOURCES),
                *_related(dialect),
            )
            .select_from(page)
            .join(s, s.c.id == page.c.id)
            .join(speaker, speaker.c.id == s.c.speaker_id)
            .join(SOURCES, SOURCES.c.id == s.c.source_id)
            .outerjoin(event, event.c.id == s.c.event_id)
        )

    return rows


def _related(dialect: str) -> list[ColumnElement[Any]]:
    s = STATEMENTS
    mentioned = ACTORS.alias("mentioned")
    mention_source = SOURCES.alias("mention_source")
    other = STATEMENTS.alias("other")
    other_source = SOURCES.alias("other_source")
    terms = json_list(
        dialect,
        {"slug": TERMS.c.slug, "title": TERMS.c.title},
        statement_terms.join(TERMS, TERMS.c.id == statement_terms.c.term_id),
        [statement_terms.c.statement_id == s.c.id],
        [TERMS.c.number, TERMS.c.id],
        s,
    )
    about = json_list(
        dialect,
        {
            "actor": actor_ref_json(mentioned),
            "role": MENTIONS.c.role,
            "evidence": evidence_json(MENTIONS, mention_source),
        },
        MENTIONS.join(mentioned, mentioned.c.id == MENTIONS.c.actor_id).join(
            mention_source, mention_source.c.id == MENTIONS.c.source_id
        ),
        [MENTIONS.c.statement_id == s.c.id],
        [MENTIONS.c.evidence_start, MENTIONS.c.id],
        s,
    )
    same_as = json_list(
        dialect,
        {
            "id": other.c.id,
            "slug": other.c.slug,
            "source": {"slug": other_source.c.slug, "title": other_source.c.title},
        },
        other.join(other_source, other_source.c.id == other.c.source_id),
        [other.c.id.in_(_same_words(s)), other.c.id != s.c.id],
        [other.c.id],
        s,
    )
    return [terms, about, same_as]


def _same_words(s: FromClause) -> Any:
    """The ids of the statements linked to `s` by `same_as`, either way: two index lookups
    (an OR of the two would read every statement)."""
    target = STATEMENTS.alias("target")
    linked = STATEMENTS.alias("linked")
    return union_all(
        select(target.c.id).where(target.c.slug == s.c.same_as).correlate(s),
        select(linked.c.id).where(linked.c.same_as == s.c.slug).correlate(s),
    )


@cache
def statement_listing(dialect: str, shape: StatementShape, has_from: bool, has_to: bool) -> Listing:
    checks = [*resolved_checks(dialect, shape), *lexicon_checks(shape.lexicon_checked)]
    searched = walk_alone("statements", shape.search)
    past_limit = held_past_the_limit(dialect, "statements", shape.search)
    if searched is not None:
        return Listing([searched], STORED_ROWS, checks, past_limit)
    walks = fact_walks(
        STATEMENTS,
        conditions(dialect, shape),
        has_from,
        has_to,
        via(dialect, shape),
        each_speaker(dialect, shape),
    )
    return Listing(walks, STORED_ROWS, checks, past_limit)


S = STATEMENTS
STATEMENT_FACETS: dict[str, FacetBuild] = {
    "speaker": lambda items: by_actor(items, S, S.c.id == items.c.id, S.c.speaker_id),
    "about": lambda items: by_actor(
        items, MENTIONS, MENTIONS.c.statement_id == items.c.id, MENTIONS.c.actor_id
    ),
    "mode": lambda items: by_column(items, S, S.c.mode),
    "precision": lambda items: by_column(items, S, S.c.date_precision),
    "event": lambda items: by_reference(
        items, S, EVENTS, EVENTS.c.id == S.c.event_id, EVENTS.c.title
    ),
    "term": lambda items: select(TERMS.c.slug, TERMS.c.title).select_from(
        items.join(statement_terms, statement_terms.c.statement_id == items.c.id).join(
            TERMS, TERMS.c.id == statement_terms.c.term_id
        )
    ),
    "source": lambda items: by_reference(
        items, S, SOURCES, SOURCES.c.id == S.c.source_id, SOURCES.c.title
    ),
}


async def statement_page(
    reader: Reader,
    filters: StatementFilters,
    page: PageRequest,
    facets: Sequence[str] = (),
    *,
    last: bool = False,
) -> ListAnswer:
    params: dict[str, Any] = {}
    shape = await bind_filters(reader, filters, params)
    dates = filters.dates
    listing = statement_listing(
        reader.dialect, shape, dates.start is not None, dates.end is not None
    )
    result = await fetch_page(reader, listing, page, last=last and not facets, **params)
    counts = await facet_counts(reader, listing, result, STATEMENT_FACETS, facets, params)
    return ListAnswer(result, [stored_document(row) for row in result.rows], counts)


def assembled_document(row: Any) -> Document:
    """A row of `assembled_rows`, as the statement's document."""
    width = len(documents.STATEMENT_FIELDS)
    terms, about, same_as = (documents.parsed_list(value) for value in row[width : width + 3])
    return documents.statement(row, terms, about, same_as)


@cache
def _one_statement(by_id: bool) -> Select[Any]:
    s = STATEMENTS.c
    found = select(s.id).where(s.id == bindparam("id") if by_id else s.slug == bindparam("slug"))
    return STORED_ROWS(found.subquery("page"))


async def statement_detail(reader: Reader, key: str) -> StoredDocument | None:
    """A statement by id, or by slug."""
    by_id = key.isascii() and key.isdigit() and int(key) < 2**31  # else no id: look up a slug
    params = {"id": int(key)} if by_id else {"slug": key}
    rows = await reader.last_rows(_one_statement(by_id), **params)
    return stored_document(rows[0]) if rows else None
