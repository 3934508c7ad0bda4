"""The reading room's router: every route answers HTML, its errors included.

A page takes the API's own parameters, checked by the API's own dependencies (api.params), so a
bad value is refused with the API's sentence; `PageRoute` shows that sentence on an HTML page
(with the status the API would answer) instead of problem+json, and adds the time the server
spent on the page as a `Server-Timing` header.
"""

import time
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter, Depends, Request, Response

from api.errors import EXPECTED, NotFound, Problem, problem_of
from api.pages.render import render_page
from api.params import refuse_unknown_parameters
from api.planned_route import PlannedRoute

Handler = Callable[[Request], Coroutine[Any, Any, Response]]


def error_page(request: Request, problem: Problem) -> Response:
    messages = [error.message for error in getattr(problem, "errors", [])] or [problem.detail]
    suggestions = getattr(problem, "suggestions", None) or []
    response = render_page(
        request,
        "error.html",
        api=[],
        status_code=problem.status,
        problem=problem,
        messages=messages,
        suggestions=suggestions,
    )
    response.headers.update(problem.headers)
    return response


class PageRoute(PlannedRoute):
    """A route of a page: errors as HTML pages, and the server's time in `Server-Timing`."""

    def get_route_handler(self) -> Handler:
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            started = time.perf_counter()
            try:
                response = await handler(request)
            except EXPECTED as refused:
                response = error_page(request, problem_of(request, refused))
            milliseconds = (time.perf_counter() - started) * 1000
            response.headers["Server-Timing"] = f"page;dur={milliseconds:.1f}"
            return response

        return page_handler


def page_router() -> APIRouter:
    return APIRouter(
        route_class=PageRoute,
        include_in_schema=False,
        dependencies=[Depends(refuse_unknown_parameters)],
    )


def no_such_page_router() -> APIRouter:
    """Any other path under /read answers the reading room's 404 page, not problem+json.
    Included after every page's router, so that it matches only what none of them does."""
    router = page_router()

    @router.get("/read/{path:path}")
    async def no_such_page(path: str) -> Response:
        raise NotFound(f"There is no page at /read/{path}. The home page (/) lists the pages.")

    return router
