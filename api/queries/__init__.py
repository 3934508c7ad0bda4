"""The queries behind the endpoints: filters turned into SQL, and related rows loaded in bulk.

Each list query loads its related objects with a fixed number of extra statements
(joinedload / selectinload), never one per row.
"""

from api.queries.actors import actor_counts, actors_query, get_actor, resolve_actors
from api.queries.dates import date_branches
from api.queries.events import events_query, get_event
from api.queries.proposals import get_proposal, positions_query, proposals_query, terms_query
from api.queries.sources import get_source
from api.queries.statements import get_statement, statements_query
from api.queries.timeline import timeline_page

__all__ = [
    "actor_counts",
    "actors_query",
    "date_branches",
    "events_query",
    "get_actor",
    "get_event",
    "get_proposal",
    "get_source",
    "get_statement",
    "positions_query",
    "proposals_query",
    "resolve_actors",
    "statements_query",
    "terms_query",
    "timeline_page",
]
