"""Actors: finding one by any of its names, and listing them."""

import difflib
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from api.errors import Problem
from api.models import Actor, Alias, Participant, Position, Statement
from api.queries.common import with_source
from api.text import fold
from api.vocabulary import ActorKind


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


ACTOR_OPTIONS = (selectinload(Actor.aliases), joinedload(Actor.affiliation))


def actors_query(
    session: Session, q: str | None, kind: ActorKind | None, affiliation: str | None
) -> Select[Any]:
    query = select(Actor).options(*ACTOR_OPTIONS, with_source(Actor))
    if q:
        pattern = fold(q)
        if not pattern:  # only punctuation: it would match every name
            raise Problem(422, "Empty search", f"q={q!r} has no letters or digits to search for.")
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
        select(Actor).where(Actor.slug == slug).options(*ACTOR_OPTIONS, with_source(Actor))
    )
    if actor is None:
        # `/actors/blinken`: say which actor the name or alias means, or the closest ones.
        try:
            ids = resolve_actors(session, slug, "slug")
            suggestions = list(session.scalars(select(Actor.slug).where(Actor.id.in_(ids))))
        except Problem as unknown:
            suggestions = unknown.extra.get("suggestions") or []
        hint = f" Did you mean: {', '.join(suggestions)}?" if suggestions else " See /actors."
        raise Problem(
            404, "Not found", f"No actor is called {slug!r}.{hint}", suggestions=suggestions
        )
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
