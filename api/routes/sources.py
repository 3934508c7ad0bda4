from fastapi import Request, Response

from api import schemas
from api.models import Source
from api.params import date_paging, slug_path
from api.queries.filters import not_found
from api.queries.sources import source_detail, source_page
from api.responses import document_response
from api.routes.common import DatabaseDep, add_list_endpoints, detail_responses, resource_router

router = resource_router("sources")


async def no_filters() -> None:
    return None


add_list_endpoints(
    router,
    "/sources",
    name="sources",
    page_model=schemas.SourcePage,
    csv_example="slug,title,publisher,published,length\r\n"
    "wapo-2024-06-10-blinken,Blinken ramps up pressure on Hamas amid doubts about cease-fire "
    "deal,The Washington Post,2024-06-10,9831\r\n",
    filters=no_filters,
    paging=date_paging,
    read=lambda reader, _filters, page, _facets, last: source_page(reader, page, last=last),
    summary="The articles the facts come from",
)


@router.get(
    "/sources/{slug}",
    response_model=schemas.SourceDetail,
    responses=detail_responses(),
    summary="One source with its full text (evidence offsets point into it)",
)
async def get_source(
    request: Request,
    db: DatabaseDep,
    slug: str = slug_path("The source's slug.", "wapo-2024-06-10-blinken"),
) -> Response:
    found = await db.read(lambda reader: source_detail(reader, slug, last=True))
    if found is None:
        raise await db.read(lambda reader: not_found(reader, Source, slug, "source", "/sources"))
    return document_response(request, found)
