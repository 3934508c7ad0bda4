from typing import Annotated

from fastapi import Path, Request, Response

from api import schemas
from api.errors import NotFound
from api.models import Statement
from api.params import date_paging, statement_filters
from api.queries.filters import not_found
from api.queries.statements import STATEMENT_FACETS, statement_detail, statement_page
from api.responses import document_response
from api.routes.common import DatabaseDep, add_list_endpoints, detail_responses, resource_router

router = resource_router("statements")

add_list_endpoints(
    router,
    "/statements",
    name="statements",
    page_model=schemas.StatementPage,
    csv_example="id,slug,speaker.slug,speaker.name,text,mode,date.start,evidence.text\r\n"
    "12,blinken-press-hamas-to-say-yes,antony-blinken,Antony Blinken,"
    '"If you want a cease-fire, press Hamas to say yes",direct,2024-06-10,…\r\n',
    filters=statement_filters,
    paging=date_paging,
    read=statement_page,
    facets=list(STATEMENT_FACETS),
    summary="Who said what: direct quotes and attributed claims, each with its source sentence",
    description="In date order. `speaker=blinken`, `about=sinwar`, `q=written guarantee`, "
    "`from=2024-06-10&to=2024-06-10`, `precision=day`.",
)


@router.get(
    "/statements/{id}",
    response_model=schemas.Statement,
    responses=detail_responses(),
    summary="One statement, by id (or slug)",
)
async def get_statement(
    request: Request,
    db: DatabaseDep,
    key: Annotated[
        int | str,
        Path(alias="id", description="The statement's id, or its slug.", examples=[12]),
    ],
) -> Response:
    text = str(key)
    if len(text) > 200:
        raise NotFound(f"No statement is called {text[:40]!r}…. See /statements for them all.")
    found = await db.read(lambda reader: statement_detail(reader, text))
    if found is None:
        raise await db.read(
            lambda reader: not_found(reader, Statement, text, "statement", "/statements")
        )
    return document_response(request, found)
