"""Events and meetings."""

from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

from api.models import Event, Participant
from api.queries.actors import resolve_actors
from api.queries.common import not_found, search_condition, with_source
from api.vocabulary import EventKind, ParticipantRole

EVENT_OPTIONS = (selectinload(Event.participants).joinedload(Participant.actor),)


def events_query(
    session: Session,
    *,
    kind: EventKind | None,
    actor: str | None,
    role: ParticipantRole | None,
    location: str | None,
    q: str | None,
) -> Select[Any]:
    query = select(Event).options(*EVENT_OPTIONS, with_source(Event))
    if kind:
        query = query.where(Event.kind == kind)
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
        query = query.where(search_condition(session, Event, q))
    return query


def get_event(session: Session, slug: str) -> Event:
    event = session.scalar(
        select(Event).where(Event.slug == slug).options(*EVENT_OPTIONS, with_source(Event))
    )
    if event is None:
        raise not_found("event", slug, "/events")
    return event
