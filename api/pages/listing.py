"""The list pages: statements, events, positions and actors, with the API's own filters, facets
and cursors.

A list page takes exactly the parameters of its API list (checked by the same dependencies of
api.params, so a bad value gets the API's sentence), plus `facets`; it reads the page with the
API's query function and shows the URL that answers the same page as JSON. The cursors are the
API's: `next` on the page and `next_cursor` in the JSON continue the same list.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from api.documents import Document
from api.errors import InvalidParameter
from api.pages.lists import page_links
from api.pages.render import PAGES, ApiCall, QueryItems, render_page, with_query
from api.pages.routing import page_router
from api.paging import DEFAULT_LIMIT, PAGING_PARAMETERS, PageRequest
from api.paging import filters_fingerprint as fingerprint
from api.params import (
    CursorParam,
    LimitParam,
    SortByDate,
    actor_filters,
    event_filters,
    position_filters,
    statement_filters,
)
from api.queries.actors import ACTOR_FACETS, actor_page
from api.queries.events import EVENT_FACETS, event_page
from api.queries.facets import PageRead
from api.queries.proposals import POSITION_FACETS, position_page
from api.queries.statements import STATEMENT_FACETS, statement_page
from api.routes.common import DatabaseDep
from api.vocabulary import ActorKind, DatePrecision, EventKind, ParticipantRole, Stance

router = page_router()


@dataclass(frozen=True)
class Field:
    """A filter of the form: its parameter, its label, and how it is entered."""

    name: str
    label: str
    kind: str = "text"  # text, search, date, select, number
    options: tuple[tuple[str, str], ...] = ()  # (value, label) of a select
    hint: str = ""


def choices(words: Sequence[str]) -> tuple[tuple[str, str], ...]:
    return tuple((str(word), str(word).replace("_", " ")) for word in words)


YES_NO = (("true", "yes"), ("false", "no"))
DATES = (
    Field("from", "From", "date"),
    Field("to", "To", "date"),
    Field("precision", "Date precision", "select", choices(list(DatePrecision))),
)
SORT = Field("sort", "Order", "select", (("date", "oldest first"), ("-date", "newest first")))
LIMIT = Field("limit", "Per page", "number")
ACTOR_HINT = "A slug, a name or an alias: blinken, El-Sisi, the top U.S. diplomat."


@dataclass(frozen=True)
class ListSpec:
    name: str
    title: str
    intro: str
    api_path: str
    read: PageRead
    available: tuple[str, ...]  # the API's facets of this list
    shown: tuple[str, ...]  # the facets the page shows unless `facets` says otherwise
    facet_parameters: dict[str, str]  # facet → the filter parameter it sets
    fields: tuple[Field, ...]
    card: str  # the macro of api/templates/macros.html that draws an item
    key: Callable[[Document], str]
    dated: bool = True
    facet_values: dict[str, dict[str, str]] = field(default_factory=dict)  # facet value → value


STATEMENTS = ListSpec(
    name="statements",
    title="Statements",
    intro="Who said what: direct quotes and reported claims, each with the words of the article.",
    api_path="/statements",
    read=statement_page,
    available=tuple(STATEMENT_FACETS),
    shown=("speaker", "mode", "precision", "event", "term"),
    facet_parameters={
        "speaker": "speaker",
        "about": "about",
        "mode": "direct",
        "precision": "precision",
        "event": "event",
        "term": "term",
        "source": "source",
    },
    facet_values={"mode": {"direct": "true", "reported": "false"}},
    fields=(
        Field("q", "Words", "search", hint="Every word must match; “quoted phrases” whole."),
        Field("speaker", "Speaker", hint=ACTOR_HINT),
        Field("about", "About", hint="The actor the statement is about."),
        *DATES,
        Field("direct", "Quoted word for word", "select", YES_NO),
        Field("anonymous", "Anonymous source", "select", YES_NO),
        Field("event", "Event (slug)"),
        Field("term", "Proposal term (slug)"),
        Field("source", "Source (slug)"),
        SORT,
        LIMIT,
    ),
    card="statement_card",
    key=lambda item: str(item["id"]),
)

EVENTS = ListSpec(
    name="events",
    title="Events",
    intro="Meetings, votes, speeches, trips, attacks, talks: who took part, in what role.",
    api_path="/events",
    read=event_page,
    available=tuple(EVENT_FACETS),
    shown=("kind", "actor", "role", "precision", "location"),
    facet_parameters={
        "kind": "kind",
        "precision": "precision",
        "actor": "actor",
        "role": "role",
        "about": "about",
        "location": "location",
        "source": "source",
    },
    fields=(
        Field("q", "Words", "search"),
        Field("kind", "Kind", "select", choices(list(EventKind))),
        Field("actor", "Taking part", hint=ACTOR_HINT),
        Field("role", "Role", "select", choices(list(ParticipantRole))),
        Field("about", "About"),
        Field("location", "Location", hint="Part of the place's name."),
        *DATES,
        Field("source", "Source (slug)"),
        SORT,
        LIMIT,
    ),
    card="event_card",
    key=lambda item: str(item["slug"]),
)

POSITIONS = ListSpec(
    name="positions",
    title="Positions",
    intro="Where each actor stands on a proposal or one of its terms, and on what condition.",
    api_path="/positions",
    read=position_page,
    available=tuple(POSITION_FACETS),
    shown=("actor", "stance", "term", "proposal"),
    facet_parameters={
        "actor": "actor",
        "stance": "stance",
        "term": "term",
        "proposal": "proposal",
        "precision": "precision",
        "source": "source",
    },
    fields=(
        Field("actor", "Actor", hint=ACTOR_HINT),
        Field("stance", "Stance", "select", choices(list(Stance))),
        Field("proposal", "Proposal (slug)"),
        Field("term", "Term (slug)"),
        *DATES,
        Field("source", "Source (slug)"),
        SORT,
        LIMIT,
    ),
    card="position_card",
    key=lambda item: str(item["id"]),
)

ACTORS = ListSpec(
    name="actors",
    title="Actors",
    intro="People, states, organizations, groups and anonymous sources, by name.",
    api_path="/actors",
    read=actor_page,
    available=tuple(ACTOR_FACETS),
    shown=("kind", "affiliation"),
    facet_parameters={"kind": "kind", "affiliation": "affiliation", "source": "source"},
    fields=(
        Field("q", "Name", "search", hint="Part of a name or an alias."),
        Field("kind", "Kind", "select", choices(list(ActorKind))),
        Field("affiliation", "Affiliated with", hint=ACTOR_HINT),
        Field("source", "Source (slug)"),
        LIMIT,
    ),
    card="actor_card",
    key=lambda item: str(item["slug"]),
    dated=False,
)


@dataclass(frozen=True)
class Paging:
    limit: int
    cursor: str | None
    sort: str


async def date_paging(
    limit: LimitParam = DEFAULT_LIMIT, cursor: CursorParam = None, sort: SortByDate = "date"
) -> Paging:
    return Paging(limit, cursor, sort)


async def fixed_paging(limit: LimitParam = DEFAULT_LIMIT, cursor: CursorParam = None) -> Paging:
    return Paging(limit, cursor, "")


FacetsParam = Annotated[
    list[str] | None,
    Query(description="The facets to show (the API's `facets`)."),
]


def _facet_link(
    spec: ListSpec, path: str, query: QueryItems, facet: str, value: str
) -> tuple[str, bool]:
    """The page narrowed to one value of a facet, and whether the page is that already."""
    parameter = spec.facet_parameters[facet]
    value = spec.facet_values.get(facet, {}).get(value, value)
    kept = [(n, v) for n, v in query if n not in ("cursor", parameter)]
    return with_query(path, [*kept, (parameter, value)]), (parameter, value) in query


def _without(query: QueryItems, name: str, value: str) -> QueryItems:
    """The query less one filter value (and the cursor, which was for the list with it)."""
    return [(n, v) for n, v in query if (n, v) != (name, value) and n != "cursor"]


def add_list_page(router: APIRouter, spec: ListSpec, filters: Callable[..., Any]) -> None:
    Filters = Annotated[Any, Depends(filters)]
    PagingDep = Annotated[Paging, Depends(date_paging if spec.dated else fixed_paging)]
    path = f"{PAGES}/{spec.name}"

    async def list_page(
        request: Request,
        db: DatabaseDep,
        found: Filters,
        paging: PagingDep,
        facets: FacetsParam = None,
    ) -> Response:
        asked = list(dict.fromkeys(facets or spec.shown))
        unknown = [name for name in asked if name not in spec.available]
        if unknown:
            raise InvalidParameter.one(
                "facets",
                f"facets={unknown[0]!r} is not a facet of {spec.api_path}. It counts by: "
                f"{', '.join(spec.available)}.",
            )
        query = [(n, v) for n, v in request.query_params.multi_items() if n != "facets"]
        page = PageRequest(
            spec.api_path, fingerprint(query), paging.sort, paging.limit, paging.cursor
        )
        answer = await db.read(lambda reader: spec.read(reader, found, page, asked, last=True))
        api_query = (*query, ("facets", ",".join(asked)))
        filters_given = [(n, v) for n, v in query if n not in PAGING_PARAMETERS and n != "sort"]
        values: dict[str, list[str]] = {}
        for name, value in query:
            values.setdefault(name, []).append(value)
        facet_lists = [
            (
                name,
                answer.facets[name],
                [
                    (item, *_facet_link(spec, path, query, name, item["value"]))
                    for item in answer.facets[name]["values"]
                ],
            )
            for name in asked
            if name in spec.facet_parameters
        ]
        return render_page(
            request,
            "list.html",
            api=[ApiCall(spec.api_path, api_query)],
            spec=spec,
            items=[(spec.key(item), item) for item in answer.documents()],
            result=answer.result,
            facets=facet_lists,
            links=page_links(path, query, answer.result),
            values=values,
            active=[
                (name, value, with_query(path, _without(query, name, value)))
                for name, value in filters_given
            ],
            page_path=path,
        )

    router.add_api_route(path, list_page, methods=["GET"], name=f"page_{spec.name}")


add_list_page(router, STATEMENTS, statement_filters)
add_list_page(router, EVENTS, event_filters)
add_list_page(router, POSITIONS, position_filters)
add_list_page(router, ACTORS, actor_filters)
