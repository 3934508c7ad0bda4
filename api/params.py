"""Query parameters: their documentation, one filter dependency per resource, paging, and the
check that refuses parameters an endpoint does not take.

Every dependency is `async`: FastAPI runs a plain `def` dependency in a worker thread, a cost
paid on every request for no gain here.
"""

import re
from dataclasses import replace
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import Depends, Path, Query, Request
from fastapi._compat.shared import field_annotation_is_sequence
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic import BeforeValidator, StringConstraints
from pydantic_core import PydanticCustomError

from api.errors import InvalidParameter, UnknownParameter
from api.paging import DEFAULT_LIMIT, MAX_LIMIT, PageRequest, filters_fingerprint
from api.queries.actors import ActorFilters
from api.queries.common import DateRange
from api.queries.events import EventFilters
from api.queries.proposals import PositionFilters, ProposalFilters, TermFilters
from api.queries.statements import StatementFilters
from api.queries.timeline import TimelineFilters
from api.vocabulary import (
    ActorKind,
    DatePrecision,
    EventKind,
    ParticipantRole,
    ProposalStatus,
    Stance,
    TermKind,
)

# Checking the parameters ---------------------------------------------------------------------

_allowed_by_route: dict[int, tuple[list[str], set[str]]] = {}


def _query_parameters(dependant: Dependant) -> list[Any]:
    found = list(dependant.query_params)
    for sub in dependant.dependencies:
        found += [p for p in _query_parameters(sub) if p.alias not in {f.alias for f in found}]
    return found


def _allowed(route: APIRoute) -> tuple[list[str], set[str]]:
    """The names a route takes, and those of them that take several values."""
    if id(route) not in _allowed_by_route:
        parameters = _query_parameters(route.dependant)
        names = [p.alias for p in parameters]
        lists = {
            p.alias for p in parameters if field_annotation_is_sequence(p.field_info.annotation)
        }
        _allowed_by_route[id(route)] = (names, lists)
    return _allowed_by_route[id(route)]


async def refuse_unknown_parameters(request: Request) -> None:
    """A typo such as `speakr=` must not silently return everything: name it, and what is taken.
    A NUL character is refused in any value too: no value can hold one (PostgreSQL text cannot)."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    for name, value in [*request.path_params.items(), *request.query_params.multi_items()]:
        if "\x00" in str(value):
            raise InvalidParameter.one(name, f"{name} contains a NUL character (%00): remove it.")
    allowed, lists = _allowed(route)
    for name in request.query_params:
        if name not in allowed:
            takes = ", ".join(allowed) if allowed else "no parameters"
            hint = f" For CSV, ask {route.path}.csv." if name == "format" else ""
            raise UnknownParameter(
                f"{name} is not a parameter of {route.path}. It takes: {takes}.{hint}"
            )
        if name not in lists and len(request.query_params.getlist(name)) > 1:
            raise InvalidParameter.one(
                name,
                f"{name} is given more than once: give it once (only filters that name "
                "actors, slugs or words of a vocabulary take several values).",
            )


# Paging ------------------------------------------------------------------------------

LimitParam = Annotated[
    int,
    Query(ge=1, le=MAX_LIMIT, description=f"Items per page (1 to {MAX_LIMIT}).", examples=[20]),
]
CursorParam = Annotated[
    str | None,
    Query(
        max_length=500,
        description="`next_cursor` (or `prev_cursor`) of a page of the same list. Leave out "
        "for the first page.",
        examples=["eyJsaXN0IjoiL3N0YXRlbWVudHMifQ"],
    ),
]
SortByDate = Annotated[
    Literal["date", "-date"],
    Query(
        description="`date` (oldest first, the default) or `-date` (newest first).",
        examples=["-date"],
    ),
]


def _page_request(request: Request, limit: int, cursor: str | None, sort: str) -> PageRequest:
    route = request.scope.get("route")
    path = route.path if isinstance(route, APIRoute) else request.url.path
    listing = path.removesuffix(".csv")  # a list and its CSV share their cursors
    fingerprint = filters_fingerprint(request.query_params.multi_items())
    return PageRequest(listing, fingerprint, sort, limit, cursor)


async def date_paging(
    request: Request,
    limit: LimitParam = DEFAULT_LIMIT,
    cursor: CursorParam = None,
    sort: SortByDate = "date",
) -> PageRequest:
    return _page_request(request, limit, cursor, sort)


async def fixed_paging(
    request: Request, limit: LimitParam = DEFAULT_LIMIT, cursor: CursorParam = None
) -> PageRequest:
    """For a list in a fixed order (actors by name, terms in the proposal's order)."""
    return _page_request(request, limit, cursor, "")


DatePaging = Annotated[PageRequest, Depends(date_paging)]
FixedPaging = Annotated[PageRequest, Depends(fixed_paging)]


# Values ------------------------------------------------------------------------------------------


def _iso_date_only(value: Any) -> Any:
    """Only YYYY-MM-DD, as the schema says (format: date): pydantic alone would also take `0`
    (a Unix timestamp, 1970-01-01) and `2024-06-10T00:00`."""
    if isinstance(value, str) and not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        raise PydanticCustomError("date_parsing", "Input should be a date written YYYY-MM-DD")
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_date_only)]


async def date_range(
    from_: Annotated[
        IsoDate | None,
        Query(
            alias="from",
            description="Earliest date, inclusive (YYYY-MM-DD). A fact dated to a week or a month "
            "matches when its period overlaps the range; an undated fact matches no range.",
            examples=["2024-06-10"],
        ),
    ] = None,
    to: Annotated[
        IsoDate | None,
        Query(description="Latest date, inclusive (YYYY-MM-DD).", examples=["2024-06-10"]),
    ] = None,
) -> DateRange:
    if from_ and to and from_ > to:
        raise InvalidParameter.one("from", f"from={from_} is after to={to}: swap them.")
    return DateRange(from_, to)


Dates = Annotated[DateRange, Depends(date_range)]

SEVERAL = " Several values: repeat the parameter, or separate them with commas (any of them)."


def _names(description: str) -> Any:
    return Query(
        description=f"{description} A slug, a name or an alias, in any case, with or without "
        f"accents, or a run of whole words of one actor's name.{SEVERAL}",
        examples=[["blinken"]],
    )


def _slugs(description: str, example: str) -> Any:
    return Query(description=description + SEVERAL, examples=[[example]])


Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Names = list[Name] | None
Slugs = list[Name] | None

PrecisionFilter = Annotated[
    list[DatePrecision] | None,
    Query(
        description="Only facts dated to this precision: `day` for facts of one known day, "
        f"`week`, `month`, `approximate` or `unknown` (undated).{SEVERAL}",
        examples=[["day"]],
    ),
]
SourceFilter = Annotated[
    Slugs, _slugs("Only facts of this source (see /sources).", "wapo-2024-06-10-blinken")
]
AboutFilter = Annotated[
    Names, _names("Only facts about this actor: its subject, its target, or named in it.")
]
SearchParam = Annotated[
    str | None,
    Query(
        max_length=500,
        description="Full-text search: every word must match (as a prefix: `hostage` finds "
        '"hostages"); "quoted phrases" match whole. Case, accents and curly or straight '
        "quotes do not matter; a hyphenated word is found written either way.",
        examples=["permanent cease-fire"],
    ),
]


def _tuple(values: list[Any] | None) -> tuple[str, ...]:
    return tuple(str(value) for value in values or ())


# One filter dependency per resource ---------------------------------------------------------


async def actor_filters(
    q: Annotated[
        str | None,
        Query(
            max_length=200,
            description="Part of a name or alias, in any case, with or without accents.",
            examples=["sisi"],
        ),
    ] = None,
    kind: Annotated[
        list[ActorKind] | None, Query(description=f"Kind of actor.{SEVERAL}", examples=[["state"]])
    ] = None,
    affiliation: Annotated[Names, _names("Actors affiliated with this one.")] = None,
    source: Annotated[
        Slugs, _slugs("Actors this source introduces.", "wapo-2024-06-10-blinken")
    ] = None,
) -> ActorFilters:
    return ActorFilters(q, _tuple(kind), _tuple(affiliation), _tuple(source))


async def _event_common(
    dates: Dates,
    precision: PrecisionFilter = None,
    actor: Annotated[Names, _names("Events this actor took part in (any role).")] = None,
    role: Annotated[
        list[ParticipantRole] | None,
        Query(
            description=f"Participants' role; with `actor`, the actor's role.{SEVERAL}",
            examples=[["host"]],
        ),
    ] = None,
    about: AboutFilter = None,
    location: Annotated[
        str | None,
        Query(max_length=200, description="Part of the location, any case.", examples=["Cairo"]),
    ] = None,
    source: SourceFilter = None,
    q: SearchParam = None,
) -> EventFilters:
    return EventFilters(
        dates=dates,
        precision=_tuple(precision),
        actor=_tuple(actor),
        role=_tuple(role),
        about=_tuple(about),
        location=location,
        source=_tuple(source),
        q=q,
    )


async def event_filters(
    common: Annotated[EventFilters, Depends(_event_common)],
    kind: Annotated[
        list[EventKind] | None,
        Query(description=f"Kind of event.{SEVERAL}", examples=[["meeting"]]),
    ] = None,
) -> EventFilters:
    return replace(common, kind=_tuple(kind))


async def meeting_filters(
    common: Annotated[EventFilters, Depends(_event_common)],
) -> EventFilters:
    return replace(common, kind=(EventKind.meeting.value,))


async def statement_filters(
    dates: Dates,
    precision: PrecisionFilter = None,
    speaker: Annotated[Names, _names("Statements by this actor.")] = None,
    about: AboutFilter = None,
    direct: Annotated[
        bool | None,
        Query(
            description="`true`: verbatim quotes only; `false`: reported claims only.",
            examples=[True],
        ),
    ] = None,
    event: Annotated[
        Slugs, _slugs("Statements made at this event (see /events).", "blinken-cairo-remarks")
    ] = None,
    term: Annotated[
        Slugs, _slugs("Statements about this proposal term (see /terms).", "permanent-ceasefire")
    ] = None,
    anonymous: Annotated[
        bool | None,
        Query(
            description="`true`: only anonymous sources; `false`: only named speakers.",
            examples=[True],
        ),
    ] = None,
    source: SourceFilter = None,
    q: SearchParam = None,
) -> StatementFilters:
    return StatementFilters(
        speaker=_tuple(speaker),
        about=_tuple(about),
        dates=dates,
        precision=_tuple(precision),
        direct=direct,
        event=_tuple(event),
        term=_tuple(term),
        anonymous=anonymous,
        source=_tuple(source),
        q=q,
    )


ProposalSlugs = Annotated[
    Slugs, _slugs("Slug of the proposal (see /proposals).", "gaza-ceasefire-proposal")
]


async def proposal_filters(
    dates: Dates,
    precision: PrecisionFilter = None,
    status: Annotated[
        list[ProposalStatus] | None,
        Query(description=f"Where the proposal stands.{SEVERAL}", examples=[["under_negotiation"]]),
    ] = None,
    source: SourceFilter = None,
) -> ProposalFilters:
    return ProposalFilters(_tuple(status), dates, _tuple(precision), _tuple(source))


async def term_filters(
    proposal: ProposalSlugs = None,
    phase: Annotated[
        int | None, Query(ge=1, le=1000, description="Phase number.", examples=[1])
    ] = None,
    kind: Annotated[
        list[TermKind] | None,
        Query(description=f"Kind of term.{SEVERAL}", examples=[["provision"]]),
    ] = None,
    source: SourceFilter = None,
) -> TermFilters:
    return TermFilters(_tuple(proposal), phase, _tuple(kind), _tuple(source))


async def position_filters(
    dates: Dates,
    precision: PrecisionFilter = None,
    actor: Annotated[Names, _names("Positions of this actor.")] = None,
    proposal: ProposalSlugs = None,
    term: Annotated[
        Slugs, _slugs("Positions on this proposal term (see /terms).", "permanent-ceasefire")
    ] = None,
    stance: Annotated[
        list[Stance] | None, Query(description=f"The stance.{SEVERAL}", examples=[["opposes"]])
    ] = None,
    source: SourceFilter = None,
) -> PositionFilters:
    return PositionFilters(
        actor=_tuple(actor),
        proposal=_tuple(proposal),
        term=_tuple(term),
        stance=_tuple(stance),
        dates=dates,
        precision=_tuple(precision),
        source=_tuple(source),
    )


async def timeline_filters(
    dates: Dates,
    precision: PrecisionFilter = None,
    actor: Annotated[
        Names, _names("Events the actor took part in and statements the actor made.")
    ] = None,
    about: AboutFilter = None,
    source: SourceFilter = None,
) -> TimelineFilters:
    return TimelineFilters(
        actor=_tuple(actor),
        about=_tuple(about),
        dates=dates,
        precision=_tuple(precision),
        source=_tuple(source),
    )


def slug_path(description: str, example: str) -> Any:
    return Path(max_length=200, description=description, examples=[example])
