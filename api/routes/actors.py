from typing import Annotated

from fastapi import Path, Query, Request, Response

from api import queries, schemas
from api.errors import NOT_FOUND_RESPONSE
from api.models import Actor
from api.pagination import paginate
from api.params import FormatParam, Paging, actor_param
from api.responses import CSV_RESPONSE, render, render_page
from api.routes.common import SessionDep, resource_router
from api.vocabulary import ActorKind

router = resource_router("actors")


@router.get(
    "/actors",
    response_model=schemas.Page[schemas.Actor],
    responses=CSV_RESPONSE,
    summary="Actors: people, states, organizations, groups and anonymous sources",
)
def list_actors(
    request: Request,
    session: SessionDep,
    page: Paging,
    q: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=200,
            description="Part of a name or alias, in any case, with or without accents.",
            examples=["sisi"],
        ),
    ] = None,
    kind: Annotated[
        ActorKind | None, Query(description="Kind of actor.", examples=["anonymous_source"])
    ] = None,
    affiliation: Annotated[
        str | None, actor_param("affiliation", "Actors affiliated with this one.")
    ] = None,
    output_format: FormatParam = None,
) -> Response:
    """Sorted by name (ignoring case and accents). `affiliation=united-states` lists the U.S.
    officials and bodies."""
    query = queries.actors_query(session, q, kind, affiliation)
    result = paginate(session, query, (Actor.name_key, Actor.id), page, "name")
    return render_page(request, result, page.limit, schemas.actor, output_format)


@router.get(
    "/actors/{slug}",
    response_model=schemas.Actor,
    responses={**CSV_RESPONSE, **NOT_FOUND_RESPONSE},
    summary="One actor, with aliases, affiliation and how many statements, events and positions",
)
def get_actor(
    request: Request,
    session: SessionDep,
    slug: Annotated[str, Path(description="The actor's slug.", examples=["antony-blinken"])],
    output_format: FormatParam = None,
) -> Response:
    actor = queries.get_actor(session, slug)
    counts = schemas.ActorCounts(**queries.actor_counts(session, actor.id))
    return render(request, schemas.actor(actor, counts), output_format)
