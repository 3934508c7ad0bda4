"""The API's routes solve their parameters with a plan made once (api.planned_route), not with
FastAPI's per-request solver; they must answer exactly as FastAPI's solver would.

An app with any dependency override is solved by FastAPI itself: the same app, with an override
that changes nothing, is the reference its planned twin is compared with."""

import asyncio
from collections.abc import Iterator

import httpx
import pytest
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute

from api.main import create_app
from api.planned_route import PlannedRoute, route_plan
from api.routes.common import database
from api.settings import Settings
from tests.conftest import LiveServer

# Good questions and bad ones: every kind of parameter (one value, several, a number, a date, a
# boolean, a vocabulary, a path), and every way of getting one wrong.
URLS = [
    "/statements?speaker=blinken,sinwar&sort=-date&limit=3",
    "/statements?from=2024-06-10&to=2024-06-10&direct=true&facets=speaker",
    "/statements?q=cease-fire&anonymous=false",
    "/statements?limit=0",
    "/statements?limit=many&from=June&direct=maybe",
    "/statements?from=2024-06-11&to=2024-06-10",
    "/statements?speaker=nobody-at-all",
    "/statements?speakr=blinken",
    "/statements?sort=date&sort=-date",
    "/statements.csv?speaker=blinken",
    "/statements/12",
    "/statements/no-such-statement",
    "/events?kind=meeting,nothing&role=host",
    "/events?location=Cairo&precision=day",
    "/meetings?actor=blinken",
    "/positions?stance=opposes&term=permanent-ceasefire&facets=stance,actor",
    "/terms?phase=1&kind=provision",
    "/terms?phase=0",
    "/proposals?status=under_negotiation",
    "/actors?kind=state&q=egy",
    "/actors/blinken",
    "/actors/antony-blinken",
    "/timeline?actor=hamas&from=2024-06-01",
    "/sources",
    "/read/statements?speaker=blinken",
    "/read/statements?limit=-1",
]


@pytest.fixture(scope="module")
def by_fastapi(seeded_database_url: str) -> Iterator[httpx.Client]:
    settings = Settings(database_url=seeded_database_url, cache_seconds=0)
    server = LiveServer(settings)
    server.app.dependency_overrides[database] = database  # changes nothing but the solver
    with server, httpx.Client(base_url=server.url, timeout=10) as http:
        yield http


@pytest.fixture(scope="module")
def by_plan(seeded_database_url: str) -> Iterator[httpx.Client]:
    settings = Settings(database_url=seeded_database_url, cache_seconds=0)
    with LiveServer(settings) as server, httpx.Client(base_url=server.url, timeout=10) as http:
        yield http


@pytest.mark.parametrize("url", URLS)
def test_a_planned_route_answers_as_fastapi_s_own_solver(
    by_plan: httpx.Client, by_fastapi: httpx.Client, url: str
) -> None:
    planned, reference = by_plan.get(url), by_fastapi.get(url)
    assert planned.status_code == reference.status_code, planned.text
    for header in ("content-type", "location", "allow", "retry-after"):
        assert planned.headers.get(header) == reference.headers.get(header)
    # The two servers differ only in their port, which links name.
    assert planned.text.replace(str(by_plan.base_url), "SERVER") == reference.text.replace(
        str(by_fastapi.base_url), "SERVER"
    )


def _api_routes(routes: list[BaseRoute]) -> Iterator[APIRoute]:
    for route in routes:
        included = getattr(route, "original_router", None)  # FastAPI 0.16x: an included router
        if included is not None:
            yield from _api_routes(included.routes)
        elif isinstance(route, APIRoute):
            yield route


def test_every_api_route_has_a_plan() -> None:
    """A route that falls back to FastAPI's solver still answers, but slowly: none may."""
    app = create_app(Settings(database_url="sqlite://", cache_seconds=0))
    routes = [r for r in _api_routes(app.routes) if r.include_in_schema]
    assert len(routes) > 20
    for route in routes:
        assert isinstance(route, PlannedRoute), route.path
        assert route_plan(route.dependant) is not None, route.path


@pytest.mark.parametrize("path", ["/statements/12", "/actors/blinken", "/timeline?actor=hamas"])
def test_a_route_is_found_under_a_proxy_s_root_path(seeded_database_url: str, path: str) -> None:
    """Behind a proxy that serves the API under /api (uvicorn --root-path /api), a route looks
    for its path after the root path (PlannedRoute.matches skips the routes it cannot match)."""
    app = create_app(Settings(database_url=seeded_database_url, cache_seconds=0))

    async def ask() -> tuple[httpx.Response, httpx.Response]:
        transport = httpx.ASGITransport(app=app, root_path="/api")
        async with httpx.AsyncClient(
            transport=transport, base_url="http://eventdb", follow_redirects=True
        ) as http:
            return await http.get("/api" + path), await http.get(path)

    proxied, direct = asyncio.run(ask())
    assert proxied.status_code == 200, proxied.text
    # Links name the root path; the facts are the same.
    assert proxied.json().get("items") == direct.json().get("items")
    assert proxied.json().get("id") == direct.json().get("id")
