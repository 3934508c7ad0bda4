from fastapi import Request, Response

from api import schemas
from api.models import Event
from api.params import date_paging, event_filters, meeting_filters, slug_path
from api.queries.events import EVENT_FACETS, event_detail, event_page
from api.queries.filters import not_found
from api.responses import document_response
from api.routes.common import DatabaseDep, add_list_endpoints, detail_responses, resource_router

router = resource_router("events")

EVENTS_CSV = (
    "slug,kind,title,date.start,date.end,date.precision,location,participants\r\n"
    "blinken-meets-sisi,meeting,Blinken meets Egyptian President Abdel Fatah El-Sisi in Cairo,"
    '2024-06-10,2024-06-10,day,"Cairo, Egypt",antony-blinken (visitor); '
    "abdel-fatah-el-sisi (host)\r\n"
)

add_list_endpoints(
    router,
    "/events",
    name="events",
    page_model=schemas.EventPage,
    csv_example=EVENTS_CSV,
    filters=event_filters,
    paging=date_paging,
    read=event_page,
    facets=list(EVENT_FACETS),
    summary="Events: meetings, votes, speeches, trips, raids, resignations, attacks, talks…",
    description="In date order, each with its participants and their roles, and the actors "
    "it is about.",
)
add_list_endpoints(
    router,
    "/meetings",
    name="meetings",
    page_model=schemas.EventPage,
    csv_example=EVENTS_CSV,
    filters=meeting_filters,
    paging=date_paging,
    read=event_page,
    facets=[f for f in EVENT_FACETS if f != "kind"],
    summary="Meetings: events of kind `meeting`, with the same filters",
    description="Who met whom, where and when: `/meetings?location=cairo`.",
)


@router.get(
    "/events/{slug}",
    response_model=schemas.Event,
    responses=detail_responses(),
    summary="One event with its participants and their roles",
)
async def get_event(
    request: Request,
    db: DatabaseDep,
    slug: str = slug_path("The event's slug.", "unsc-vote"),
) -> Response:
    found = await db.read(lambda reader: event_detail(reader, slug, last=True))
    if found is None:
        raise await db.read(lambda reader: not_found(reader, Event, slug, "event", "/events"))
    return document_response(request, found)
