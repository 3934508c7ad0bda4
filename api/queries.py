"""The queries behind the endpoints: filters turned into SQL, and related rows loaded in bulk.

Each list query loads its related objects with a fixed number of extra statements
(joinedload / selectinload), never one per row.
"""

import difflib
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, func, literal, or_, select, union_all
from sqlalchemy.orm import Session, joinedload, selectinload

from api.errors import Problem
from api.models import (
    Actor,
    Alias,
    Dated,
    Event,
    Participant,
    Phase,
    Position,
    Proposal,
    Source,
    Statement,
    Term,
    statement_terms,
)
from api.params import DateRange
from api.search import SearchQuery, matches
from api.text import fold
from api.vocabulary import ActorKind, EventKind, ParticipantRole, Stance, StatementMode, TermKind


def _with_source(model: Any) -> Any:
    """The source's slug for the evidence, without loading the article's whole text."""
    return joinedload(model.source).load_only(Source.id, Source.slug)


# Actors -----------------------------------------------------------------------------------


def resolve_actors(session: Session, value: str, parameter: str) -> list[int]:
    """Actor ids for a slug, name or alias (case- and accent-insensitive), or a 422 naming
    the closest actors: an unknown name must never look like "this actor said nothing"."""
    key = fold(value)
    ids = session.scalars(
        select(Actor.id).where(or_(Actor.slug == value.strip().lower(), Actor.name_key == key))
    ).all()
    if not ids:
        ids = session.scalars(select(Alias.actor_id).where(Alias.name_key == key).distinct()).all()
    if ids:
        return list(ids)
    # The end of a name: "el-sisi" finds "Abdel Fatah El-Sisi", if it names only one actor.
    ending = f"% {key}"
    by_ending = session.scalars(
        select(Actor.id)
        .outerjoin(Alias, Alias.actor_id == Actor.id)
        .where(or_(Actor.name_key.like(ending), Alias.name_key.like(ending)))
        .distinct()
    ).all()
    if len(by_ending) == 1 and key:
        return list(by_ending)
    if len(by_ending) > 1:
        candidates = sorted(session.scalars(select(Actor.slug).where(Actor.id.in_(by_ending))))
        raise Problem(
            422,
            "Ambiguous actor",
            f"{parameter}={value!r} could be any of: {', '.join(candidates)}. Use one slug.",
            suggestions=candidates,
        )
    names = session.execute(
        select(Actor.slug, Actor.name_key).union(
            select(Actor.slug, Alias.name_key).join(Alias, Alias.actor_id == Actor.id)
        )
    ).all()
    slugs_by_key: dict[str, list[str]] = {}
    for slug, name_key in names:
        slugs_by_key.setdefault(name_key, []).append(slug)
        slugs_by_key.setdefault(slug, []).append(slug)
    close = difflib.get_close_matches(key, list(slugs_by_key), n=8, cutoff=0.6)
    close += [k for k in slugs_by_key if key and key in k.split() and k not in close]
    suggestions = list(dict.fromkeys(slug for k in close for slug in slugs_by_key[k]))[:5]
    hint = f" Did you mean: {', '.join(suggestions)}?" if suggestions else " See /actors."
    raise Problem(
        422,
        "Unknown actor",
        f"{parameter}={value!r} matches no actor's slug, name or alias.{hint}",
        suggestions=suggestions,
    )


def _one_id(session: Session, model: Any, slug: str, parameter: str, listing: str) -> int:
    found = session.scalar(select(model.id).where(model.slug == slug))
    if found is None:
        close = difflib.get_close_matches(slug, session.scalars(select(model.slug)).all(), n=3)
        hint = f" Did you mean: {', '.join(close)}?" if close else f" See {listing}."
        raise Problem(422, "Unknown value", f"{parameter}={slug!r} matches nothing.{hint}")
    return int(found)


def actors_query(
    session: Session, q: str | None, kind: ActorKind | None, affiliation: str | None
) -> Select[Any]:
    query = select(Actor).options(
        selectinload(Actor.aliases), joinedload(Actor.affiliation), _with_source(Actor)
    )
    if q:
        pattern = fold(q)
        named = select(Alias.actor_id).where(Alias.name_key.contains(pattern, autoescape=True))
        query = query.where(
            or_(Actor.name_key.contains(pattern, autoescape=True), Actor.id.in_(named))
        )
    if kind:
        query = query.where(Actor.kind == kind)
    if affiliation:
        query = query.where(
            Actor.affiliation_id.in_(resolve_actors(session, affiliation, "affiliation"))
        )
    return query


def get_actor(session: Session, slug: str) -> Actor:
    actor = session.scalar(
        select(Actor)
        .where(Actor.slug == slug)
        .options(selectinload(Actor.aliases), joinedload(Actor.affiliation), _with_source(Actor))
    )
    if actor is None:
        raise not_found("actor", slug, "/actors")
    return actor


def actor_counts(session: Session, actor_id: int) -> dict[str, int]:
    def count(query: Select[Any]) -> int:
        return session.scalar(select(func.count()).select_from(query.subquery())) or 0

    return {
        "statements": count(select(Statement.id).where(Statement.speaker_id == actor_id)),
        "events": count(
            select(Participant.event_id).where(Participant.actor_id == actor_id).distinct()
        ),
        "positions": count(select(Position.id).where(Position.actor_id == actor_id)),
    }


def not_found(kind: str, key: str, listing: str) -> Problem:
    return Problem(404, "Not found", f"No {kind} is called {key!r}. See {listing} for them all.")


# Dates and search -------------------------------------------------------------------------


def in_range(model: type[Dated], dates: DateRange) -> list[ColumnElement[bool]]:
    """The fact's period overlaps [start, end]; undated facts match no range."""
    conditions: list[ColumnElement[bool]] = []
    if dates.start or dates.end:
        conditions.append(model.date_start.is_not(None))
    if dates.end:
        conditions.append(model.sort_date <= dates.end)  # sort_date == date_start when dated
    if dates.start:
        conditions.append(or_(model.date_end.is_(None), model.date_end >= dates.start))
    return conditions


def _search(session: Session, model: Any, q: str) -> ColumnElement[bool]:
    dialect = session.get_bind().dialect.name
    return matches(dialect, model.__tablename__, model.search_text, model.id, SearchQuery.parse(q))


# Events -----------------------------------------------------------------------------------


def events_query(
    session: Session,
    *,
    kind: EventKind | None,
    dates: DateRange,
    actor: str | None,
    role: ParticipantRole | None,
    location: str | None,
    q: str | None,
) -> Select[Any]:
    query = select(Event).options(
        selectinload(Event.participants).joinedload(Participant.actor), _with_source(Event)
    )
    if kind:
        query = query.where(Event.kind == kind)
    query = query.where(*in_range(Event, dates))
    if actor or role:
        taking_part = select(Participant.event_id)
        if actor:
            taking_part = taking_part.where(
                Participant.actor_id.in_(resolve_actors(session, actor, "actor"))
            )
        if role:
            taking_part = taking_part.where(Participant.role == role)
        query = query.where(Event.id.in_(taking_part))
    if location:
        query = query.where(func.lower(Event.location).contains(location.lower(), autoescape=True))
    if q:
        query = query.where(_search(session, Event, q))
    return query


def get_event(session: Session, slug: str) -> Event:
    event = session.scalar(
        select(Event)
        .where(Event.slug == slug)
        .options(
            selectinload(Event.participants).joinedload(Participant.actor), _with_source(Event)
        )
    )
    if event is None:
        raise not_found("event", slug, "/events")
    return event


# Statements -------------------------------------------------------------------------------

_STATEMENT_OPTIONS = (
    joinedload(Statement.speaker),
    joinedload(Statement.event),
    selectinload(Statement.terms),
)


def statements_query(
    session: Session,
    *,
    speaker: str | None,
    dates: DateRange,
    direct: bool | None,
    event: str | None,
    term: str | None,
    anonymous: bool | None,
    q: str | None,
) -> Select[Any]:
    query = select(Statement).options(*_STATEMENT_OPTIONS, _with_source(Statement))
    if speaker:
        query = query.where(Statement.speaker_id.in_(resolve_actors(session, speaker, "speaker")))
    query = query.where(*in_range(Statement, dates))
    if direct is not None:
        query = query.where(
            Statement.mode == (StatementMode.direct if direct else StatementMode.reported)
        )
    if event:
        query = query.where(
            Statement.event_id == _one_id(session, Event, event, "event", "/events")
        )
    if term:
        term_id = _one_id(session, Term, term, "term", "/terms")
        about = select(statement_terms.c.statement_id).where(statement_terms.c.term_id == term_id)
        query = query.where(Statement.id.in_(about))
    if anonymous is not None:
        anonymous_sources = select(Actor.id).where(Actor.kind == ActorKind.anonymous_source)
        in_anonymous = Statement.speaker_id.in_(anonymous_sources)
        query = query.where(in_anonymous if anonymous else ~in_anonymous)
    if q:
        query = query.where(_search(session, Statement, q))
    return query


def get_statement(session: Session, key: str) -> Statement:
    by = Statement.id == int(key) if key.isdigit() else Statement.slug == key
    statement = session.scalar(
        select(Statement).where(by).options(*_STATEMENT_OPTIONS, _with_source(Statement))
    )
    if statement is None:
        raise not_found("statement", key, "/statements")
    return statement


# Proposals, terms and positions -----------------------------------------------------------

_PROPOSAL_OPTIONS = (
    selectinload(Proposal.phases),
    selectinload(Proposal.terms).joinedload(Term.phase),
    joinedload(Proposal.proposed_by),
)


def proposals_query() -> Select[Any]:
    return select(Proposal).options(*_PROPOSAL_OPTIONS, _with_source(Proposal))


def get_proposal(session: Session, slug: str) -> Proposal:
    proposal: Proposal | None = session.scalar(proposals_query().where(Proposal.slug == slug))
    if proposal is None:
        raise not_found("proposal", slug, "/proposals")
    return proposal


def terms_query(
    session: Session, proposal: str | None, phase: int | None, kind: TermKind | None
) -> Select[Any]:
    query = select(Term).options(
        joinedload(Term.proposal), joinedload(Term.phase), _with_source(Term)
    )
    if proposal:
        query = query.where(
            Term.proposal_id == _one_id(session, Proposal, proposal, "proposal", "/proposals")
        )
    if phase is not None:
        query = query.where(Term.phase_id.in_(select(Phase.id).where(Phase.number == phase)))
    if kind:
        query = query.where(Term.kind == kind)
    return query


def positions_query(
    session: Session,
    actor: str | None,
    proposal: str | None,
    term: str | None,
    stance: Stance | None,
) -> Select[Any]:
    query = select(Position).options(
        joinedload(Position.actor),
        joinedload(Position.proposal),
        joinedload(Position.term),
        joinedload(Position.statement),
        joinedload(Position.event),
        _with_source(Position),
    )
    if actor:
        query = query.where(Position.actor_id.in_(resolve_actors(session, actor, "actor")))
    if proposal:
        query = query.where(
            Position.proposal_id == _one_id(session, Proposal, proposal, "proposal", "/proposals")
        )
    if term:
        query = query.where(Position.term_id == _one_id(session, Term, term, "term", "/terms"))
    if stance:
        query = query.where(Position.stance == stance)
    return query


# Timeline ---------------------------------------------------------------------------------

EVENT, STATEMENT = 0, 1  # on the same day, events come before what was said about them


def timeline_query(
    session: Session, dates: DateRange, actor: str | None
) -> tuple[Select[Any], Sequence[Any]]:
    """Events and statements in one chronological list: rows of (kind, id), and the sort key."""
    events = select(
        literal(EVENT).label("kind"), Event.id.label("id"), Event.sort_date.label("sort_date")
    ).where(*in_range(Event, dates))
    statements = select(
        literal(STATEMENT).label("kind"),
        Statement.id.label("id"),
        Statement.sort_date.label("sort_date"),
    ).where(*in_range(Statement, dates))
    if actor:
        ids = resolve_actors(session, actor, "actor")
        events = events.where(
            Event.id.in_(select(Participant.event_id).where(Participant.actor_id.in_(ids)))
        )
        statements = statements.where(Statement.speaker_id.in_(ids))
    merged = union_all(events, statements).subquery("timeline")
    query = select(merged.c.kind, merged.c.id)
    return query, (merged.c.sort_date, merged.c.kind, merged.c.id)


def load_timeline(session: Session, keys: list[tuple[int, int]]) -> list[Event | Statement]:
    event_ids = [i for kind, i in keys if kind == EVENT]
    statement_ids = [i for kind, i in keys if kind == STATEMENT]
    events = {
        e.id: e
        for e in session.scalars(
            select(Event)
            .where(Event.id.in_(event_ids))
            .options(
                selectinload(Event.participants).joinedload(Participant.actor), _with_source(Event)
            )
        )
    }
    statements = {
        s.id: s
        for s in session.scalars(
            select(Statement)
            .where(Statement.id.in_(statement_ids))
            .options(*_STATEMENT_OPTIONS, _with_source(Statement))
        )
    }
    return [events[i] if kind == EVENT else statements[i] for kind, i in keys]


# Sources ----------------------------------------------------------------------------------


def get_source(session: Session, slug: str) -> Source:
    source = session.scalar(select(Source).where(Source.slug == slug))
    if source is None:
        raise not_found("source", slug, "/sources")
    return source
