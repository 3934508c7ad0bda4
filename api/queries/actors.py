"""Actors: finding one by any of its names, listing them, and one with its counts."""

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import FromClause, Select, bindparam, exists, func, select

from api import documents
from api.database import Reader
from api.documents import Document
from api.errors import InvalidParameter, ParameterError
from api.models import (
    Actor,
    ActorName,
    Alias,
    Introduction,
    Mention,
    Participant,
    Position,
    Source,
    Statement,
    table_of,
)
from api.paging import Listing, PageRequest, Walk, fetch_page
from api.queries.common import (
    LAST,
    SUGGESTION_CANDIDATES,
    actor_ref_columns,
    closest,
    evidence_columns,
    id_in,
    prefixes_of,
    values_of,
)
from api.queries.facets import FacetBuild, ListAnswer, by_actor, by_column, facet_counts
from api.queries.filters import ACTORS_BY_NAME, Bound, bind, bind_named, slugs_to_ids
from api.text import fold

ACTORS = table_of(Actor)
INTRODUCTIONS = table_of(Introduction)
NAMES = table_of(ActorName)
SOURCES = table_of(Source)


# Names -----------------------------------------------------------------------------------------


@cache
def _names_statements(dialect: str) -> tuple[Select[Any], Select[Any]]:
    """Every actor a folded name is (exactly, or as a run of its words), and the names that
    begin with the given prefixes (for suggestions)."""
    keys = values_of(dialect, "keys", "text")
    prefixes = values_of(dialect, "prefixes", "text")
    found = (
        select(keys.c.value, NAMES.c.actor_id, NAMES.c.exact, ACTORS.c.slug)
        .select_from(keys)
        .join(NAMES, NAMES.c.key == keys.c.value)
        .join(ACTORS, ACTORS.c.id == NAMES.c.actor_id)
    )
    close = (
        select(NAMES.c.key, ACTORS.c.slug)
        .select_from(NAMES)
        .join(prefixes, (NAMES.c.key >= prefixes.c.value) & (NAMES.c.key < prefixes.c.value + LAST))
        .join(ACTORS, ACTORS.c.id == NAMES.c.actor_id)
        .where(NAMES.c.exact)
        .limit(SUGGESTION_CANDIDATES)
    )
    return found, close


async def actor_ids(reader: Reader, values: Sequence[str], parameter: str) -> list[int]:
    """The actors named by any of `values`: each a slug, a name or an alias, or a run of whole
    words of exactly one actor's name or alias ("senior diplomat"), in any case, with or without
    accents. A value that names no actor, or a name or run of words that several share, is a 422
    with the closest actors: an unknown name must never look like "this actor said nothing"."""
    found_statement, close_statement = _names_statements(reader.dialect)
    keys = {value: fold(value) for value in values}
    rows = await reader.rows(found_statement, keys=sorted(set(keys.values())))
    by_key: dict[str, list[tuple[int, bool, str]]] = {}
    for key, actor_id, exact, slug in rows:
        by_key.setdefault(key, []).append((actor_id, bool(exact), slug))
    ids: list[int] = []
    errors: list[ParameterError] = []
    for value, key in keys.items():
        matches = by_key.get(key, []) if key else []
        # A whole name or alias names its actor before any run of words does.
        exact = sorted({(slug, actor_id) for actor_id, is_exact, slug in matches if is_exact})
        named = exact or sorted({(slug, actor_id) for actor_id, _, slug in matches})
        if len(named) == 1:
            ids.append(named[0][1])
        elif named:
            slugs = [slug for slug, _ in named]
            shown = ", ".join(slugs[:8]) + (", …" if len(slugs) > 8 else "")
            message = f"{parameter}={value!r} could be any of: {shown}. Use one slug."
            errors.append(ParameterError(parameter, message, slugs[:8]))
        else:
            candidates = await reader.rows(close_statement, prefixes=prefixes_of(key or value))
            slugs_by_key: dict[str, list[str]] = {}
            for name_key, slug in candidates:
                slugs_by_key.setdefault(name_key, []).append(slug)
            keys_close = closest(key, list(slugs_by_key))
            suggestions = list(dict.fromkeys(s for k in keys_close for s in slugs_by_key[k]))[:5]
            hint = f" Did you mean: {', '.join(suggestions)}?" if suggestions else " See /actors."
            message = f"{parameter}={value!r} matches no actor's slug, name or alias.{hint}"
            errors.append(ParameterError(parameter, message, suggestions))
    if errors:
        raise InvalidParameter(*errors)
    return list(dict.fromkeys(ids))


async def bind_actors(
    reader: Reader, params: dict[str, Any], name: str, values: Sequence[str]
) -> Bound:
    """The filter `name` of actors by any of their names (see api.queries.filters)."""
    if reader.resolves_names():
        return bind_named(params, name, [fold(value) for value in values], ACTORS_BY_NAME)
    return bind(params, name, await actor_ids(reader, values, name))


async def canonical_slug(reader: Reader, value: str) -> tuple[str | None, list[str]]:
    """For `/actors/{value}`: the slug of the one actor a name or alias means, else suggestions."""
    try:
        ids = await actor_ids(reader, [value], "slug")
    except InvalidParameter as unknown:
        return None, unknown.errors[0].suggestions or []
    rows = await reader.rows(_slugs_of(reader.dialect), ids=ids)
    slugs = [slug for (slug,) in rows]
    return (slugs[0] if len(slugs) == 1 else None), slugs


@cache
def _slugs_of(dialect: str) -> Select[Any]:
    return select(ACTORS.c.slug).where(id_in(ACTORS.c.id, dialect, "ids")).order_by(ACTORS.c.slug)


# Lists -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActorFilters:
    q: str | None = None
    kind: tuple[str, ...] = ()
    affiliation: tuple[str, ...] = ()
    source: tuple[str, ...] = ()


def _actor_rows(page: FromClause) -> Select[Any]:
    """ACTOR_FIELDS of the actors of a page: each with its affiliation, and its introduction in
    the first source that introduces it."""
    affiliation = ACTORS.alias("affiliation")
    intro = table_of(Introduction).alias("intro")
    first = table_of(Introduction).alias("first_intro")
    first_source = SOURCES.alias("first_source")
    first_introduction = (
        select(first.c.id)
        .join(first_source, first_source.c.id == first.c.source_id)
        .where(first.c.actor_id == ACTORS.c.id)
        .order_by(first_source.c.published, first_source.c.slug)
        .limit(1)
        .scalar_subquery()
    )
    return (
        select(
            ACTORS.c.id,
            *actor_ref_columns(ACTORS),
            ACTORS.c.description,
            ACTORS.c.wikidata_id,
            *actor_ref_columns(affiliation),
            intro.c.titles,
            *evidence_columns(intro, SOURCES),
        )
        .select_from(page)
        .join(ACTORS, ACTORS.c.id == page.c.id)
        .outerjoin(affiliation, affiliation.c.id == ACTORS.c.affiliation_id)
        .outerjoin(intro, intro.c.id == first_introduction)
        .outerjoin(SOURCES, SOURCES.c.id == intro.c.source_id)
    )


@cache
def _listing(dialect: str, q: bool, kind: bool, affiliation: bool, source: bool) -> Listing:
    statement = select(ACTORS.c.id)
    if q:
        # Folded names and patterns hold only letters, digits and spaces: no LIKE wildcard.
        named = select(NAMES.c.actor_id).where(
            NAMES.c.exact, NAMES.c.key.contains(bindparam("q_pattern"))
        )
        statement = statement.where(ACTORS.c.id.in_(named))
    if kind:
        kinds = values_of(dialect, "kinds", "text")
        statement = statement.where(ACTORS.c.kind.in_(select(kinds.c.value)))
    if affiliation:
        statement = statement.where(id_in(ACTORS.c.affiliation_id, dialect, "affiliation_ids"))
    if source:
        intro = table_of(Introduction)
        statement = statement.where(
            exists().where(
                intro.c.actor_id == ACTORS.c.id, id_in(intro.c.source_id, dialect, "source_ids")
            )
        )
    return Listing([Walk(statement, (ACTORS.c.name_key, ACTORS.c.id))], _actor_rows)


A = ACTORS
ACTOR_FACETS: dict[str, FacetBuild] = {
    "kind": lambda items: by_column(items, A, A.c.kind),
    "affiliation": lambda items: by_actor(items, A, A.c.id == items.c.id, A.c.affiliation_id),
    "source": lambda items: select(SOURCES.c.slug, SOURCES.c.title).select_from(
        items.join(INTRODUCTIONS, INTRODUCTIONS.c.actor_id == items.c.id).join(
            SOURCES, SOURCES.c.id == INTRODUCTIONS.c.source_id
        )
    ),
}


async def actor_page(
    reader: Reader,
    filters: ActorFilters,
    page: PageRequest,
    facets: Sequence[str] = (),
    *,
    last: bool = False,
) -> ListAnswer:
    params: dict[str, Any] = {}
    if filters.q:
        pattern = fold(filters.q)
        if not pattern:  # only punctuation: it would match every name
            raise InvalidParameter.one(
                "q", f"q={filters.q!r} has no letters or digits to search for."
            )
        params["q_pattern"] = pattern
    if filters.kind:
        params["kinds"] = list(filters.kind)
    if filters.affiliation:
        params["affiliation_ids"] = await actor_ids(reader, filters.affiliation, "affiliation")
    if filters.source:
        params["source_ids"] = await slugs_to_ids(
            reader, SOURCES, filters.source, "source", "/sources"
        )
    listing = _listing(
        reader.dialect,
        bool(filters.q),
        bool(filters.kind),
        bool(filters.affiliation),
        bool(filters.source),
    )
    result = await fetch_page(reader, listing, page, **params)
    counts = await facet_counts(reader, listing, result, ACTOR_FACETS, facets, params)
    return ListAnswer(result, await actor_documents(reader, result.rows, last=last), counts)


@cache
def _aliases_statement(dialect: str) -> Select[Any]:
    aliases = table_of(Alias)
    return (
        select(aliases.c.actor_id, aliases.c.name, *evidence_columns(aliases, SOURCES))
        .join(SOURCES, SOURCES.c.id == aliases.c.source_id)
        .where(id_in(aliases.c.actor_id, dialect, "ids"))
        .order_by(aliases.c.actor_id, SOURCES.c.published, aliases.c.id)
    )


async def actor_documents(reader: Reader, rows: list[Any], *, last: bool = False) -> list[Document]:
    if not rows:
        return []
    read_rows = reader.last_rows if last else reader.rows
    aliases = documents.grouped(
        await read_rows(_aliases_statement(reader.dialect), ids=[row[0] for row in rows]),
        documents.alias,
    )
    return [documents.actor(row, aliases.get(row[0], [])) for row in rows]


# One actor ---------------------------------------------------------------------------------------


@cache
def _one_actor() -> Select[Any]:
    found = select(ACTORS.c.id).where(ACTORS.c.slug == bindparam("slug"))
    return _actor_rows(found.subquery("page"))


@cache
def _counts_statement() -> Select[Any]:
    actor_id = select(ACTORS.c.id).where(ACTORS.c.slug == bindparam("slug")).scalar_subquery()

    def count(table: Any, column: Any, distinct: Any = None) -> Any:
        counted = func.count(func.distinct(distinct)) if distinct is not None else func.count()
        return select(counted).select_from(table).where(column == actor_id).scalar_subquery()

    participants = table_of(Participant)
    return select(
        count(table_of(Statement), table_of(Statement).c.speaker_id),
        count(participants, participants.c.actor_id, participants.c.event_id),
        count(table_of(Position), table_of(Position).c.actor_id),
        count(table_of(Mention), table_of(Mention).c.actor_id),
    )


async def actor_detail(reader: Reader, slug: str) -> Document | None:
    rows = await reader.rows(_one_actor(), slug=slug)
    if not rows:
        return None
    (found,) = await actor_documents(reader, rows)
    ((statements, events, positions, mentions),) = await reader.rows(_counts_statement(), slug=slug)
    found["counts"] = {
        "statements": statements,
        "events": events,
        "positions": positions,
        "mentions": mentions,
    }
    return found
