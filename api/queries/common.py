"""Helpers every query module shares: evidence sources, slug lookups, 404s, search."""

import difflib
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session, joinedload

from api.errors import Problem
from api.models import Source
from api.search import SearchQuery, matches


def with_source(model: Any) -> Any:
    """The source's slug for the evidence, without loading the article's whole text."""
    return joinedload(model.source).load_only(Source.id, Source.slug)


def one_id(session: Session, model: Any, slug: str, parameter: str, listing: str) -> int:
    found = session.scalar(select(model.id).where(model.slug == slug))
    if found is None:
        close = difflib.get_close_matches(slug, session.scalars(select(model.slug)).all(), n=3)
        hint = f" Did you mean: {', '.join(close)}?" if close else f" See {listing}."
        raise Problem(422, "Unknown value", f"{parameter}={slug!r} matches nothing.{hint}")
    return int(found)


def not_found(kind: str, key: str, listing: str) -> Problem:
    return Problem(404, "Not found", f"No {kind} is called {key!r}. See {listing} for them all.")


def search_condition(session: Session, model: Any, q: str) -> ColumnElement[bool]:
    return matches(session, model.__tablename__, SearchQuery.parse(q))
