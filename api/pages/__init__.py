"""The reading room: server-rendered HTML pages over the same data as the API, read-only.

`/` is the home page; every other page lives under /read (never a path of the JSON API, which
answers JSON whatever the request's Accept header). Each page reads through the API's own query
functions (api.queries), shows the API URL and `curl` command that answer the same question,
and renders from Jinja2 templates (api/templates) with one style sheet and one small script
(api/static/reading). Everything reads with JavaScript off.
"""

from api.pages import actors, home, listing, sources, timeline
from api.pages.render import STATIC_DIR, STATIC_URL
from api.pages.routing import no_such_page_router

# In the order they match: the page that answers any other path under /read comes last.
ROUTERS = [
    home.router,
    sources.router,
    listing.router,
    actors.router,
    timeline.router,
    no_such_page_router(),
]

__all__ = ["ROUTERS", "STATIC_DIR", "STATIC_URL"]
