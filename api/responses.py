"""Documents into HTTP responses: JSON or CSV, with ETag, Cache-Control and Link.

An ETag is a hash of the body, so every worker process gives the same answer the same ETag and a
client's `If-None-Match` is answered 304 whichever worker it reaches. It is weak (`W/"…"`): the
same answer sent gzipped is another series of bytes with the same meaning.
"""

import csv
import io
from collections.abc import Sequence
from typing import Any

import orjson
import xxhash
from fastapi import Request, Response
from starlette.datastructures import URL

from api.documents import Document
from api.paging import PageRequest, PageResult
from api.queries.common import Item, StoredDocument, nested_list, written

CACHE_CONTROL = "public, max-age=60"
# Characters that make a spreadsheet read a cell as a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Excel reads a CSV file as UTF-8 (curly quotes, accents) only when it starts with a BOM.
BOM = "\ufeff"


def etag_matches(etag: str, if_none_match: str) -> bool:
    """`If-None-Match` by weak comparison (RFC 9110, 13.1.2): `W/` aside, the same tag."""
    if if_none_match.strip() == "*":
        return True
    return etag.removeprefix("W/") in {
        tag.strip().removeprefix("W/") for tag in if_none_match.split(",")
    }


def page_urls(url: URL, next_cursor: str | None, prev_cursor: str | None) -> dict[str, str | None]:
    """The URLs of the next, previous and first pages of the list at `url`."""
    url = url.remove_query_params("cursor")
    first = str(url)
    # A cursor is URL-safe base64 (api.paging.Cursor): it ends the query as it is, where
    # `include_query_params` would put it, without the query parsed and encoded again.
    then = first + ("&" if url.query else "?") + "cursor="
    return {
        "next": then + next_cursor if next_cursor else None,
        "prev": then + prev_cursor if prev_cursor else None,
        "first": first,
    }


def _links(request: Request, result: PageResult) -> tuple[dict[str, str | None], dict[str, str]]:
    """The URLs of the next, previous and first pages, and the `Link` header that lists them."""
    links = page_urls(request.url, result.next_cursor, result.prev_cursor)
    header = ", ".join(f'<{target}>; rel="{rel}"' for rel, target in links.items() if target)
    return links, {"Link": header}


def page_response(
    request: Request,
    page: PageRequest,
    result: PageResult,
    items: Sequence[Item],
    facets: dict[str, Any] | None = None,
) -> Response:
    links, headers = _links(request, result)
    body = {
        "total": result.total,
        "total_exact": result.total_exact,
        "limit": page.limit,
        "next_cursor": result.next_cursor,
        "prev_cursor": result.prev_cursor,
        **links,
        **({"facets": facets} if facets is not None else {}),  # lists that take `facets=`
        "items": _items(items),
    }
    return _respond(request, _json(body), "application/json", headers)


def _items(items: Sequence[Item]) -> Sequence[Item] | orjson.Fragment:
    """A page's items as they are written: stored ones copied, not parsed (StoredDocument)."""
    stored = [item for item in items if isinstance(item, StoredDocument)]
    if not stored:
        return items
    # orjson would write a StoredDocument as {"json": …}: a page is all of one kind.
    assert len(stored) == len(items), "a page mixes stored and built documents"
    return nested_list(stored, 1)


def csv_response(request: Request, result: PageResult, items: list[Document]) -> Response:
    _, headers = _links(request, result)
    return _respond(request, _csv(items), "text/csv; charset=utf-8", headers)


def document_response(
    request: Request, document: Document | StoredDocument, cache_control: str = CACHE_CONTROL
) -> Response:
    body = (
        document.at(0).encode() + b"\n" if isinstance(document, StoredDocument) else _json(document)
    )
    return _respond(request, body, "application/json", cache_control=cache_control)


def _json(document: Any) -> bytes:
    return written(document) + b"\n"


def _respond(
    request: Request,
    body: bytes,
    media_type: str,
    headers: dict[str, str] | None = None,
    cache_control: str = CACHE_CONTROL,
) -> Response:
    headers = {**(headers or {}), "Cache-Control": cache_control}
    if media_type.startswith("text/csv"):
        name = request.url.path.strip("/").replace("/", "-") or "eventdb.csv"
        headers["Content-Disposition"] = f'attachment; filename="{name}"'
    # The body's 128-bit xxHash: SHA-256 of a page took 28 µs per 50 KB (4% of a worker's time
    # under the benchmark's mix), xxh3 under 1 µs; an ETag needs no protection from forgery.
    etag = 'W/"' + xxhash.xxh3_128_hexdigest(body) + '"'
    headers["ETag"] = etag
    if etag_matches(etag, request.headers.get("if-none-match", "")):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=media_type, headers=headers)


# CSV ---------------------------------------------------------------------------------------


def flatten(value: Any, prefix: str = "") -> dict[str, str]:
    """One spreadsheet row from a document: nested fields as `speaker.slug`, lists joined with
    "; ", booleans `true`/`false`, null as an empty cell."""
    row: dict[str, str] = {}
    if isinstance(value, dict):
        for key, item in value.items():
            row.update(flatten(item, f"{prefix}.{key}" if prefix else key))
    elif isinstance(value, list):
        row[prefix] = "; ".join(_summary(item) for item in value)
    elif isinstance(value, bool):
        row[prefix] = "true" if value else "false"
    else:
        row[prefix] = "" if value is None else str(value)
    return row


def _summary(item: Any) -> str:
    """One cell for an element of a list: a participant as "slug (role)", an alias by name…"""
    if not isinstance(item, dict):
        return str(item)
    if "actor" in item and "role" in item:
        return f"{item['actor']['slug']} ({item['role']})"
    for key in ("slug", "name", "title"):
        if key in item:
            return str(item[key])
    return orjson.dumps(item).decode()


def neutralize(cell: str) -> str:
    """A cell a spreadsheet would run as a formula, made text by a leading apostrophe (OWASP)."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def _csv(items: list[Document]) -> bytes:
    rows = [flatten(item) for item in items]
    seen = list(dict.fromkeys(column for row in rows for column in row))
    # A null object (a term with no phase) flattens to one blank cell; keep its sub-columns only.
    columns = [c for c in seen if not any(other.startswith(c + ".") for other in seen)]
    out = io.StringIO()
    out.write(BOM)
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\r\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows({key: neutralize(cell) for key, cell in row.items()} for row in rows)
    return out.getvalue().encode("utf-8")
