"""The reading room: server-rendered HTML pages over the same data as the API, read-only.

`/` is the home page; every other page lives under /read (never a path of the JSON API, which
answers JSON whatever the request's Accept header). Each page reads through the API's own query
functions (api.queries), shows the API URL and `curl` command that answer the same question,
and renders from Jinja2 templates (api/templates) with one style sheet and one small script
(api/static/reading). Everything reads with JavaScript off.
"""

from fastapi import APIRouter

from api.pages import actors, home, listing, sources, timeline
from api.pages.render import STATIC_DIR, STATIC_URL
from api.pages.routing import no_such_page_router

router = APIRouter()
router.include_router(home.router)
router.include_router(sources.router)
router.include_router(listing.router)
router.include_router(actors.router)
router.include_router(timeline.router)
router.include_router(no_such_page_router())

__all__ = ["STATIC_DIR", "STATIC_URL", "router"]
