"""The home page, `/`: what the database holds (its sources, how many facts of each kind, the
proposals on the table, who speaks most) and the ways in."""

from dataclasses import dataclass

from fastapi import Request, Response

from api.database import Reader
from api.pages.lists import page_request
from api.pages.render import ApiCall, render_page
from api.pages.routing import page_router
from api.queries.actors import ActorFilters, actor_page
from api.queries.events import EventFilters, event_page
from api.queries.facets import ListAnswer
from api.queries.proposals import (
    PositionFilters,
    ProposalFilters,
    position_page,
    proposal_page,
)
from api.queries.sources import source_page
from api.queries.statements import StatementFilters, statement_page
from api.routes.common import DatabaseDep

router = page_router()

SOURCES_SHOWN = 10
PROPOSALS_SHOWN = 3


@dataclass
class Home:
    sources: ListAnswer
    proposals: ListAnswer
    statements: ListAnswer  # one item, its total and who speaks most (a facet)
    events: ListAnswer
    positions: ListAnswer
    actors: ListAnswer


async def read_home(reader: Reader) -> Home:
    return Home(
        sources=await source_page(
            reader, page_request("/sources", [], limit=SOURCES_SHOWN, cursor=None)
        ),
        proposals=await proposal_page(
            reader,
            ProposalFilters(),
            page_request("/proposals", [], limit=PROPOSALS_SHOWN, cursor=None),
        ),
        statements=await statement_page(
            reader,
            StatementFilters(),
            page_request("/statements", [], limit=1, cursor=None),
            ["speaker"],
        ),
        events=await event_page(
            reader, EventFilters(), page_request("/events", [], limit=1, cursor=None)
        ),
        positions=await position_page(
            reader, PositionFilters(), page_request("/positions", [], limit=1, cursor=None)
        ),
        actors=await actor_page(
            reader, ActorFilters(), page_request("/actors", [], sort="", limit=1, cursor=None)
        ),
    )


@router.get("/")
async def home(request: Request, db: DatabaseDep) -> Response:
    found = await db.read(read_home)
    return render_page(
        request,
        "home.html",
        api=[
            ApiCall("/sources", (("limit", str(SOURCES_SHOWN)),), "the sources"),
            ApiCall("/proposals", (("limit", str(PROPOSALS_SHOWN)),), "the proposals"),
            ApiCall("/statements", (("limit", "1"), ("facets", "speaker")), "who speaks most"),
            ApiCall("/events", (("limit", "1"),), "how many events"),
            ApiCall("/positions", (("limit", "1"),), "how many positions"),
            ApiCall("/actors", (("limit", "1"),), "how many actors"),
        ],
        home=found,
    )
