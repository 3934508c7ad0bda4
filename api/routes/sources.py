from typing import Annotated

from fastapi import Path, Request, Response
from sqlalchemy import select

from api import queries, schemas
from api.errors import NOT_FOUND_RESPONSE
from api.models import Source
from api.pagination import paginate
from api.params import FormatParam, Paging
from api.responses import CSV_RESPONSE, render, render_page
from api.routes.common import SessionDep, resource_router

router = resource_router("sources")


@router.get(
    "/sources",
    response_model=schemas.Page[schemas.Source],
    responses=CSV_RESPONSE,
    summary="The articles the facts come from",
)
def list_sources(
    request: Request, session: SessionDep, page: Paging, output_format: FormatParam = None
) -> Response:
    result = paginate(session, select(Source), (Source.published, Source.id), page, "published")
    return render_page(request, result, page.limit, schemas.source, output_format)


@router.get(
    "/sources/{slug}",
    response_model=schemas.Source,
    responses={**CSV_RESPONSE, **NOT_FOUND_RESPONSE},
    summary="One source with its full text (evidence offsets point into it)",
)
def get_source(
    request: Request,
    session: SessionDep,
    slug: Annotated[
        str, Path(description="The source's slug.", examples=["wapo-2024-06-10-blinken"])
    ],
    output_format: FormatParam = None,
) -> Response:
    return render(
        request, schemas.source(queries.get_source(session, slug), with_text=True), output_format
    )
