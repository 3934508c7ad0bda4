"""Proposals, their terms, and the positions actors take on them."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, FromClause, Select, bindparam, select

from api import documents
from api.database import Reader
from api.documents import Document
from api.models import Actor, Event, Phase, Position, Proposal, Source, Statement, Term, table_of
from api.paging import Listing, PageRequest, Walk, fetch_page
from api.queries.actors import bind_actors
from api.queries.common import (
    DateRange,
    actor_ref_columns,
    date_columns,
    event_ref_columns,
    evidence_columns,
    evidence_json,
    json_list,
)
from api.queries.dates import date_params, fact_walks
from api.queries.facets import (
    FacetBuild,
    ListAnswer,
    by_actor,
    by_column,
    by_reference,
    facet_counts,
)
from api.queries.filters import Bound, any_of, any_of_each, bind, bind_slugs, resolved_checks

PROPOSALS = table_of(Proposal)
PHASES = table_of(Phase)
TERMS = table_of(Term)
POSITIONS = table_of(Position)
ACTORS = table_of(Actor)
SOURCES = table_of(Source)
STATEMENTS = table_of(Statement)
EVENTS = table_of(Event)


# Proposals ---------------------------------------------------------------------------------------


def _proposal_rows(dialect: str) -> Callable[[FromClause], Select[Any]]:
    """PROPOSAL_FIELDS of the proposals of a page, then their phases and terms, in order."""

    def rows(page: FromClause) -> Select[Any]:
        p = PROPOSALS.c
        proposed_by = ACTORS.alias("proposed_by")
        return (
            select(
                p.id,
                p.slug,
                p.title,
                p.description,
                p.status,
                p.status_note,
                *actor_ref_columns(proposed_by),
                *date_columns(PROPOSALS),
                *evidence_columns(PROPOSALS, SOURCES),
                *_proposal_related(dialect),
            )
            .select_from(page)
            .join(PROPOSALS, p.id == page.c.id)
            .join(SOURCES, SOURCES.c.id == p.source_id)
            .outerjoin(proposed_by, proposed_by.c.id == p.proposed_by_id)
        )

    return rows


def _proposal_related(dialect: str) -> list[ColumnElement[Any]]:
    phase_source = SOURCES.alias("phase_source")
    phases = json_list(
        dialect,
        {
            "number": PHASES.c.number,
            "title": PHASES.c.title,
            "description": PHASES.c.description,
            "evidence": evidence_json(PHASES, phase_source),
        },
        PHASES.join(phase_source, phase_source.c.id == PHASES.c.source_id),
        [PHASES.c.proposal_id == PROPOSALS.c.id],
        [PHASES.c.number],
        PROPOSALS,
    )
    term_source = SOURCES.alias("term_source")
    term_phase = PHASES.alias("term_phase")
    terms = json_list(
        dialect,
        {
            "slug": TERMS.c.slug,
            "proposal": {"slug": PROPOSALS.c.slug, "title": PROPOSALS.c.title},
            "phase_number": term_phase.c.number,
            "phase_title": term_phase.c.title,
            "number": TERMS.c.number,
            "kind": TERMS.c.kind,
            "title": TERMS.c.title,
            "text": TERMS.c.evidence_text,
            "evidence": evidence_json(TERMS, term_source),
        },
        TERMS.join(term_source, term_source.c.id == TERMS.c.source_id).outerjoin(
            term_phase, term_phase.c.id == TERMS.c.phase_id
        ),
        [TERMS.c.proposal_id == PROPOSALS.c.id],
        [TERMS.c.number, TERMS.c.id],
        PROPOSALS,
    )
    return [phases, terms]


@dataclass(frozen=True)
class ProposalFilters:
    status: tuple[str, ...] = ()
    dates: DateRange = field(default_factory=lambda: DateRange(None, None))
    precision: tuple[str, ...] = ()
    source: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProposalShape:
    status: Bound = None
    precision: Bound = None
    source: Bound = None


@cache
def _proposal_listing(dialect: str, shape: ProposalShape, has_from: bool, has_to: bool) -> Listing:
    p = PROPOSALS.c
    conditions = any_of_each(
        dialect,
        shape,
        [
            ("status", p.status, "text"),
            ("precision", p.date_precision, "text"),
            ("source", p.source_id, "int"),
        ],
    )
    return Listing(
        fact_walks(PROPOSALS, conditions, has_from, has_to),
        _proposal_rows(dialect),
        resolved_checks(dialect, shape),
    )


def _proposal_document(row: Any) -> Document:
    width = len(documents.PROPOSAL_FIELDS)
    phases, terms = (documents.parsed_list(value) for value in row[width : width + 2])
    for term in terms:  # the phase as an object, or null for a term of the whole proposal
        number, title = term.pop("phase_number"), term.pop("phase_title")
        term["phase"] = None if number is None else {"number": number, "title": title}
    return documents.proposal(row, phases, terms)


PROPOSAL_FACETS: dict[str, FacetBuild] = {
    "status": lambda items: by_column(items, PROPOSALS, PROPOSALS.c.status),
    "precision": lambda items: by_column(items, PROPOSALS, PROPOSALS.c.date_precision),
    "source": lambda items: by_reference(
        items, PROPOSALS, SOURCES, SOURCES.c.id == PROPOSALS.c.source_id, SOURCES.c.title
    ),
}


async def proposal_page(
    reader: Reader,
    filters: ProposalFilters,
    page: PageRequest,
    facets: Sequence[str] = (),
    *,
    last: bool = False,
) -> ListAnswer:
    params: dict[str, Any] = {}
    shape: dict[str, Any] = {}
    if filters.source:
        shape["source"] = await bind_slugs(
            reader, params, "source", filters.source, SOURCES, "/sources"
        )
    for name in ("status", "precision"):
        values = getattr(filters, name)
        if values:
            shape[name] = bind(params, name, values)
    params.update(date_params(filters.dates))
    dates = filters.dates
    listing = _proposal_listing(
        reader.dialect, ProposalShape(**shape), dates.start is not None, dates.end is not None
    )
    result = await fetch_page(reader, listing, page, last=last and not facets, **params)
    counts = await facet_counts(reader, listing, result, PROPOSAL_FACETS, facets, params)
    return ListAnswer(result, [_proposal_document(row) for row in result.rows], counts)


@cache
def _one_proposal(dialect: str) -> Select[Any]:
    found = select(PROPOSALS.c.id).where(PROPOSALS.c.slug == bindparam("slug"))
    return _proposal_rows(dialect)(found.subquery("page"))


async def proposal_detail(reader: Reader, slug: str) -> Document | None:
    rows = await reader.last_rows(_one_proposal(reader.dialect), slug=slug)
    return _proposal_document(rows[0]) if rows else None


# Terms -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TermFilters:
    proposal: tuple[str, ...] = ()
    phase: int | None = None
    kind: tuple[str, ...] = ()
    source: tuple[str, ...] = ()


@dataclass(frozen=True)
class TermShape:
    proposal: Bound = None
    phase: bool = False
    kind: Bound = None
    source: Bound = None


def _term_rows(page: FromClause) -> Select[Any]:
    """TERM_FIELDS of the terms of a page."""
    t = TERMS.c
    phase = PHASES.alias("phase")
    return (
        select(
            t.id,
            t.slug,
            t.number,
            t.kind,
            t.title,
            PROPOSALS.c.slug,
            PROPOSALS.c.title,
            phase.c.number,
            phase.c.title,
            *evidence_columns(TERMS, SOURCES),
        )
        .select_from(page)
        .join(TERMS, t.id == page.c.id)
        .join(PROPOSALS, PROPOSALS.c.id == t.proposal_id)
        .join(SOURCES, SOURCES.c.id == t.source_id)
        .outerjoin(phase, phase.c.id == t.phase_id)
    )


@cache
def _term_listing(dialect: str, shape: TermShape) -> Listing:
    t = TERMS.c
    statement = select(t.id)
    if shape.proposal:
        statement = statement.where(any_of(t.proposal_id, dialect, "proposal", shape.proposal))
    if shape.phase:
        numbered = select(PHASES.c.id).where(PHASES.c.number == bindparam("phase"))
        statement = statement.where(t.phase_id.in_(numbered))
    if shape.kind:
        statement = statement.where(any_of(t.kind, dialect, "kind", shape.kind, "text"))
    if shape.source:
        statement = statement.where(any_of(t.source_id, dialect, "source", shape.source))
    return Listing(
        [Walk(statement, (t.proposal_id, t.number, t.id))],
        _term_rows,
        resolved_checks(dialect, shape),
    )


T = TERMS
TERM_FACETS: dict[str, FacetBuild] = {
    "kind": lambda items: by_column(items, T, T.c.kind),
    "proposal": lambda items: by_reference(
        items, T, PROPOSALS, PROPOSALS.c.id == T.c.proposal_id, PROPOSALS.c.title
    ),
    "phase": lambda items: select(PHASES.c.number, PHASES.c.title).select_from(
        items.join(T, T.c.id == items.c.id).join(PHASES, PHASES.c.id == T.c.phase_id)
    ),
    "source": lambda items: by_reference(
        items, T, SOURCES, SOURCES.c.id == T.c.source_id, SOURCES.c.title
    ),
}


async def term_page(
    reader: Reader,
    filters: TermFilters,
    page: PageRequest,
    facets: Sequence[str] = (),
    *,
    last: bool = False,
) -> ListAnswer:
    params: dict[str, Any] = {}
    shape: dict[str, Any] = {}
    if filters.proposal:
        shape["proposal"] = await bind_slugs(
            reader, params, "proposal", filters.proposal, PROPOSALS, "/proposals"
        )
    if filters.phase is not None:
        params["phase"] = filters.phase
        shape["phase"] = True
    if filters.kind:
        shape["kind"] = bind(params, "kind", filters.kind)
    if filters.source:
        shape["source"] = await bind_slugs(
            reader, params, "source", filters.source, SOURCES, "/sources"
        )
    listing = _term_listing(reader.dialect, TermShape(**shape))
    result = await fetch_page(reader, listing, page, last=last and not facets, **params)
    counts = await facet_counts(reader, listing, result, TERM_FACETS, facets, params)
    return ListAnswer(result, [documents.term(row) for row in result.rows], counts)


# Positions ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PositionFilters:
    actor: tuple[str, ...] = ()
    proposal: tuple[str, ...] = ()
    term: tuple[str, ...] = ()
    stance: tuple[str, ...] = ()
    dates: DateRange = field(default_factory=lambda: DateRange(None, None))
    precision: tuple[str, ...] = ()
    source: tuple[str, ...] = ()


@dataclass(frozen=True)
class PositionShape:
    actor: Bound = None
    proposal: Bound = None
    term: Bound = None
    stance: Bound = None
    precision: Bound = None
    source: Bound = None


def _position_rows(page: FromClause) -> Select[Any]:
    """POSITION_FIELDS of the positions of a page."""
    p = POSITIONS.c
    actor = ACTORS.alias("actor")
    term = TERMS.alias("term")
    statement = STATEMENTS.alias("statement")
    speaker = ACTORS.alias("speaker")
    event = EVENTS.alias("event")
    return (
        select(
            p.id,
            p.stance,
            p.condition,
            *actor_ref_columns(actor),
            PROPOSALS.c.slug,
            PROPOSALS.c.title,
            term.c.slug,
            term.c.title,
            statement.c.id,
            statement.c.slug,
            statement.c.text,
            *actor_ref_columns(speaker),
            *event_ref_columns(event),
            *date_columns(POSITIONS),
            *evidence_columns(POSITIONS, SOURCES),
        )
        .select_from(page)
        .join(POSITIONS, p.id == page.c.id)
        .join(actor, actor.c.id == p.actor_id)
        .join(PROPOSALS, PROPOSALS.c.id == p.proposal_id)
        .join(SOURCES, SOURCES.c.id == p.source_id)
        .outerjoin(term, term.c.id == p.term_id)
        .outerjoin(statement, statement.c.id == p.statement_id)
        .outerjoin(speaker, speaker.c.id == statement.c.speaker_id)
        .outerjoin(event, event.c.id == p.event_id)
    )


@cache
def _position_listing(dialect: str, shape: PositionShape, has_from: bool, has_to: bool) -> Listing:
    p = POSITIONS.c
    conditions = any_of_each(
        dialect,
        shape,
        [
            ("actor", p.actor_id, "int"),
            ("proposal", p.proposal_id, "int"),
            ("term", p.term_id, "int"),
            ("stance", p.stance, "text"),
            ("precision", p.date_precision, "text"),
            ("source", p.source_id, "int"),
        ],
    )
    return Listing(
        fact_walks(POSITIONS, conditions, has_from, has_to),
        _position_rows,
        resolved_checks(dialect, shape),
    )


P = POSITIONS
POSITION_FACETS: dict[str, FacetBuild] = {
    "actor": lambda items: by_actor(items, P, P.c.id == items.c.id, P.c.actor_id),
    "stance": lambda items: by_column(items, P, P.c.stance),
    "term": lambda items: by_reference(items, P, TERMS, TERMS.c.id == P.c.term_id, TERMS.c.title),
    "proposal": lambda items: by_reference(
        items, P, PROPOSALS, PROPOSALS.c.id == P.c.proposal_id, PROPOSALS.c.title
    ),
    "precision": lambda items: by_column(items, P, P.c.date_precision),
    "source": lambda items: by_reference(
        items, P, SOURCES, SOURCES.c.id == P.c.source_id, SOURCES.c.title
    ),
}


async def position_page(
    reader: Reader,
    filters: PositionFilters,
    page: PageRequest,
    facets: Sequence[str] = (),
    *,
    last: bool = False,
) -> ListAnswer:
    params: dict[str, Any] = {}
    shape: dict[str, Any] = {}
    if filters.actor:
        shape["actor"] = await bind_actors(reader, params, "actor", filters.actor)
    for name, table, listing in (
        ("proposal", PROPOSALS, "/proposals"),
        ("term", TERMS, "/terms"),
        ("source", SOURCES, "/sources"),
    ):
        values = getattr(filters, name)
        if values:
            shape[name] = await bind_slugs(reader, params, name, values, table, listing)
    if filters.stance:
        shape["stance"] = bind(params, "stance", filters.stance)
    if filters.precision:
        shape["precision"] = bind(params, "precision", filters.precision)
    params.update(date_params(filters.dates))
    dates = filters.dates
    positions = _position_listing(
        reader.dialect, PositionShape(**shape), dates.start is not None, dates.end is not None
    )
    result = await fetch_page(reader, positions, page, last=last and not facets, **params)
    counts = await facet_counts(reader, positions, result, POSITION_FACETS, facets, params)
    return ListAnswer(result, [documents.position(row) for row in result.rows], counts)


@cache
def _one_position() -> Select[Any]:
    found = select(POSITIONS.c.id).where(POSITIONS.c.id == bindparam("id"))
    return _position_rows(found.subquery("page"))


async def position_detail(reader: Reader, position_id: int) -> Document | None:
    rows = await reader.last_rows(_one_position(), id=position_id)
    return documents.position(rows[0]) if rows else None


@cache
def _one_term() -> Select[Any]:
    return _term_rows(select(TERMS.c.id).where(TERMS.c.slug == bindparam("slug")).subquery("page"))


async def term_detail(reader: Reader, slug: str) -> Document | None:
    rows = await reader.last_rows(_one_term(), slug=slug)
    return documents.term(rows[0]) if rows else None
