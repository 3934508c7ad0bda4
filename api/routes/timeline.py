from api import schemas
from api.params import date_paging, timeline_filters
from api.queries.timeline import timeline_page
from api.routes.common import add_list_endpoints, resource_router

router = resource_router("timeline")

add_list_endpoints(
    router,
    "/timeline",
    name="timeline",
    page_model=schemas.TimelinePage,
    csv_example="type,date.start,date.end,date.precision,event.slug,event.title,statement.id,"
    "statement.speaker.slug,statement.text\r\n"
    "event,2024-06-10,2024-06-10,day,unsc-vote,U.N. Security Council adopts the cease-fire "
    "resolution,,,\r\n",
    filters=timeline_filters,
    paging=date_paging,
    read=lambda reader, filters, page, _facets, last: timeline_page(
        reader, filters, page, last=last
    ),
    summary="Events and statements in one chronological list",
    description="On the same day, events come before statements. Each item has a `type` "
    "(`event` or `statement`) and the fact under that name.",
)
