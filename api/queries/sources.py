"""Sources: the articles the facts come from."""

from functools import cache
from typing import Any

from sqlalchemy import FromClause, Select, bindparam, func, select

from api import documents
from api.database import Reader
from api.documents import Document
from api.models import Source, table_of
from api.paging import Listing, PageRequest, Walk, fetch_page
from api.queries.facets import ListAnswer

SOURCES = table_of(Source)


def _source_rows(page: FromClause) -> Select[Any]:
    """SOURCE_FIELDS of the sources of a page."""
    s = SOURCES.c
    return (
        select(
            s.id,
            s.slug,
            s.title,
            s.publisher,
            s.published,
            s.dateline,
            s.byline_note,
            s.sha256,
            func.length(s.text),
        )
        .select_from(page)
        .join(SOURCES, s.id == page.c.id)
    )


@cache
def _listing() -> Listing:
    return Listing([Walk(select(SOURCES.c.id), (SOURCES.c.published, SOURCES.c.id))], _source_rows)


async def source_page(reader: Reader, page: PageRequest, *, last: bool = False) -> ListAnswer:
    result = await fetch_page(reader, _listing(), page, last=last)
    return ListAnswer(result, [documents.source(row) for row in result.rows], {})


@cache
def _one_source() -> Select[Any]:
    found = select(SOURCES.c.id).where(SOURCES.c.slug == bindparam("slug")).subquery("page")
    return _source_rows(found).add_columns(SOURCES.c.text)


async def source_detail(reader: Reader, slug: str, *, last: bool = False) -> Document | None:
    """The source with its full text, and where to find its facts."""
    rows = await (reader.last_rows if last else reader.rows)(_one_source(), slug=slug)
    if not rows:
        return None
    found = documents.source(rows[0])
    found["text"] = rows[0][-1]
    found["facts"] = {
        name: f"/{name}?source={slug}"
        for name in (
            "statements",
            "events",
            "positions",
            "terms",
            "proposals",
            "actors",
            "timeline",
        )
    }
    return found
