"""The one error format: RFC 9457 problem+json, with a sentence a person can read.

Every error the API answers is one of the `Problem` kinds below: its `type` is a stable URI
(`/problems/unknown-parameter`…, documented at that path and in the OpenAPI schema) that a
program can switch on, its `title` is fixed per type, and its `detail` says what to change. An
invalid value is always a 422 `invalid-parameter` with `errors: [{parameter, message,
suggestions?}]`, whatever found it (FastAPI's validation, or a name that matches no actor).
Starlette's 404 and 405, database outages (503) and anything unexpected (500, with no stack trace
or SQL in the body: those go to the log) are answered the same way.
"""

import logging
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field
from pydantic.json_schema import SkipJsonSchema
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from api.database import DatabaseUnavailable, QueryTimeout, ValueOutOfRange
from api.headers import SECURITY_HEADERS

logger = logging.getLogger("eventdb")

PROBLEM_MEDIA_TYPE = "application/problem+json"
RETRY_AFTER_SECONDS = "5"


@dataclass(frozen=True)
class ParameterError:
    parameter: str
    message: str
    suggestions: list[str] | None = None

    def as_json(self) -> dict[str, Any]:
        found: dict[str, Any] = {"parameter": self.parameter, "message": self.message}
        if self.suggestions is not None:
            found["suggestions"] = self.suggestions
        return found


class Problem(Exception):
    """An error answered as problem+json. Each subclass is one `type` with a fixed title."""

    kind: ClassVar[str] = "about:blank"
    status: ClassVar[int] = 500
    title: ClassVar[str] = ""
    explanation: ClassVar[str] = ""  # the documentation of the type, at /problems/{kind}

    def __init__(self, detail: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = headers or {}

    @classmethod
    def type_uri(cls) -> str:
        return f"/problems/{cls.kind}"

    def extra(self) -> dict[str, Any]:
        return {}


class UnknownParameter(Problem):
    kind, status, title = "unknown-parameter", 400, "Unknown query parameter"
    explanation = (
        "The request has a query parameter the endpoint does not take (often a typo: `speakr`). "
        "The detail names it and lists the parameters the endpoint takes. Parameters whose name "
        "starts with `_` or `utm_` (cache-busters, campaign tags) are ignored, never refused."
    )


class InvalidCursor(Problem):
    kind, status, title = "invalid-cursor", 400, "Invalid cursor"
    explanation = (
        "A `cursor` continues the list it was made for, with the same filters and `sort`. Pass "
        "`next_cursor` or `prev_cursor` of a page unchanged, or leave `cursor` out to start from "
        "the first page."
    )


class HostNotAllowed(Problem):
    kind, status, title = "host-not-allowed", 400, "Host not allowed"
    explanation = (
        "The request's `Host` header is not one of the host names the server answers "
        "(`EVENTDB_ALLOWED_HOSTS`): links in answers are built from it."
    )


class NotFound(Problem):
    kind, status, title = "not-found", 404, "Not found"
    explanation = (
        "Nothing has that slug or id, or there is nothing at that path. Where a close slug "
        "exists, `suggestions` lists it."
    )

    def __init__(self, detail: str, suggestions: list[str] | None = None) -> None:
        super().__init__(detail)
        self.suggestions = suggestions

    def extra(self) -> dict[str, Any]:
        return {"suggestions": self.suggestions or []}


class MethodNotAllowed(Problem):
    kind, status, title = "method-not-allowed", 405, "Method not allowed"
    explanation = "The API is read-only: it answers GET and HEAD (and CORS preflights)."


class InvalidParameter(Problem):
    kind, status, title = "invalid-parameter", 422, "Invalid parameter"
    explanation = (
        "One or more parameter values are invalid: not a date, outside the vocabulary, out of "
        "range, naming nothing (an actor, event, term or proposal that does not exist), or "
        "given twice where one value is taken. "
        "`errors` has one entry per refused value: `parameter`, a `message` to show, and for a "
        "name, the closest `suggestions`."
    )

    def __init__(self, *errors: ParameterError) -> None:
        super().__init__(" ".join(error.message for error in errors))
        self.errors = list(errors)

    @classmethod
    def one(
        cls, parameter: str, message: str, suggestions: list[str] | None = None
    ) -> "InvalidParameter":
        return cls(ParameterError(parameter, message, suggestions))

    def extra(self) -> dict[str, Any]:
        return {"errors": [error.as_json() for error in self.errors]}


class InternalError(Problem):
    kind, status, title = "internal-error", 500, "Internal server error"
    explanation = "Something went wrong on the server. It has been logged; try again later."


class ServiceUnavailable(Problem):
    kind, status, title = "service-unavailable", 503, "Service unavailable"
    explanation = (
        "The database is not answering, or its schema is not at the latest migration. "
        "`Retry-After` says when to try again."
    )


class QueryTooSlow(Problem):
    kind, status, title = "query-too-slow", 503, "Query too slow"
    explanation = (
        "The question took longer than the server allows (`EVENTDB_STATEMENT_TIMEOUT`) and was "
        "stopped. Narrow it (a date range, a speaker) or try again after `Retry-After`."
    )


PROBLEM_TYPES: list[type[Problem]] = [
    UnknownParameter,
    InvalidCursor,
    HostNotAllowed,
    NotFound,
    MethodNotAllowed,
    InvalidParameter,
    InternalError,
    ServiceUnavailable,
    QueryTooSlow,
]


class ParameterErrorBody(BaseModel):
    parameter: str = Field(examples=["speaker"])
    message: str = Field(
        examples=["speaker='blinkn' matches no actor. Did you mean: antony-blinken?"]
    )
    suggestions: list[str] | SkipJsonSchema[None] = Field(
        None,
        description="The closest values, for a name or slug that matches nothing.",
        examples=[["antony-blinken"]],
    )


class _ProblemFields(BaseModel):
    title: str = Field(description="Fixed for each `type`.", examples=["Unknown query parameter"])
    status: int = Field(examples=[400])
    detail: str = Field(
        description="What went wrong and what to change, as a sentence to show a person.",
        examples=["speakr is not a parameter of /statements. It takes: speaker, from, to, q."],
    )
    instance: str = Field(examples=["/statements?speakr=blinken"])


TYPE_DESCRIPTION = "What kind of problem: a stable URI, documented at that path of the API."


class InvalidParameterProblem(_ProblemFields):
    """422: one or more parameter values are invalid, or name nothing."""

    type: Literal["/problems/invalid-parameter"] = Field(description=TYPE_DESCRIPTION)
    errors: list[ParameterErrorBody] = Field(
        min_length=1, description="Each refused value, with the parameter it was given to."
    )


class NotFoundProblem(_ProblemFields):
    """404: nothing has that slug or id, or there is nothing at that path."""

    type: Literal["/problems/not-found"] = Field(description=TYPE_DESCRIPTION)
    suggestions: list[str] = Field(
        description="The closest slugs (may be empty).", examples=[["abdel-fatah-el-sisi"]]
    )


class OtherProblem(_ProblemFields):
    """Any other problem: switch on `type`; show `detail` to a person."""

    type: Literal[
        "/problems/unknown-parameter",
        "/problems/invalid-cursor",
        "/problems/host-not-allowed",
        "/problems/method-not-allowed",
        "/problems/internal-error",
        "/problems/service-unavailable",
        "/problems/query-too-slow",
    ] = Field(description=TYPE_DESCRIPTION, examples=["/problems/unknown-parameter"])


def _problem_response_doc(
    model: type[BaseModel], description: str, retry: bool = False
) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "model": model,
        "description": description,
        "content": {
            PROBLEM_MEDIA_TYPE: {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}
        },
    }
    if retry:
        doc["headers"] = {
            "Retry-After": {
                "description": "Seconds to wait.",
                "required": True,
                "schema": {"type": "integer"},
            }
        }
    return doc


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _problem_response_doc(
        OtherProblem, "A query parameter the endpoint does not take, or a bad cursor."
    ),
    422: _problem_response_doc(
        InvalidParameterProblem, "A parameter value that is invalid, or names nothing."
    ),
    503: _problem_response_doc(
        OtherProblem, "The database is not answering, or the question took too long.", retry=True
    ),
}
NOT_FOUND_RESPONSE: dict[int | str, dict[str, Any]] = {
    404: _problem_response_doc(NotFoundProblem, "No item has that slug or id."),
}


def problem_response(request: Request, problem: Problem) -> Response:
    body = {
        "type": problem.type_uri(),
        "title": problem.title,
        "status": problem.status,
        "detail": problem.detail,
        "instance": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
        **problem.extra(),
    }
    return Response(
        orjson.dumps(body, option=orjson.OPT_INDENT_2) + b"\n",
        status_code=problem.status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=problem.headers,
    )


def describe_invalid(error: dict[str, Any]) -> ParameterError:
    """FastAPI's validation error as one entry of `errors`: `loc` is ("query", name) or, for
    one of several values, ("query", name, index)."""
    loc: tuple[Any, ...] = tuple(error.get("loc") or ("request",))
    name = str(loc[1]) if len(loc) > 1 and loc[0] in ("query", "path", "header") else str(loc[-1])
    value = error.get("input")
    if error["type"].startswith(("date_", "datetime_")):
        message = f"{name}={value} is not a date: write it as YYYY-MM-DD, e.g. 2024-06-10."
    elif error["type"] == "missing":
        message = f"{name} is required."
    else:
        shown = f"{name}={value}" if isinstance(value, str | int | float) else name
        message = f"{shown}: {error['msg']}."
    return ParameterError(name, message)


def problem_of(request: Request, exc: Exception) -> Problem:
    """The problem an expected exception (one of EXPECTED) answers, for the API and its pages."""
    if isinstance(exc, Problem):
        return exc
    if isinstance(exc, RequestValidationError):
        return InvalidParameter(*map(describe_invalid, exc.errors()))
    if isinstance(exc, DatabaseUnavailable):
        logger.error("database unavailable: %s", exc)
        return ServiceUnavailable(
            "The database is not answering. Try again in a few seconds.",
            headers={"Retry-After": RETRY_AFTER_SECONDS},
        )
    if isinstance(exc, QueryTimeout):
        logger.warning("query stopped at the deadline on %s", request.url)
        return QueryTooSlow(
            "The question took too long to answer and was stopped. Narrow it (a date range, a "
            "speaker) or try again in a few seconds.",
            headers={"Retry-After": RETRY_AFTER_SECONDS},
        )
    assert isinstance(exc, ValueOutOfRange), exc
    # A number past the database's integers, or a date at the edge of the calendar: the API
    # only reads, so it can only be the request's.
    logger.warning("value out of range on %s: %s", request.url.path, exc)
    return InvalidParameter.one(
        "request", "A value in the request is out of range: check its numbers and dates."
    )


EXPECTED = (Problem, RequestValidationError, DatabaseUnavailable, QueryTimeout, ValueOutOfRange)


async def _expected(request: Request, exc: Exception) -> Response:
    return problem_response(request, problem_of(request, exc))


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    problem: Problem
    if exc.status_code == 404:
        problem = NotFound(f"There is nothing at {request.url.path}. See /docs for the endpoints.")
    elif exc.status_code == 405:
        problem = MethodNotAllowed(
            f"{request.method} is not allowed here: this API is read-only (GET only)."
        )
    else:
        logger.warning("HTTP %s on %s: %s", exc.status_code, request.url.path, exc.detail)
        problem = InternalError("Something went wrong on our side. It has been logged.")
    response = problem_response(request, problem)
    # Keep the headers the exception carries: a 405 must say which methods are allowed (`Allow`).
    response.headers.update(exc.headers or {})
    return response


async def _unexpected(request: Request, exc: Exception) -> Response:
    logger.exception("unexpected error on %s", request.url.path, exc_info=exc)
    problem = InternalError(
        "Something went wrong on our side. It has been logged; please try again later."
    )
    response = problem_response(request, problem)
    # Starlette answers an unhandled exception outside every middleware: add the headers here.
    response.headers.update({name.decode(): value.decode() for name, value in SECURITY_HEADERS})
    return response


def install_error_handlers(app: FastAPI) -> None:
    for kind in EXPECTED:
        app.add_exception_handler(kind, _expected)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
