from typing import Annotated

from fastapi import Path, Query, Request, Response

from api import queries, schemas
from api.errors import NOT_FOUND_RESPONSE
from api.models import Event
from api.pagination import paginate
from api.params import Dates, FormatParam, Paging, SearchParam, SortByDate, actor_param
from api.responses import CSV_RESPONSE, render, render_page
from api.routes.common import SessionDep, resource_router
from api.vocabulary import EventKind, ParticipantRole

router = resource_router("events")

ActorFilter = Annotated[
    str | None, actor_param("actor", "Events this actor took part in (any role).")
]
RoleFilter = Annotated[
    ParticipantRole | None,
    Query(description="Participants' role; with `actor`, the actor's role.", examples=["host"]),
]
LocationFilter = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=200,
        description="Part of the location, any case.",
        examples=["Cairo"],
    ),
]


def _list(
    request: Request,
    session: SessionDep,
    page: Paging,
    dates: Dates,
    kind: EventKind | None,
    actor: str | None,
    role: ParticipantRole | None,
    location: str | None,
    q: str | None,
    sort: str,
    output_format: FormatParam,
) -> Response:
    query = queries.events_query(session, kind=kind, actor=actor, role=role, location=location, q=q)
    branches = queries.date_branches(Event, dates)
    result = paginate(session, query, (Event.sort_date, Event.id), page, sort, branches)
    return render_page(request, result, page.limit, schemas.event, output_format)


@router.get(
    "/events",
    response_model=schemas.Page[schemas.Event],
    responses=CSV_RESPONSE,
    summary="Events: meetings, votes, speeches, trips, raids, resignations, attacks, talks…",
)
def list_events(
    request: Request,
    session: SessionDep,
    page: Paging,
    dates: Dates,
    kind: Annotated[
        EventKind | None, Query(description="Kind of event.", examples=["meeting"])
    ] = None,
    actor: ActorFilter = None,
    role: RoleFilter = None,
    location: LocationFilter = None,
    q: SearchParam = None,
    sort: SortByDate = "date",
    output_format: FormatParam = None,
) -> Response:
    """In date order, each with its participants and their roles."""
    return _list(request, session, page, dates, kind, actor, role, location, q, sort, output_format)


@router.get(
    "/meetings",
    response_model=schemas.Page[schemas.Event],
    responses=CSV_RESPONSE,
    summary="Meetings: events of kind `meeting`, with the same filters",
)
def list_meetings(
    request: Request,
    session: SessionDep,
    page: Paging,
    dates: Dates,
    actor: ActorFilter = None,
    role: RoleFilter = None,
    location: LocationFilter = None,
    q: SearchParam = None,
    sort: SortByDate = "date",
    output_format: FormatParam = None,
) -> Response:
    """Who met whom, where and when: `/meetings?location=cairo`."""
    return _list(
        request,
        session,
        page,
        dates,
        EventKind.meeting,
        actor,
        role,
        location,
        q,
        sort,
        output_format,
    )


@router.get(
    "/events/{slug}",
    response_model=schemas.Event,
    responses={**CSV_RESPONSE, **NOT_FOUND_RESPONSE},
    summary="One event with its participants and their roles",
)
def get_event(
    request: Request,
    session: SessionDep,
    slug: Annotated[
        str, Path(description="The event's slug.", examples=["un-security-council-vote"])
    ],
    output_format: FormatParam = None,
) -> Response:
    return render(request, schemas.event(queries.get_event(session, slug)), output_format)
