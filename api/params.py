"""Query parameters shared by the endpoints, and the check that refuses ones they don't take."""

import re
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import Depends, Query, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

from api.errors import Problem
from api.pagination import DEFAULT_LIMIT, MAX_LIMIT, PageRequest
from api.responses import OutputFormat

_allowed_by_route: dict[int, list[str]] = {}


def _query_names(dependant: Dependant) -> list[str]:
    names = [param.alias for param in dependant.query_params]
    for sub in dependant.dependencies:
        names += [name for name in _query_names(sub) if name not in names]
    return names


def _allowed(route: APIRoute) -> list[str]:
    if id(route) not in _allowed_by_route:
        _allowed_by_route[id(route)] = _query_names(route.dependant)
    return _allowed_by_route[id(route)]


def refuse_unknown_parameters(request: Request) -> None:
    """A typo such as `speakr=` must not silently return everything: name it, and what is taken.
    A NUL character is refused in any value too: no value can hold one (PostgreSQL text cannot)."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    for name, value in [*request.path_params.items(), *request.query_params.multi_items()]:
        if "\x00" in str(value):
            raise Problem(
                422, "Invalid parameter", f"{name} contains a NUL character (%00): remove it."
            )
    allowed = _allowed(route)
    for name in request.query_params:
        if name not in allowed:
            takes = ", ".join(allowed) if allowed else "no parameters"
            raise Problem(
                400,
                "Unknown query parameter",
                f"{name} is not a parameter of {route.path}. It takes: {takes}.",
            )
        if len(request.query_params.getlist(name)) > 1:
            raise Problem(
                400, "Repeated query parameter", f"{name} is given more than once: give it once."
            )


FormatParam = Annotated[
    OutputFormat | None,
    Query(
        alias="format",
        description="`json` (the default) or `csv`. `Accept: text/csv` also asks for CSV.",
        examples=["csv"],
    ),
]


def page_request(
    limit: Annotated[
        int,
        Query(ge=1, le=MAX_LIMIT, description=f"Items per page (1 to {MAX_LIMIT}).", examples=[20]),
    ] = DEFAULT_LIMIT,
    cursor: Annotated[
        str | None,
        Query(
            max_length=500,
            description="`next_cursor` of the previous page. Leave out for the first page.",
            examples=["eyJzb3J0IjoiZGF0ZSIsImFmdGVyIjpbIjIwMjQtMDYtMTAiLDEyXX0"],
        ),
    ] = None,
) -> PageRequest:
    return PageRequest(limit=limit, cursor=cursor)


Paging = Annotated[PageRequest, Depends(page_request)]


def _iso_date_only(value: Any) -> Any:
    """Only YYYY-MM-DD, as the schema says (format: date): pydantic alone would also take `0`
    (a Unix timestamp, 1970-01-01) and `2024-06-10T00:00`."""
    if isinstance(value, str) and not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        raise PydanticCustomError("date_parsing", "Input should be a date written YYYY-MM-DD")
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_date_only)]


@dataclass(frozen=True)
class DateRange:
    start: date | None
    end: date | None


def date_range(
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
        raise Problem(422, "Invalid parameter", f"from={from_} is after to={to}: swap them.")
    return DateRange(from_, to)


Dates = Annotated[DateRange, Depends(date_range)]


def actor_param(name: str, description: str) -> Any:
    return Query(
        alias=name,
        min_length=1,
        max_length=200,
        description=f"{description} A slug, a name or an alias, in any case, "
        "with or without accents.",
        examples=["blinken"],
    )


def slug_param(description: str, example: str) -> Any:
    return Query(min_length=1, max_length=200, description=description, examples=[example])


ProposalFilter = Annotated[
    str | None, slug_param("Slug of the proposal (see /proposals).", "gaza-ceasefire-proposal")
]
TermFilter = Annotated[
    str | None, slug_param("Slug of a proposal term (see /terms).", "permanent-ceasefire")
]

SortByDate = Annotated[
    Literal["date", "-date"],
    Query(
        description="`date` (oldest first, the default) or `-date` (newest first).",
        examples=["-date"],
    ),
]

SearchParam = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=500,
        description="Full-text search: every word must match (as a prefix: `hostage` finds "
        '"hostages"); "quoted phrases" match whole. Case, accents and curly or straight '
        "quotes do not matter.",
        examples=["permanent cease-fire"],
    ),
]
