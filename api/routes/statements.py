from typing import Annotated

from fastapi import Path, Query, Request, Response

from api import queries, schemas
from api.errors import NOT_FOUND_RESPONSE
from api.models import Statement
from api.pagination import paginate
from api.params import (
    Dates,
    FormatParam,
    Paging,
    SearchParam,
    SortByDate,
    TermFilter,
    actor_param,
    slug_param,
)
from api.responses import CSV_RESPONSE, render, render_page
from api.routes.common import SessionDep, resource_router

router = resource_router("statements")


@router.get(
    "/statements",
    response_model=schemas.Page[schemas.Statement],
    responses=CSV_RESPONSE,
    summary="Who said what: direct quotes and attributed claims, each with its source sentence",
)
def list_statements(
    request: Request,
    session: SessionDep,
    page: Paging,
    dates: Dates,
    speaker: Annotated[str | None, actor_param("speaker", "Statements by this actor.")] = None,
    direct: Annotated[
        bool | None,
        Query(
            description="`true`: verbatim quotes only; `false`: reported claims only.",
            examples=[True],
        ),
    ] = None,
    event: Annotated[
        str | None, slug_param("Slug of the event it was said at.", "blinken-cairo-remarks")
    ] = None,
    term: TermFilter = None,
    anonymous: Annotated[
        bool | None,
        Query(
            description="`true`: only anonymous sources; `false`: only named speakers.",
            examples=[True],
        ),
    ] = None,
    q: SearchParam = None,
    sort: SortByDate = "date",
    output_format: FormatParam = None,
) -> Response:
    query = queries.statements_query(
        session,
        speaker=speaker,
        direct=direct,
        event=event,
        term=term,
        anonymous=anonymous,
        q=q,
    )
    branches = queries.date_branches(Statement, dates)
    result = paginate(session, query, (Statement.sort_date, Statement.id), page, sort, branches)
    return render_page(request, result, page.limit, schemas.statement, output_format)


@router.get(
    "/statements/{id}",
    response_model=schemas.Statement,
    responses={**CSV_RESPONSE, **NOT_FOUND_RESPONSE},
    summary="One statement, by id (or slug)",
)
def get_statement(
    request: Request,
    session: SessionDep,
    statement_id: Annotated[
        str,
        Path(
            alias="id", max_length=200, description="The statement's id or slug.", examples=["12"]
        ),
    ],
    output_format: FormatParam = None,
) -> Response:
    return render(
        request, schemas.statement(queries.get_statement(session, statement_id)), output_format
    )
