from typing import Annotated, Any

from fastapi import Request, Response

from api import queries, schemas
from api.models import Event
from api.params import Dates, FormatParam, Paging, SortByDate, actor_param
from api.responses import CSV_RESPONSE, render_page
from api.routes.common import SessionDep, resource_router

router = resource_router("timeline")


def _item(fact: Any) -> schemas.TimelineItem:
    if isinstance(fact, Event):
        event = schemas.event(fact)
        return schemas.TimelineItem(type="event", date=event.date, event=event, statement=None)
    statement = schemas.statement(fact)
    return schemas.TimelineItem(
        type="statement", date=statement.date, event=None, statement=statement
    )


@router.get(
    "/timeline",
    response_model=schemas.Page[schemas.TimelineItem],
    responses=CSV_RESPONSE,
    summary="Events and statements in one chronological list",
)
def timeline(
    request: Request,
    session: SessionDep,
    page: Paging,
    dates: Dates,
    actor: Annotated[
        str | None,
        actor_param("actor", "Events the actor took part in and statements the actor made."),
    ] = None,
    sort: SortByDate = "date",
    output_format: FormatParam = None,
) -> Response:
    """On the same day, events come before statements."""
    result = queries.timeline_page(session, dates, actor, page, sort)
    return render_page(request, result, page.limit, _item, output_format)
