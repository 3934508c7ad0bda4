"""Turning a schema into an HTTP response: JSON or CSV, with ETag, Cache-Control and Link."""

import csv
import hashlib
import io
from collections.abc import Callable
from enum import StrEnum
from typing import Any

import orjson
from fastapi import Request, Response
from pydantic import BaseModel

from api.pagination import PageResult
from api.schemas import Page

CACHE_CONTROL = "public, max-age=60"


class OutputFormat(StrEnum):
    json = "json"
    csv = "csv"


CSV_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {
            "text/csv": {
                "schema": {"type": "string"},
                "example": "slug,name,kind\nantony-blinken,Antony Blinken,person\n",
            }
        },
        "description": "JSON by default; CSV (one row per item, nested fields flattened with "
        "dots) with `format=csv` or `Accept: text/csv`.",
    }
}


def wants_csv(request: Request, output_format: OutputFormat | None) -> bool:
    if output_format is not None:
        return output_format is OutputFormat.csv
    accept = request.headers.get("accept", "")
    return "text/csv" in accept and "application/json" not in accept


def render(
    request: Request,
    payload: BaseModel,
    output_format: OutputFormat | None,
    cache_control: str = CACHE_CONTROL,
) -> Response:
    headers = {"Cache-Control": cache_control, "Vary": "Accept"}
    if isinstance(payload, Page) and payload.next_cursor:
        next_url = request.url.include_query_params(cursor=payload.next_cursor)
        headers["Link"] = f'<{next_url}>; rel="next"'
    data = payload.model_dump(mode="json")
    if wants_csv(request, output_format):
        rows = data["items"] if isinstance(payload, Page) else [data]
        body, media_type = _csv(rows).encode("utf-8"), "text/csv; charset=utf-8"
        name = request.url.path.strip("/").replace("/", "-") or "eventdb"
        headers["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    else:
        if isinstance(payload, Page):
            data["next"] = (
                str(request.url.include_query_params(cursor=payload.next_cursor))
                if payload.next_cursor
                else None
            )
        body = orjson.dumps(data, option=orjson.OPT_INDENT_2) + b"\n"
        media_type = "application/json"
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers["ETag"] = etag
    if_none_match = request.headers.get("if-none-match", "")
    if etag in if_none_match or if_none_match.strip() == "*":
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=media_type, headers=headers)


def render_page(
    request: Request,
    result: PageResult[Any],
    limit: int,
    convert: Callable[[Any], BaseModel],
    output_format: OutputFormat | None,
) -> Response:
    page = Page[Any](
        total=result.total,
        total_exact=result.total_exact,
        limit=limit,
        next_cursor=result.next_cursor,
        items=[convert(item) for item in result.items],
    )
    return render(request, page, output_format)


def _flatten(value: Any, prefix: str, row: dict[str, str]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _flatten(item, f"{prefix}.{key}" if prefix else key, row)
    elif isinstance(value, list):
        row[prefix] = "; ".join(_summary(item) for item in value)
    elif isinstance(value, bool):
        row[prefix] = "true" if value else "false"
    else:
        row[prefix] = "" if value is None else str(value)


def _summary(item: Any) -> str:
    """One cell for an element of a list: a participant as "slug (role)", an alias by name…"""
    if not isinstance(item, dict):
        return str(item)
    if "actor" in item and "role" in item:
        return f"{item['actor']['slug']} ({item['role']})"
    for key in ("slug", "name", "label"):
        if key in item:
            return str(item[key])
    return orjson.dumps(item).decode()


def _csv(items: list[dict[str, Any]]) -> str:
    rows = []
    for item in items:
        row: dict[str, str] = {}
        _flatten(item, "", row)
        rows.append(row)
    seen = list(dict.fromkeys(column for row in rows for column in row))
    # A null object (a term with no phase) flattens to one blank cell; keep its sub-columns only.
    columns = [c for c in seen if not any(other.startswith(c + ".") for other in seen)]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\r\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()
