"""The server reuses a whole GET answer for as long as Cache-Control lets clients reuse it."""

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from api.settings import Settings
from tests.conftest import LiveServer


class Server:
    def __init__(self, client: httpx.Client, live: LiveServer) -> None:
        self.client = client
        self.statements = 0
        live.app.state.database.listeners.append(self._count)

    def _count(self, *_: Any) -> None:
        self.statements += 1

    def queries_for(self, path: str, **headers: str) -> tuple[int, httpx.Response]:
        """How many SQL statements one request runs, and its response."""
        before = self.statements
        response = self.client.get(path, headers=headers)
        return self.statements - before, response


def serve(url: str, seconds: float) -> Iterator[Server]:
    with (
        LiveServer(Settings(database_url=url, cache_seconds=seconds)) as live,
        httpx.Client(base_url=live.url, timeout=10) as client,
    ):
        yield Server(client, live)


@pytest.fixture(scope="module")
def cached(seeded_database_url: str) -> Iterator[Server]:
    yield from serve(seeded_database_url, 60)


def test_a_repeated_question_is_answered_without_the_database(cached: Server) -> None:
    first_cost, first = cached.queries_for("/statements?speaker=blinken&limit=3")
    again_cost, again = cached.queries_for("/statements?speaker=blinken&limit=3")
    assert first_cost > 0
    assert again_cost == 0
    assert again.content == first.content
    assert again.headers["etag"] == first.headers["etag"]


def test_each_format_and_query_is_kept_apart(cached: Server) -> None:
    cached.queries_for("/statements?speaker=hamas")
    csv_cost, csv = cached.queries_for("/statements.csv?speaker=hamas")
    other_cost, _ = cached.queries_for("/statements?speaker=hamas&limit=2")
    assert csv_cost > 0 and csv.headers["content-type"].startswith("text/csv")
    assert other_cost > 0


def test_a_cached_answer_still_answers_304_to_its_etag(cached: Server) -> None:
    _, first = cached.queries_for("/actors/hamas")
    cost, again = cached.queries_for("/actors/hamas", **{"if-none-match": first.headers["etag"]})
    assert cost == 0
    assert again.status_code == 304


def test_a_cached_answer_still_gets_cors_and_security_headers(cached: Server) -> None:
    cached.queries_for("/proposals")
    cost, again = cached.queries_for("/proposals", origin="https://example.org")
    assert cost == 0
    assert again.headers["access-control-allow-origin"] in ("*", "https://example.org")
    assert again.headers["x-content-type-options"] == "nosniff"


def test_a_cached_page_does_not_repeat_the_time_the_first_answer_took(cached: Server) -> None:
    first_cost, first = cached.queries_for("/read/timeline")
    again_cost, again = cached.queries_for("/read/timeline")
    assert first_cost > 0 and "server-timing" in first.headers
    assert again_cost == 0 and "server-timing" not in again.headers


def test_health_checks_always_ask_the_database(cached: Server) -> None:
    cached.queries_for("/readyz")
    cost, response = cached.queries_for("/readyz")
    assert cost > 0
    assert response.headers["cache-control"] == "no-store"


def test_errors_are_not_kept(cached: Server) -> None:
    cached.queries_for("/statements?speaker=nobody-at-all")
    cost, response = cached.queries_for("/statements?speaker=nobody-at-all")
    assert response.status_code == 422
    assert cost > 0


def test_an_answer_expires_after_the_configured_seconds(seeded_database_url: str) -> None:
    for server in serve(seeded_database_url, 0.3):
        server.queries_for("/events")
        assert server.queries_for("/events")[0] == 0
        time.sleep(0.4)
        assert server.queries_for("/events")[0] > 0


def test_cache_seconds_zero_turns_the_cache_off(seeded_database_url: str) -> None:
    for server in serve(seeded_database_url, 0):
        server.queries_for("/events")
        assert server.queries_for("/events")[0] > 0


def test_a_client_s_host_header_never_reaches_another_client_s_links(cached: Server) -> None:
    cached.client.get("/statements?limit=1", headers={"host": "evil.example"})
    _, plain = cached.queries_for("/statements?limit=1")
    assert "evil.example" not in plain.headers["link"]
    assert "evil.example" not in plain.json()["next"]


def test_a_proxy_s_scheme_never_reaches_another_client_s_links(cached: Server) -> None:
    """uvicorn takes X-Forwarded-Proto from a proxy on 127.0.0.1: the answer's links say https,
    and the cache keeps that answer apart from the plain one."""
    secure = cached.client.get("/statements?limit=2", headers={"X-Forwarded-Proto": "https"})
    assert secure.json()["next"].startswith("https://")
    _, plain = cached.queries_for("/statements?limit=2")
    assert plain.json()["next"].startswith("http://")
    assert "https://" not in plain.headers["link"]


def test_allowed_hosts_refuse_another_host_with_400_problem_json(seeded_database_url: str) -> None:
    settings = Settings(
        database_url=seeded_database_url, allowed_hosts=["127.0.0.1", "*.example.org"]
    )
    with (
        LiveServer(settings) as live,
        httpx.Client(base_url=live.url, timeout=10) as client,
    ):
        refused = client.get("/statements?limit=1", headers={"host": "evil.example"})
        assert refused.status_code == 400
        assert refused.json()["type"] == "/problems/host-not-allowed"
        assert refused.headers["x-content-type-options"] == "nosniff"
        assert (
            client.get("/statements?limit=1", headers={"host": "api.example.org"}).status_code
            == 200
        )
        assert client.get("/statements?limit=1").status_code == 200
