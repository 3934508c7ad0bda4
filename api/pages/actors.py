"""The actor page and the event page: one fact with what the lists say about it.

An actor's page reads, in one snapshot, the actor (`/actors/{slug}`) and the first page of each
list that names it: what it said (direct and reported apart), the events it took part in, its
positions, and what others said about it (statements and events whose `about` names it). Each
section links to its whole list, in the reading room and in the API.
"""

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from fastapi import Request, Response
from fastapi.responses import RedirectResponse

from api.database import Reader
from api.documents import Document
from api.errors import NotFound
from api.models import Event
from api.pages.lists import page_request
from api.pages.render import PAGES, ApiCall, QueryItems, render_page, with_query
from api.pages.routing import page_router
from api.params import slug_path
from api.queries.actors import actor_detail, canonical_slug
from api.queries.events import EventFilters, event_detail, event_page
from api.queries.facets import ListAnswer, PageRead
from api.queries.filters import not_found
from api.queries.proposals import PositionFilters, position_page
from api.queries.statements import StatementFilters, statement_page
from api.routes.common import DatabaseDep

router = page_router()

# Items each section shows; the rest is one link away.
SECTION_LIMIT = 20


@dataclass
class Section:
    """One list on a page: its title, its items, and where the whole list is."""

    title: str
    card: str
    answer: ListAnswer
    page_url: str
    call: ApiCall
    empty: str


async def section(
    reader: Reader,
    read: PageRead,
    filters: Any,
    api_path: str,
    query: QueryItems,
    *,
    title: str,
    card: str,
    empty: str,
) -> Section:
    page = page_request(api_path, query, limit=SECTION_LIMIT, cursor=None)
    answer = await read(reader, filters, page, (), last=False)
    return Section(
        title=title,
        card=card,
        answer=answer._replace(items=answer.documents()),  # for the templates
        page_url=with_query(f"{PAGES}{api_path}", query),
        call=ApiCall(api_path, (*query, ("limit", str(SECTION_LIMIT))), title),
        empty=empty,
    )


async def read_actor(reader: Reader, slug: str) -> tuple[Document, list[Section]] | None:
    actor = await actor_detail(reader, slug)
    if actor is None:
        return None
    name = actor["name"]
    sections = [
        await section(
            reader,
            statement_page,
            StatementFilters(speaker=(slug,), direct=True),
            "/statements",
            [("speaker", slug), ("direct", "true")],
            title="What they said, word for word",
            card="statement_card",
            empty=f"No direct quote of {name}.",
        ),
        await section(
            reader,
            statement_page,
            StatementFilters(speaker=(slug,), direct=False),
            "/statements",
            [("speaker", slug), ("direct", "false")],
            title="What they said, as reported",
            card="statement_card",
            empty=f"No reported statement of {name}.",
        ),
        await section(
            reader,
            event_page,
            EventFilters(actor=(slug,)),
            "/events",
            [("actor", slug)],
            title="Events they took part in",
            card="event_card",
            empty=f"No event with {name} taking part.",
        ),
        await section(
            reader,
            position_page,
            PositionFilters(actor=(slug,)),
            "/positions",
            [("actor", slug)],
            title="Their positions",
            card="position_card",
            empty=f"No position of {name}.",
        ),
        await section(
            reader,
            statement_page,
            StatementFilters(about=(slug,)),
            "/statements",
            [("about", slug)],
            title="What was said about them",
            card="statement_card",
            empty=f"No statement is recorded as being about {name}.",
        ),
        await section(
            reader,
            event_page,
            EventFilters(about=(slug,)),
            "/events",
            [("about", slug)],
            title="Events about them",
            card="event_card",
            empty=f"No event is recorded as being about {name}.",
        ),
    ]
    return actor, sections


@router.get("/read/actors/{slug}")
async def actor_page(
    request: Request,
    db: DatabaseDep,
    slug: str = slug_path("The actor's slug (a name or an alias leads to it).", "hamas"),
) -> Response:
    found = await db.read(lambda reader: read_actor(reader, slug))
    if found is None:
        canonical, suggestions = await db.read(lambda reader: canonical_slug(reader, slug))
        if canonical is not None:
            return RedirectResponse(f"{PAGES}/actors/{quote(canonical)}", status_code=308)
        hint = f" Did you mean: {', '.join(suggestions)}?" if suggestions else ""
        raise NotFound(f"No actor is called {slug!r}.{hint}", suggestions=suggestions)
    actor, sections = found
    return render_page(
        request,
        "actor.html",
        api=[ApiCall(f"/actors/{quote(slug)}", (), "the actor"), *(s.call for s in sections)],
        actor=actor,
        sections=sections,
    )


async def read_event(reader: Reader, slug: str) -> tuple[Document, list[Section]] | None:
    event = await event_detail(reader, slug)
    if event is None:
        return None
    said = await section(
        reader,
        statement_page,
        StatementFilters(event=(slug,)),
        "/statements",
        [("event", slug)],
        title="What was said at it",
        card="statement_card",
        empty="No statement is recorded as made at this event.",
    )
    return event.document(), [said]


@router.get("/read/events/{slug}")
async def event_page_(
    request: Request,
    db: DatabaseDep,
    slug: str = slug_path("The event's slug.", "unsc-vote"),
) -> Response:
    found = await db.read(lambda reader: read_event(reader, slug))
    if found is None:
        raise await db.read(
            lambda reader: not_found(reader, Event, slug, "event", f"{PAGES}/events")
        )
    event, sections = found
    return render_page(
        request,
        "event.html",
        api=[ApiCall(f"/events/{quote(slug)}", (), "the event"), *(s.call for s in sections)],
        event=event,
        sections=sections,
    )
