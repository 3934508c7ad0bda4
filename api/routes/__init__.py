"""One router per resource; ROUTERS is the order they appear in the docs."""

from api.routes import (
    actors,
    events,
    health,
    positions,
    problems,
    proposals,
    sources,
    statements,
    timeline,
)

ROUTERS = [
    actors.router,
    events.router,
    statements.router,
    proposals.router,
    positions.router,
    timeline.router,
    sources.router,
    health.router,
    problems.router,
]
