from typing import Annotated

from fastapi import Query, Request, Response

from api import queries, schemas
from api.models import Position
from api.pagination import paginate
from api.params import (
    FormatParam,
    Paging,
    ProposalFilter,
    SortByDate,
    TermFilter,
    actor_param,
)
from api.responses import CSV_RESPONSE, render_page
from api.routes.common import SessionDep, resource_router
from api.vocabulary import Stance

router = resource_router("positions")


@router.get(
    "/positions",
    response_model=schemas.Page[schemas.Position],
    responses=CSV_RESPONSE,
    summary="Where each actor stands on a proposal or one of its terms",
)
def list_positions(
    request: Request,
    session: SessionDep,
    page: Paging,
    actor: Annotated[str | None, actor_param("actor", "Positions of this actor.")] = None,
    proposal: ProposalFilter = None,
    term: TermFilter = None,
    stance: Annotated[Stance | None, Query(description="The stance.", examples=["opposes"])] = None,
    sort: SortByDate = "date",
    output_format: FormatParam = None,
) -> Response:
    """`/positions?term=permanent-ceasefire&stance=opposes`: who opposes a permanent cease-fire."""
    query = queries.positions_query(session, actor, proposal, term, stance)
    result = paginate(session, query, (Position.sort_date, Position.id), page, sort)
    return render_page(request, result, page.limit, schemas.position, output_format)
