"""Sources: the articles the facts come from."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.models import Source
from api.queries.common import not_found


def get_source(session: Session, slug: str) -> Source:
    source = session.scalar(select(Source).where(Source.slug == slug))
    if source is None:
        raise not_found("source", slug, "/sources")
    return source
