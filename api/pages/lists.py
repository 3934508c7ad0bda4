"""Reading the API's lists from a page: one page of a list as the API would answer it (same
filters, same cursors), or every item of a list (for a source page, which shows all its facts).

A page builds the same `PageRequest` as the API's route for the same question: the list's API
path, the fingerprint of the API's query, the sort and the limit. So a cursor of a page works
in the API's URL shown on it, and the other way round.
"""

from dataclasses import dataclass
from typing import Any

from api.database import Reader
from api.documents import Document
from api.pages.render import ApiCall, QueryItems, with_query
from api.paging import MAX_LIMIT, PageRequest, PageResult, filters_fingerprint
from api.queries.facets import PageRead

# A source page reads every fact of its source; past this many pages of 500 it stops (and
# says so), so that no page reads without end.
MAX_PAGES = 20


def page_request(
    api_path: str,
    query: QueryItems,
    *,
    sort: str = "date",
    limit: int = MAX_LIMIT,
    cursor: str | None,
) -> PageRequest:
    return PageRequest(api_path, filters_fingerprint(query), sort, limit, cursor)


@dataclass
class Everything:
    """Every item of a list, and the API request for its first page."""

    items: list[Document]
    call: ApiCall
    complete: bool


async def every_item(
    reader: Reader,
    read: PageRead,
    filters: Any,
    api_path: str,
    query: QueryItems,
    *,
    sort: str = "date",
    label: str = "",
) -> Everything:
    """Every item of the list `api_path?query`, page after page (500 a page)."""
    items: list[Document] = []
    cursor: str | None = None
    for _ in range(MAX_PAGES):
        page = page_request(api_path, query, sort=sort, cursor=cursor)
        answer = await read(reader, filters, page, (), last=False)
        items += answer.documents()
        cursor = answer.result.next_cursor
        if cursor is None:
            break
    call = ApiCall(api_path, (*query, ("limit", str(MAX_LIMIT))), label)
    return Everything(items, call, cursor is None)


def page_links(path: str, query: QueryItems, result: PageResult) -> dict[str, str | None]:
    """The page's own links to the next, previous and first pages (the API's cursors)."""
    kept = [(name, value) for name, value in query if name != "cursor"]
    return {
        "next": with_query(path, [*kept, ("cursor", result.next_cursor)])
        if result.next_cursor
        else None,
        "prev": with_query(path, [*kept, ("cursor", result.prev_cursor)])
        if result.prev_cursor
        else None,
        "first": with_query(path, kept),
    }
