"""Lists: stable order, cursor paging that never skips or repeats, totals and Link headers."""

import asyncio
import re
from dataclasses import replace
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from api.database import Database, Reader
from api.models import Statement, table_of
from api.paging import Direction, Listing, PageRequest, PageResult, Walk, fetch_page
from tests.conftest import with_params

LISTS = [
    "/actors",
    "/events",
    "/meetings",
    "/statements",
    "/statements?q=hostages",  # walked in the full-text index's own order, on SQLite
    # Several speakers: on PostgreSQL, a page of each one's statements, merged.
    "/statements?speaker=blinken,netanyahu,hamas",
    "/statements?speaker=blinken,netanyahu,hamas&sort=-date",
    "/statements?speaker=blinken,Antony%20Blinken,netanyahu",  # one actor by two of their names
    "/statements?speaker=blinken,netanyahu,hamas&q=hostages",  # the search's words decide
    "/timeline?actor=blinken,netanyahu&from=2024-06-01",
    "/events?q=gaza",
    "/proposals",
    "/terms",
    "/positions",
    "/timeline",
    "/sources",
]


def _key(item: dict[str, object]) -> object:
    """What identifies an item of any list."""
    if "type" in item:  # a timeline entry
        fact = item[str(item["type"])]
        assert isinstance(fact, dict)
        return (item["type"], fact["slug"])
    return item.get("id", item.get("slug"))


def links(response: httpx.Response) -> dict[str, str]:
    """The `Link` header as {rel: url}."""
    found = re.findall(r'<([^>]+)>; rel="(\w+)"', response.headers.get("link", ""))
    return {rel: url for url, rel in found}


def _walk(client: httpx.Client, path: str, limit: int) -> list[object]:
    seen: list[object] = []
    response = client.get(with_params(path, limit=limit))
    while True:
        assert response.status_code == 200, response.text
        page = response.json()
        seen += [_key(item) for item in page["items"]]
        if page["next_cursor"] is None:
            assert "next" not in links(response)
            return seen
        assert links(response)["next"] == page["next"]
        response = client.get(page["next"])


@pytest.mark.parametrize("path", LISTS)
def test_paging_through_a_list_serves_every_item_once_in_order(
    client: httpx.Client, path: str
) -> None:
    everything = client.get(with_params(path, limit=500)).json()
    assert everything["next_cursor"] is None
    assert everything["total"] == len(everything["items"])
    expected = [_key(item) for item in everything["items"]]

    paged = _walk(client, path, limit=2)

    assert paged == expected
    assert len(set(map(str, paged))) == len(paged)


@pytest.mark.parametrize("path", LISTS)
def test_every_page_reports_the_total_of_the_whole_list(client: httpx.Client, path: str) -> None:
    first = client.get(with_params(path, limit=1)).json()
    everything = client.get(with_params(path, limit=500)).json()
    assert first["total"] == everything["total"]
    assert len(first["items"]) == min(1, everything["total"])


def test_the_last_page_has_no_next_cursor_even_when_it_is_exactly_full(
    client: httpx.Client,
) -> None:
    total = client.get("/statements", params={"limit": 500}).json()["total"]
    page = client.get("/statements", params={"limit": total}).json()
    assert len(page["items"]) == total
    assert page["next_cursor"] is None and page["next"] is None


def test_statements_come_in_date_order_then_id(client: httpx.Client) -> None:
    items = client.get("/statements", params={"limit": 500}).json()["items"]
    keys = [(i["date"]["start"] or "9999", i["id"]) for i in items if i["date"]["start"]]
    assert keys == sorted(keys)


def test_sort_newest_first_reverses_the_order(client: httpx.Client) -> None:
    oldest_first = client.get("/events", params={"limit": 500}).json()["items"]
    newest_first = client.get("/events", params={"limit": 500, "sort": "-date"}).json()["items"]
    assert [e["slug"] for e in newest_first] == [e["slug"] for e in reversed(oldest_first)]


def test_paging_newest_first_never_skips_or_repeats(client: httpx.Client) -> None:
    expected = [
        e["slug"]
        for e in client.get("/events", params={"limit": 500, "sort": "-date"}).json()["items"]
    ]
    seen: list[str] = []
    params: dict[str, str | int] = {"limit": 3, "sort": "-date"}
    while True:
        page = client.get("/events", params=params).json()
        seen += [e["slug"] for e in page["items"]]
        if not page["next_cursor"]:
            break
        params["cursor"] = page["next_cursor"]
    assert seen == expected


def test_a_cursor_is_refused_with_another_sort(client: httpx.Client) -> None:
    cursor = client.get("/events", params={"limit": 1}).json()["next_cursor"]
    response = client.get("/events", params={"limit": 1, "cursor": cursor, "sort": "-date"})
    assert response.status_code == 400
    assert "cursor" in response.json()["detail"]


def test_a_cursor_that_is_not_one_is_refused(client: httpx.Client) -> None:
    response = client.get("/statements", params={"cursor": "not-a-cursor"})
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"


def test_limit_defaults_to_50_and_stops_at_500(client: httpx.Client) -> None:
    assert client.get("/statements").json()["limit"] == 50
    response = client.get("/statements", params={"limit": 501})
    assert response.status_code == 422
    assert "limit" in response.json()["detail"]


@pytest.mark.parametrize("path", LISTS)
def test_prev_pages_back_through_the_list_without_skipping_or_repeating(
    client: httpx.Client, path: str
) -> None:
    everything = [_key(i) for i in client.get(with_params(path, limit=500)).json()["items"]]
    response = client.get(with_params(path, limit=3))
    while response.json()["next"]:  # to the last page
        response = client.get(response.json()["next"])
    backwards: list[object] = []
    while True:
        page = response.json()
        backwards = [_key(item) for item in page["items"]] + backwards
        if not page["prev"]:
            break
        assert links(response)["prev"] == page["prev"]
        response = client.get(page["prev"])
    assert backwards == everything


def test_the_first_page_has_no_prev_and_every_page_links_the_first(client: httpx.Client) -> None:
    first = client.get("/statements", params={"limit": 5, "speaker": "blinken"})
    assert first.json()["prev"] is None and first.json()["prev_cursor"] is None
    second = client.get(first.json()["next"])
    assert second.json()["first"] == first.json()["first"] == links(second)["first"]
    assert client.get(second.json()["prev"]).json()["items"] == first.json()["items"]


@pytest.mark.parametrize(
    ("made_on", "used_on"),
    [
        ("/positions", "/statements"),
        ("/statements?speaker=blinken", "/statements?speaker=netanyahu"),
        ("/statements?speaker=blinken", "/statements"),
        ("/events", "/meetings"),
    ],
)
def test_a_cursor_works_only_on_the_list_and_filters_it_was_made_for(
    client: httpx.Client, made_on: str, used_on: str
) -> None:
    cursor = client.get(f"{made_on}{'&' if '?' in made_on else '?'}limit=1").json()["next_cursor"]
    assert cursor
    response = client.get(f"{used_on}{'&' if '?' in used_on else '?'}limit=1&cursor={cursor}")
    assert response.status_code == 400, response.text
    assert response.json()["type"] == "/problems/invalid-cursor"


def test_a_cursor_survives_a_new_limit_and_the_csv_of_the_same_list(client: httpx.Client) -> None:
    page = client.get("/statements", params={"limit": 2, "speaker": "blinken"}).json()
    again = client.get(
        "/statements", params={"limit": 3, "speaker": "blinken", "cursor": page["next_cursor"]}
    )
    assert again.status_code == 200
    as_csv = client.get(
        "/statements.csv", params={"limit": 3, "speaker": "blinken", "cursor": page["next_cursor"]}
    )
    assert as_csv.status_code == 200


@pytest.mark.parametrize("sort", ["date", "-date"])
@pytest.mark.parametrize("direction", ["next", "prev"])
def test_a_page_is_in_key_order_whatever_order_its_statement_returns_rows_in(
    seeded_database_url: str, sort: str, direction: Direction
) -> None:
    """The page's statement is not ordered around its items' columns (api.paging): fetch_page
    puts its rows in key order, here from a statement that returns them backwards."""
    statements = table_of(Statement)
    walk = Walk(select(statements.c.id), (statements.c.sort_date, statements.c.id))
    backwards = Listing([walk], lambda page: select(page.c.id).order_by(page.c.id.desc()))
    forwards = Listing([walk])
    first = PageRequest("/test", "none", sort, 4, None)

    async def pages() -> tuple[list[Any], list[Any]]:
        database = Database(seeded_database_url)

        async def read(reader: Reader) -> tuple[list[Any], list[Any]]:
            # A cursor from the middle of the list, so that both directions have a full page.
            middle = await fetch_page(reader, forwards, replace(first, limit=8))
            request = replace(first, cursor=first.cursor_to(direction, middle.rows[-1][-2:]))
            found = await fetch_page(reader, backwards, request)
            expected = await fetch_page(reader, forwards, request)
            return [row[0] for row in found.rows], [row[0] for row in expected.rows]

        try:
            return await database.read(read)
        finally:
            await database.aclose()

    found, expected = asyncio.run(pages())
    assert len(found) == 4
    assert found == expected


@pytest.mark.parametrize("last", [False, True])
def test_the_page_after_the_last_item_is_empty_and_still_counts_the_list(
    seeded_database_url: str, last: bool
) -> None:
    """On PostgreSQL such a page is still one statement (its one row carries the total), so
    that a page read alone needs no transaction (`last`)."""
    statements = table_of(Statement)
    listing = Listing([Walk(select(statements.c.id), (statements.c.sort_date, statements.c.id))])
    first = PageRequest("/test", "none", "date", 500, None)

    async def pages() -> tuple[PageResult, PageResult]:
        database = Database(seeded_database_url)
        try:
            everything = await database.read(lambda reader: fetch_page(reader, listing, first))
            past = replace(first, cursor=first.cursor_to("next", everything.rows[-1][-2:]))
            return everything, await database.read(
                lambda reader: fetch_page(reader, listing, past, last=last)
            )
        finally:
            await database.aclose()

    everything, past = asyncio.run(pages())
    assert everything.total > 2
    assert (past.rows, past.total, past.next_cursor) == ([], everything.total, None)
