"""Statements: who said what."""

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, joinedload, selectinload

from api.models import Actor, Event, Statement, Term, statement_terms
from api.queries.actors import resolve_actors
from api.queries.common import not_found, one_id, search_condition, with_source
from api.vocabulary import ActorKind, StatementMode

STATEMENT_OPTIONS = (
    joinedload(Statement.speaker),
    joinedload(Statement.event),
    selectinload(Statement.terms),
)


def statements_query(
    session: Session,
    *,
    speaker: str | None,
    direct: bool | None,
    event: str | None,
    term: str | None,
    anonymous: bool | None,
    q: str | None,
) -> Select[Any]:
    query = select(Statement).options(*STATEMENT_OPTIONS, with_source(Statement))
    if speaker:
        query = query.where(Statement.speaker_id.in_(resolve_actors(session, speaker, "speaker")))
    if direct is not None:
        query = query.where(
            Statement.mode == (StatementMode.direct if direct else StatementMode.reported)
        )
    if event:
        query = query.where(Statement.event_id == one_id(session, Event, event, "event", "/events"))
    if term:
        term_id = one_id(session, Term, term, "term", "/terms")
        about = select(statement_terms.c.statement_id).where(statement_terms.c.term_id == term_id)
        query = query.where(Statement.id.in_(about))
    if anonymous is not None:
        anonymous_sources = select(Actor.id).where(Actor.kind == ActorKind.anonymous_source)
        in_anonymous = Statement.speaker_id.in_(anonymous_sources)
        query = query.where(in_anonymous if anonymous else ~in_anonymous)
    if q:
        query = query.where(search_condition(session, Statement, q))
    return query


def get_statement(session: Session, key: str) -> Statement:
    is_id = key.isascii() and key.isdigit() and int(key) < 2**31  # else no id: look up a slug
    by = Statement.id == int(key) if is_id else Statement.slug == key
    statement = session.scalar(
        select(Statement).where(by).options(*STATEMENT_OPTIONS, with_source(Statement))
    )
    if statement is None:
        raise not_found("statement", key, "/statements")
    return statement
