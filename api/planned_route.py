"""A route whose parameters are solved by a plan made once, when the route is built.

FastAPI solves a route's dependency tree anew on every request: for each of a list's 15 query
parameters it works out again whether the parameter takes several values, whether it is a
model, and its cache key. That was a fifth of a list request's time on the benchmark's corpora
(`benchmarks/one_url.py --profile`: `solve_dependencies`, about 2 ms of 8 to 10). A
`PlannedRoute` walks the same tree once and keeps what a request needs: each parameter's name,
where it is read, whether it takes several values, and its pydantic field, which validates as
it does under FastAPI (the same values, the same errors and `loc`). The declared dependencies
stay the contract: the OpenAPI schema and the parameter check (api.params) read them as before.

A route whose tree uses anything else (headers, cookies, a body, `yield`, a plain `def`, an
endpoint that does not return a Response), or an app with dependency overrides, is solved by
FastAPI as usual.
"""

import copy
import inspect
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from fastapi import Request, Response
from fastapi._compat import ModelField, get_missing_field_error
from fastapi._compat.shared import field_annotation_is_sequence, lenient_issubclass
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import BaseModel
from starlette._utils import get_route_path
from starlette.datastructures import QueryParams
from starlette.routing import Match
from starlette.types import Scope

Handler = Callable[[Request], Coroutine[Any, Any, Response]]


@dataclass(frozen=True)
class Parameter:
    name: str  # the function's argument
    alias: str  # the name in the URL
    location: str  # "path" or "query"
    several: bool  # read every value (`speaker=a&speaker=b`), not the last one
    field: ModelField

    def read(self, request: Request) -> tuple[Any, list[dict[str, Any]]]:
        loc = (self.location, self.alias)
        if self.location == "path":
            raw = request.path_params.get(self.alias)
        else:
            query: QueryParams = request.query_params
            raw = query.getlist(self.alias) if self.several else query.get(self.alias)
        if raw is None or (self.several and not raw):
            if self.field.field_info.is_required():
                return None, [get_missing_field_error(loc)]
            return self.field.default, []
        return self.field.validate(raw, {}, loc=loc)


@dataclass(frozen=True)
class Plan:
    """One node of a route's dependency tree: its function, and where its arguments come from."""

    call: Callable[..., Awaitable[Any]]
    name: str | None  # the argument its result is passed as, in its parent
    cached: bool  # solved once per request, however often it is asked for
    request_argument: str | None
    dependencies: tuple["Plan", ...]
    parameters: tuple[Parameter, ...]

    async def solve(
        self, request: Request, cache: dict[Any, Any]
    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """The arguments of `call`, or the errors that stop it, in FastAPI's order: every
        dependency first (one whose own arguments fail is not called), then path and query
        parameters."""
        values: dict[str, Any] = {}
        errors: list[dict[str, Any]] = []
        for dependency in self.dependencies:
            arguments, failed = await dependency.solve(request, cache)
            if failed:
                errors += failed
                continue
            if dependency.cached and dependency.call in cache:
                solved = cache[dependency.call]
            else:
                solved = cache[dependency.call] = await dependency.call(**arguments)
            if dependency.name is not None:
                values[dependency.name] = solved
        for parameter in self.parameters:
            value, failed = parameter.read(request)
            if failed:
                errors += failed
            else:
                values[parameter.name] = value
        if self.request_argument is not None:
            values[self.request_argument] = request
        return values, errors


def _parameter(field: ModelField, location: str) -> Parameter | None:
    info = field.field_info
    if info.validation_alias not in (None, field.alias) or lenient_issubclass(
        info.annotation, BaseModel
    ):
        return None
    several = location == "query" and field_annotation_is_sequence(info.annotation)
    return Parameter(field.name, field.alias, location, several, field)


def plan_of(dependant: Dependant) -> Plan | None:
    """The plan of a dependency tree, or None where it uses what a plan does not read."""
    unsupported = (
        dependant.header_params,
        dependant.cookie_params,
        dependant.body_params,
        dependant.websocket_param_name,
        dependant.http_connection_param_name,
        dependant.response_param_name,
        dependant.background_tasks_param_name,
        dependant.security_scopes_param_name,
    )
    if any(unsupported) or not inspect.iscoroutinefunction(dependant.call):
        return None
    dependencies = [plan_of(sub) for sub in dependant.dependencies]
    parameters = [_parameter(f, "path") for f in dependant.path_params] + [
        _parameter(f, "query") for f in dependant.query_params
    ]
    if None in dependencies or None in parameters:
        return None
    return Plan(
        call=dependant.call,
        name=dependant.name,
        cached=dependant.use_cache,
        request_argument=dependant.request_param_name,
        dependencies=tuple(d for d in dependencies if d is not None),
        parameters=tuple(p for p in parameters if p is not None),
    )


def route_plan(dependant: Dependant) -> Plan | None:
    """The plan of a route, whose endpoint must return a Response: FastAPI would serialize
    anything else."""
    plan = plan_of(dependant)
    if plan is None:
        return None
    returns = inspect.signature(plan.call).return_annotation
    return plan if inspect.isclass(returns) and issubclass(returns, Response) else None


class PlannedRoute(APIRoute):
    """An APIRoute solved by its plan; FastAPI solves it when it has none, or when the app that
    asks has dependency overrides (a test's)."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        """No match for a path that does not begin with the route's fixed part, without asking
        FastAPI: the router asks each route in turn until one matches, and FastAPI's `matches`
        cost about 2 µs a route (finding `/timeline`, the 22nd route, took 50 µs; 14 µs now).
        A path that begins with it is matched by FastAPI as before."""
        path = get_route_path(scope) if scope.get("root_path") else scope["path"]
        if not path.startswith(self.fixed_start):
            return Match.NONE, {}
        return super().matches(scope)

    @cached_property
    def fixed_start(self) -> str:
        """The path up to its first parameter: every path the route matches begins with it."""
        return self.path.partition("{")[0]

    def get_route_handler(self) -> Handler:
        solved_by_fastapi = super().get_route_handler()
        plan = route_plan(self.dependant)

        async def handler(request: Request) -> Response:
            if request.app.dependency_overrides:
                return await self.solved_with_overrides_of(request.app)(request)
            if plan is None:
                return await solved_by_fastapi(request)
            values, errors = await plan.solve(request, {})
            if errors:
                raise RequestValidationError(errors)
            response: Response = await plan.call(**values)
            return response

        return handler

    def solved_with_overrides_of(self, app: Any) -> Handler:
        """FastAPI's own handler, with `app`'s dependency overrides: a route is shared by every
        app built in the process (api.main.add_routes), so the overrides are the asking app's."""
        route = copy.copy(self)
        route.dependency_overrides_provider = app
        return APIRoute.get_route_handler(route)
