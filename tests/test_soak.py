"""Load: a bounded soak of the API as it is deployed (`eventdb serve`, a uvicorn process) on the
seeded SQLite database, over loopback, with many concurrent connections and a mix of endpoints,
filters, pages, CSV, 304s and errors.

Promise: zero errors (no 5xx, no timeout, every answer the status its request calls for); no
worker restarted; a connection closed as a request went out on it (HTTP/1.1 keep-alive's race,
which clients answer by asking again) is retried once and counted, at most one per thousand
requests; and a resident memory of the server and its workers that does not keep growing (the
last third of the run is compared with the middle third; the first third is warm-up).

The CI run takes EVENTDB_SOAK_SECONDS (20 by default) at EVENTDB_SOAK_CONNECTIONS (64). The
longer run, which prints its figures:

    EVENTDB_SOAK_SECONDS=60 .venv/bin/pytest -s tests/test_soak.py

The server's response cache is off (EVENTDB_CACHE_SECONDS=0), so every request goes through the
database: the soak is about the query path, not about answering from memory.
"""

import asyncio
import os
import random
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx
import pytest

from tests.conftest import DeployedServer, children, status_field

SECONDS = float(os.environ.get("EVENTDB_SOAK_SECONDS", "20"))
CONNECTIONS = int(os.environ.get("EVENTDB_SOAK_CONNECTIONS", "64"))
# Growth allowed from the middle third of the run to the last one.
RSS_TOLERANCE = 0.10
RSS_TOLERANCE_KB = 6 * 1024

# (path, params, expected status): what a mixed crowd of clients asks.
LISTS = ["/actors", "/events", "/meetings", "/statements", "/proposals", "/terms", "/positions"]
LISTS += ["/timeline", "/sources"]
REQUESTS: list[tuple[str, dict[str, str], int]] = [
    *((path, {}, 200) for path in LISTS),
    ("/statements", {"speaker": "blinken", "from": "2024-06-10", "to": "2024-06-10"}, 200),
    ("/statements", {"q": "written guarantee"}, 200),
    ("/statements", {"q": '"permanent cease-fire"', "sort": "-date"}, 200),
    ("/statements.csv", {"anonymous": "true"}, 200),
    ("/positions", {"term": "permanent-ceasefire"}, 200),
    ("/positions", {"actor": "hamas", "stance": "demands"}, 200),
    ("/terms", {"proposal": "gaza-ceasefire-proposal", "phase": "1"}, 200),
    ("/meetings", {"location": "cairo"}, 200),
    ("/events", {"actor": "El-Sisi", "q": "meeting"}, 200),
    ("/timeline", {"actor": "netanyahu", "limit": "5"}, 200),
    ("/actors", {"q": "sisi"}, 200),
    ("/actors/antony-blinken", {}, 200),
    ("/events/blinken-meets-sisi", {}, 200),
    ("/statements/blinken-urges-world-leaders", {}, 200),
    ("/proposals/gaza-ceasefire-proposal", {}, 200),
    ("/sources/wapo-2024-06-10-blinken", {}, 200),
    ("/readyz", {}, 200),
    ("/actors/nobody", {}, 404),
    ("/statements", {"speaker": "blinkn"}, 422),
    ("/statements", {"speakr": "blinken"}, 400),
    ("/statements", {"speaker": "' OR 1=1 --"}, 422),
]


def rss_kb(pid: int) -> int:
    """The resident memory of a server: its process and its worker processes."""
    return sum(int(status_field(one, "VmRSS") or 0) for one in [pid, *children(pid)])


@dataclass
class Run:
    statuses: Counter[int] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    rss: list[tuple[float, int]] = field(default_factory=list)
    answers_per_client: Counter[int] = field(default_factory=Counter)
    retried: int = 0
    log_from: int = 0  # where the server's log stood when the soak began (it is shared)


async def _client(http: httpx.AsyncClient, run: Run, stop: float, number: int) -> None:
    rng = random.Random(number)
    etags: dict[str, str] = {}
    while time.monotonic() < stop:
        path, params, expected = rng.choice(REQUESTS)
        params = dict(params)
        if expected == 200 and path in LISTS and rng.random() < 0.5:
            params["limit"] = str(rng.randint(1, 500))  # many different pages
        key = f"{path}?{sorted(params.items())}"
        headers = {"If-None-Match": etags[key]} if key in etags and rng.random() < 0.3 else {}
        started = time.monotonic()
        try:
            try:
                response = await http.get(path, params=params, headers=headers)
            except (httpx.ReadError, httpx.RemoteProtocolError):
                # The server closed the kept-alive connection as the request went out: the race
                # of HTTP/1.1 keep-alive, which clients answer by asking again, once.
                run.retried += 1
                response = await http.get(path, params=params, headers=headers)
        except httpx.HTTPError as error:
            run.errors.append(f"{path} {params}: {type(error).__name__} {error}")
            continue
        run.latencies.append(time.monotonic() - started)
        run.answers_per_client[number] += 1
        run.statuses[response.status_code] += 1
        wanted = {304, 200} if headers else {expected}
        if response.status_code not in wanted:
            run.errors.append(f"{path} {params}: {response.status_code} {response.text[:200]}")
        if "etag" in response.headers:
            etags[key] = response.headers["etag"]


async def _sample_rss(pid: int, run: Run, stop: float) -> None:
    while time.monotonic() < stop:
        run.rss.append((time.monotonic(), rss_kb(pid)))
        await asyncio.sleep(0.25)


async def _soak(server: DeployedServer) -> Run:
    run = Run()
    stop = time.monotonic() + SECONDS
    # Idle connections are dropped after 2 s, before uvicorn's keep-alive timeout (5 s) closes
    # them: otherwise a request sent on a connection just as the server closes it fails, the
    # race of HTTP/1.1 keep-alive that a browser retries and this count would call an error.
    limits = httpx.Limits(
        max_connections=CONNECTIONS, max_keepalive_connections=CONNECTIONS, keepalive_expiry=2
    )
    async with httpx.AsyncClient(base_url=server.url, limits=limits, timeout=10) as http:
        await asyncio.gather(
            _sample_rss(server.process.pid, run, stop),
            *(_client(http, run, stop, number) for number in range(CONNECTIONS)),
        )
    return run


@pytest.fixture(scope="module")
def soak(deployed: DeployedServer) -> Run:
    log_from = deployed.log.stat().st_size
    run = asyncio.run(_soak(deployed))
    run.log_from = log_from
    requests = sum(run.statuses.values())
    middle, last = thirds(run)
    print(
        f"\nsoak: {SECONDS:g} s at {CONNECTIONS} connections: {requests} requests "
        f"({requests / SECONDS:.0f}/s), {len(run.errors)} errors, {run.retried} retried, "
        f"statuses {dict(run.statuses)}; "
        f"latency p50 {statistics.median(run.latencies) * 1000:.0f} ms, "
        f"p99 {statistics.quantiles(run.latencies, n=100)[98] * 1000:.0f} ms; RSS (MB) "
        f"start {run.rss[0][1] / 1024:.1f}, middle third {middle / 1024:.1f}, "
        f"last third {last / 1024:.1f}, end {run.rss[-1][1] / 1024:.1f}"
    )
    return run


def thirds(run: Run) -> tuple[float, float]:
    """Mean RSS (kB) over the middle third of the run and over the last third."""
    samples = [kb for _, kb in run.rss]
    n = len(samples)
    return statistics.mean(samples[n // 3 : 2 * n // 3]), statistics.mean(samples[2 * n // 3 :])


def logged_during(soak: Run, deployed: DeployedServer) -> str:
    """What the server logged from the soak's start on."""
    return deployed.log.read_bytes()[soak.log_from :].decode()


def test_every_client_of_the_soak_got_answers_of_every_kind(soak: Run) -> None:
    assert len(soak.answers_per_client) == CONNECTIONS
    assert min(soak.answers_per_client.values()) >= SECONDS / 10  # none starved or stuck
    assert {200, 304, 400, 404, 422} <= set(soak.statuses)


def test_under_load_every_request_gets_the_answer_it_calls_for(soak: Run) -> None:
    assert soak.errors == []
    assert not [status for status in soak.statuses if status >= 500]


def test_under_load_a_dropped_connection_is_rare_and_no_worker_restarts(
    soak: Run, deployed: DeployedServer
) -> None:
    assert soak.retried <= sum(soak.statuses.values()) / 1000
    # A worker that stops answering uvicorn's health check is killed and started again.
    logged = logged_during(soak, deployed)
    assert "Started server process" not in logged, logged[-2000:]


def test_under_load_the_server_memory_does_not_keep_growing(soak: Run) -> None:
    assert len(soak.rss) >= 12
    middle, last = thirds(soak)
    assert last <= middle * (1 + RSS_TOLERANCE) or last - middle <= RSS_TOLERANCE_KB, (
        f"RSS grew from {middle / 1024:.1f} MB to {last / 1024:.1f} MB"
    )


def test_after_the_load_the_server_answers_and_logged_no_error(
    soak: Run, deployed: DeployedServer
) -> None:
    assert httpx.get(f"{deployed.url}/readyz").status_code == 200
    logged = logged_during(soak, deployed)
    assert "Traceback" not in logged and "ERROR" not in logged
