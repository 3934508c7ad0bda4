from urllib.parse import quote

from fastapi import Request, Response
from fastapi.responses import RedirectResponse

from api import schemas
from api.errors import NotFound
from api.params import actor_filters, fixed_paging, slug_path
from api.queries.actors import ACTOR_FACETS, actor_detail, actor_page, canonical_slug
from api.responses import document_response
from api.routes.common import DatabaseDep, add_list_endpoints, detail_responses, resource_router

router = resource_router("actors")

add_list_endpoints(
    router,
    "/actors",
    name="actors",
    page_model=schemas.ActorPage,
    csv_example="slug,name,kind,titles,affiliation.slug,description\r\n"
    "antony-blinken,Antony Blinken,person,Secretary of State,united-states,"
    "U.S. secretary of state.\r\n",
    filters=actor_filters,
    paging=fixed_paging,
    read=actor_page,
    facets=list(ACTOR_FACETS),
    summary="Actors: people, states, organizations, groups and anonymous sources",
    description="Sorted by name (ignoring case and accents). `affiliation=united-states` lists "
    "the U.S. officials and bodies.",
)


@router.get(
    "/actors/{slug}",
    response_model=schemas.ActorDetail,
    responses={
        **detail_responses(),
        308: {
            "description": "The path names the actor by a name or an alias: `Location` is the "
            "actor's path, by its slug (`/actors/blinken` → `/actors/antony-blinken`).",
            "headers": {"Location": {"schema": {"type": "string"}}},
        },
    },
    summary="One actor, with its aliases and how many statements, events, positions and "
    "mentions it has",
)
async def get_actor(
    request: Request,
    db: DatabaseDep,
    slug: str = slug_path("The actor's slug (a name or an alias redirects to it).", "hamas"),
) -> Response:
    found = await db.read(lambda reader: actor_detail(reader, slug))
    if found is not None:
        return document_response(request, found)
    canonical, suggestions = await db.read(lambda reader: canonical_slug(reader, slug))
    if canonical is not None:
        target = f"/actors/{quote(canonical)}" + (
            f"?{request.url.query}" if request.url.query else ""
        )
        return RedirectResponse(target, status_code=308)
    hint = f" Did you mean: {', '.join(suggestions)}?" if suggestions else " See /actors."
    raise NotFound(f"No actor is called {slug!r}.{hint}", suggestions=suggestions)
