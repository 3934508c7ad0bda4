"""`/problems/{kind}`: what each `type` of error means (the `type` of every problem+json)."""

import html

from fastapi import APIRouter, Response

from api.errors import PROBLEM_TYPES, NotFound

router = APIRouter(include_in_schema=False)
_BY_KIND = {problem.kind: problem for problem in PROBLEM_TYPES}


@router.get("/problems/{kind}")
async def problem_type(kind: str) -> Response:
    problem = _BY_KIND.get(kind)
    if problem is None:
        raise NotFound(f"No problem type is called {kind!r}. See /problems/ for them all.")
    page = (
        "<!doctype html><html lang=en><meta charset=utf-8>"
        f"<title>{html.escape(problem.title)}</title>"
        f"<h1>{html.escape(problem.title)} ({problem.status})</h1>"
        f"<p><code>type: {html.escape(problem.type_uri())}</code></p>"
        f"<p>{html.escape(problem.explanation)}</p>"
        "<p><a href=/problems/>Every problem type</a> · <a href=/docs>API documentation</a></p>"
    )
    return Response(page, media_type="text/html; charset=utf-8")


@router.get("/problems/")
async def problem_types() -> Response:
    items = "".join(
        f"<li><a href={html.escape(p.type_uri())}><code>{html.escape(p.type_uri())}</code></a> "
        f"{p.status} {html.escape(p.title)}"
        for p in PROBLEM_TYPES
    )
    page = (
        "<!doctype html><html lang=en><meta charset=utf-8><title>Problem types</title>"
        f"<h1>Problem types</h1><ul>{items}</ul>"
    )
    return Response(page, media_type="text/html; charset=utf-8")
