"""What every resource router shares: the database, the parameter check, the error docs, and
the two endpoints of every list (JSON, and the same question as a CSV file)."""

from collections.abc import Awaitable, Callable, Sequence
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel

from api.database import Database
from api.errors import ERROR_RESPONSES, NOT_FOUND_RESPONSE
from api.paging import PageRequest
from api.params import SEVERAL, refuse_unknown_parameters
from api.planned_route import PlannedRoute
from api.queries.facets import PageRead
from api.responses import csv_response, page_response


async def database(request: Request) -> Database:
    """The one database dependency: reads go through `Database.read` (api.database)."""
    found: Database = request.app.state.database
    return found


DatabaseDep = Annotated[Database, Depends(database)]

PAGE_HEADERS = {
    "ETag": {
        "description": 'A weak ETag, `W/"…"`, from a hash of the body: send it as If-None-Match.',
        "schema": {"type": "string"},
    },
    "Link": {
        "description": 'The `next`, `prev` and `first` pages: `<url>; rel="next"`.',
        "schema": {"type": "string"},
    },
    "Cache-Control": {"description": "`public, max-age=60`.", "schema": {"type": "string"}},
}
DETAIL_HEADERS = {name: PAGE_HEADERS[name] for name in ("ETag", "Cache-Control")}
CSV_HEADERS = {
    **PAGE_HEADERS,
    "Content-Disposition": {
        "description": 'A file name for the download: `attachment; filename="statements.csv"`.',
        "schema": {"type": "string"},
    },
}


def operation_id(route: APIRoute) -> str:
    """Readable operation ids for generated clients: `list_statements`, `get_actor`…"""
    return route.name


def resource_router(tag: str) -> APIRouter:
    return APIRouter(
        route_class=PlannedRoute,
        tags=[tag],
        dependencies=[Depends(refuse_unknown_parameters)],
        responses=ERROR_RESPONSES,
        generate_unique_id_function=operation_id,
    )


NOT_MODIFIED: dict[int | str, dict[str, Any]] = {
    304: {"description": "Not modified: the `ETag` matched `If-None-Match`."}
}


def detail_responses() -> dict[int | str, dict[str, Any]]:
    return {200: {"headers": DETAIL_HEADERS}, **NOT_MODIFIED, **NOT_FOUND_RESPONSE}


def add_list_endpoints(
    router: APIRouter,
    path: str,
    *,
    name: str,
    page_model: type[BaseModel],
    csv_example: str,
    filters: Callable[..., Awaitable[Any]],
    paging: Callable[..., Awaitable[PageRequest]],
    read: PageRead,
    summary: str,
    description: str = "",
    facets: Sequence[str] = (),
) -> None:
    """`GET path` (a JSON page) and `GET path.csv` (the same items as a spreadsheet), with the
    same filters and paging; `facets` names the fields a JSON page can count its items by."""
    Filters = Annotated[Any, Depends(filters)]
    Paging = Annotated[PageRequest, Depends(paging)]

    async def csv_page(request: Request, db: DatabaseDep, found: Filters, page: Paging) -> Response:
        answer = await db.read(lambda reader: read(reader, found, page, (), last=True))
        return csv_response(request, answer.result, answer.documents())

    async def json_page(
        request: Request, db: DatabaseDep, found: Filters, page: Paging
    ) -> Response:
        answer = await db.read(lambda reader: read(reader, found, page, (), last=True))
        return page_response(request, page, answer.result, answer.items, None)

    if facets:
        # The fields, as a vocabulary of their own in the schema (StatementFacet…).
        vocabulary = StrEnum(  # type: ignore[misc]
            name.title().replace("_", "").removesuffix("s") + "Facet", {f: f for f in facets}
        )
        Facets = Annotated[
            list[vocabulary] | None,
            Query(
                description="Count the list's items, under its filters, by these fields: "
                f"{', '.join(f'`{f}`' for f in facets)}.{SEVERAL}",
                examples=[[facets[0]]],
            ),
        ]

        async def json_page_with_facets(
            request: Request,
            db: DatabaseDep,
            found: Filters,
            page: Paging,
            facets: Facets = None,
        ) -> Response:
            asked = [str(facet) for facet in facets or ()]
            answer = await db.read(lambda reader: read(reader, found, page, asked, last=True))
            return page_response(request, page, answer.result, answer.items, answer.facets)

        json_page = json_page_with_facets

    router.add_api_route(
        path,
        json_page,
        name=f"list_{name}",
        summary=summary,
        description=description,
        response_model=page_model,
        responses={200: {"headers": PAGE_HEADERS}, **NOT_MODIFIED},
    )
    router.add_api_route(
        f"{path}.csv",
        csv_page,
        name=f"list_{name}_csv",
        summary=f"{summary} (CSV)",
        description=f"The items of `{path}` with the same filters, one row per item, as a "
        "spreadsheet (UTF-8 with a BOM). Nested fields are flattened (`speaker.slug`), lists "
        'joined with "; ". A longer list is cut at `limit`: follow the `Link` header.',
        response_class=Response,
        responses={
            200: {
                "description": "A CSV file.",
                "content": {"text/csv": {"schema": {"type": "string"}, "example": csv_example}},
                "headers": CSV_HEADERS,
            }
        },
    )
