"""The one error format: RFC 9457 problem+json, with a sentence a person can read.

Every error the API can answer goes through here: our own `Problem`s, FastAPI's validation
errors, Starlette's 404/405, database outages (503) and anything unexpected (500, with no
stack trace or SQL in the body: those go to the log).
"""

import logging
from typing import Any

import orjson
import psycopg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field
from sqlalchemy.exc import DataError, DBAPIError, OperationalError, ProgrammingError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from api.headers import SECURITY_HEADERS

logger = logging.getLogger("eventdb")

PROBLEM_MEDIA_TYPE = "application/problem+json"


class ProblemBody(BaseModel):
    """An RFC 9457 problem: `title` names the kind of error, `detail` says what to change."""

    type: str = Field("about:blank", examples=["about:blank"])
    title: str = Field(examples=["Unknown query parameter"])
    status: int = Field(examples=[400])
    detail: str = Field(
        examples=["speakr is not a parameter of /statements. It takes: speaker, from, to, q."]
    )
    instance: str | None = Field(None, examples=["/statements?speakr=blinken"])
    errors: list[dict[str, Any]] | None = Field(
        None, description="For a validation error: each parameter that was refused, and why."
    )
    suggestions: list[str] | None = Field(
        None, description="For an unknown actor: the closest actor slugs.", examples=[["el-sisi"]]
    )


def _problem_response_doc(description: str) -> dict[str, Any]:
    return {
        "model": ProblemBody,
        "description": description,
        "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/ProblemBody"}}},
    }


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _problem_response_doc("A query parameter the endpoint does not take, or a bad cursor."),
    422: _problem_response_doc("A parameter value that is invalid, or names nothing."),
    503: _problem_response_doc("The database is not answering; retry after a few seconds."),
}
NOT_FOUND_RESPONSE: dict[int | str, dict[str, Any]] = {
    404: _problem_response_doc("No item has that slug or id."),
}


class Problem(Exception):
    def __init__(self, status: int, title: str, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.status = status
        self.title = title
        self.detail = detail
        self.extra = extra


def problem_response(
    request: Request, status: int, title: str, detail: str, **extra: Any
) -> Response:
    body = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": str(request.url.path) + (f"?{request.url.query}" if request.url.query else ""),
        **{key: value for key, value in extra.items() if value is not None},
    }
    return Response(
        orjson.dumps(body, option=orjson.OPT_INDENT_2) + b"\n",
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
    )


def _describe(error: dict[str, Any]) -> str:
    name = str(error["loc"][-1]) if error.get("loc") else "request"
    value = error.get("input")
    if error["type"].startswith(("date_", "datetime_")):
        return f"{name}={value} is not a date: write it as YYYY-MM-DD, e.g. 2024-06-10."
    if error["type"] == "missing":
        return f"{name} is required."
    shown = f"{name}={value}" if isinstance(value, str | int | float) else name
    return f"{shown}: {error['msg']}."


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    messages = [_describe(error) for error in exc.errors()]
    errors = [
        {"parameter": str(e["loc"][-1]) if e.get("loc") else None, "message": message}
        for e, message in zip(exc.errors(), messages, strict=True)
    ]
    detail = " ".join(messages)
    return problem_response(request, 422, "Invalid parameter", detail, errors=errors)


async def _problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Problem)
    return problem_response(request, exc.status, exc.title, exc.detail, **exc.extra)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 404:
        detail = f"There is nothing at {request.url.path}. See /docs for the endpoints."
        return problem_response(request, 404, "Not found", detail)
    if exc.status_code == 405:
        detail = f"{request.method} is not allowed here: this API is read-only (GET only)."
        response = problem_response(request, 405, "Method not allowed", detail)
    else:
        response = problem_response(request, exc.status_code, str(exc.detail), str(exc.detail))
    # Keep the headers the exception carries: a 405 must say which methods are allowed (`Allow`).
    response.headers.update(exc.headers or {})
    return response


async def _database_unavailable(request: Request, exc: Exception) -> Response:
    logger.error("database unavailable: %s", exc)
    detail = "The database is not answering. Try again in a few seconds."
    response = problem_response(request, 503, "Service unavailable", detail)
    response.headers["Retry-After"] = "5"
    return response


async def _schema_missing(request: Request, exc: Exception) -> Response:
    """PostgreSQL without the tables (never migrated) is as unready as SQLite without them, which
    raises OperationalError: both answer 503. Any other programming error is a bug: 500."""
    assert isinstance(exc, ProgrammingError)
    if isinstance(exc.orig, psycopg.errors.UndefinedTable | psycopg.errors.UndefinedColumn):
        return await _database_unavailable(request, exc)
    return await _unexpected(request, exc)


async def _value_out_of_range(request: Request, exc: Exception) -> Response:
    """A value of the request is out of range (a number past the database's integers, as in a
    forged cursor, or a date at the edge of the calendar): the API only reads, so the value can
    only have come from the request."""
    logger.warning("value out of range on %s: %s", request.url.path, exc)
    detail = "A value in the request is out of range: check its numbers and dates."
    return problem_response(request, 422, "Invalid parameter", detail)


async def _unexpected(request: Request, exc: Exception) -> Response:
    logger.exception("unexpected error on %s", request.url.path, exc_info=exc)
    detail = "Something went wrong on our side. It has been logged; please try again later."
    response = problem_response(request, 500, "Internal server error", detail)
    # Starlette answers an unhandled exception outside every middleware: add the headers here.
    response.headers.update({name.decode(): value.decode() for name, value in SECURITY_HEADERS})
    return response


def _document_errors_as_problem_json_only(app: FastAPI) -> None:
    """FastAPI documents a response `model` under application/json too, but an error is only
    ever answered as problem+json: drop the application/json alternative from the schema."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        schema = generate()
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                for response in operation.get("responses", {}).values():
                    content = response.get("content", {})
                    if PROBLEM_MEDIA_TYPE in content:
                        content.pop("application/json", None)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def install_error_handlers(app: FastAPI) -> None:
    _document_errors_as_problem_json_only(app)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Problem, _problem)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(OperationalError, _database_unavailable)
    app.add_exception_handler(PoolTimeoutError, _database_unavailable)
    app.add_exception_handler(DataError, _value_out_of_range)  # PostgreSQL
    app.add_exception_handler(OverflowError, _value_out_of_range)  # SQLite's integers
    app.add_exception_handler(ProgrammingError, _schema_missing)
    app.add_exception_handler(DBAPIError, _unexpected)
    app.add_exception_handler(Exception, _unexpected)
