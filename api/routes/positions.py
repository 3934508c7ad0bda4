from typing import Annotated

from fastapi import Path, Request, Response

from api import schemas
from api.errors import NotFound
from api.params import date_paging, position_filters
from api.queries.proposals import POSITION_FACETS, position_detail, position_page
from api.responses import document_response
from api.routes.common import DatabaseDep, add_list_endpoints, detail_responses, resource_router

router = resource_router("positions")

add_list_endpoints(
    router,
    "/positions",
    name="positions",
    page_model=schemas.PositionPage,
    csv_example="id,actor.slug,proposal.slug,term.slug,stance,condition,date.start\r\n"
    "3,ismail-haniyeh,gaza-ceasefire-proposal,permanent-ceasefire,conditional,"
    "only if Israel were to provide a written guarantee,2024-06-10\r\n",
    filters=position_filters,
    paging=date_paging,
    read=position_page,
    facets=list(POSITION_FACETS),
    summary="Where each actor stands on a proposal or one of its terms",
    description="`/positions?term=permanent-ceasefire&stance=opposes,rejects`: who opposes a "
    "permanent cease-fire.",
)


@router.get(
    "/positions/{id}",
    response_model=schemas.Position,
    responses=detail_responses(),
    summary="One position, by id",
)
async def get_position(
    request: Request,
    db: DatabaseDep,
    position_id: Annotated[
        int, Path(alias="id", ge=1, lt=2**31, description="The position's id.", examples=[3])
    ],
) -> Response:
    found = await db.read(lambda reader: position_detail(reader, position_id))
    if found is None:
        raise NotFound(f"No position has the id {position_id}. See /positions for them all.")
    return document_response(request, found)
