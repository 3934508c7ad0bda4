"""Proposals, their terms, and the positions actors take on them."""

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, joinedload, selectinload

from api.models import Phase, Position, Proposal, Statement, Term
from api.queries.actors import resolve_actors
from api.queries.common import not_found, one_id, with_source
from api.vocabulary import Stance, TermKind

PROPOSAL_OPTIONS = (
    selectinload(Proposal.phases),
    selectinload(Proposal.terms).joinedload(Term.phase),
    joinedload(Proposal.proposed_by),
)


def proposals_query() -> Select[Any]:
    return select(Proposal).options(*PROPOSAL_OPTIONS, with_source(Proposal))


def get_proposal(session: Session, slug: str) -> Proposal:
    proposal: Proposal | None = session.scalar(proposals_query().where(Proposal.slug == slug))
    if proposal is None:
        raise not_found("proposal", slug, "/proposals")
    return proposal


def terms_query(
    session: Session, proposal: str | None, phase: int | None, kind: TermKind | None
) -> Select[Any]:
    query = select(Term).options(
        joinedload(Term.proposal), joinedload(Term.phase), with_source(Term)
    )
    if proposal:
        query = query.where(
            Term.proposal_id == one_id(session, Proposal, proposal, "proposal", "/proposals")
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
        joinedload(Position.statement).joinedload(Statement.speaker),
        joinedload(Position.event),
        with_source(Position),
    )
    if actor:
        query = query.where(Position.actor_id.in_(resolve_actors(session, actor, "actor")))
    if proposal:
        query = query.where(
            Position.proposal_id == one_id(session, Proposal, proposal, "proposal", "/proposals")
        )
    if term:
        query = query.where(Position.term_id == one_id(session, Term, term, "term", "/terms"))
    if stance:
        query = query.where(Position.stance == stance)
    return query
