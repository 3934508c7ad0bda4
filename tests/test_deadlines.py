"""A request deadline: no query runs longer than EVENTDB_STATEMENT_TIMEOUT, and one slow request
never holds the others.

The slow query is a real one: the data it reads is locked by another connection, as a long
write or an administrator's LOCK TABLE would hold it (PostgreSQL: LOCK TABLE statements; SQLite:
a writer in exclusive locking mode, which keeps every reader out of the file). The requests that
need it wait, up to the deadline; meanwhile every other request answers as usual: on PostgreSQL
each request waits on its own connection, on SQLite a statement that cannot run at once leaves
the event loop for a worker thread.
"""

import sqlite3
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import httpx
import pytest
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from api.database import POOL_SIZE, create_db_engine
from api.loader import load, seed_files
from api.schema_version import upgrade
from api.settings import PROJECT_ROOT, Settings
from tests.conftest import LiveServer


@pytest.fixture
def seeded(database_url: str) -> Iterator[str]:
    engine = create_db_engine(database_url)
    upgrade(engine)
    load(engine, seed_files(PROJECT_ROOT / "seed"))
    engine.dispose()
    yield database_url


@contextmanager
def statements_locked(database_url: str) -> Iterator[None]:
    """Another connection holds a lock that keeps readers of the statements out."""
    engine: Engine = create_db_engine(database_url)
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.exec_driver_sql("LOCK TABLE statements IN ACCESS EXCLUSIVE MODE")
            try:
                yield
            finally:
                connection.rollback()
        engine.dispose()
        return
    engine.dispose()
    writer = sqlite3.connect(make_url(database_url).database or "", isolation_level=None)
    writer.execute("PRAGMA locking_mode = EXCLUSIVE")
    writer.execute("BEGIN EXCLUSIVE")
    writer.execute("UPDATE statements SET cue = cue")
    try:
        yield
    finally:
        writer.execute("ROLLBACK")
        writer.close()  # exclusive locking mode lets go of the file only when it closes


def timed_get(client: httpx.Client, path: str) -> tuple[float, httpx.Response]:
    started = time.monotonic()
    response = client.get(path)
    return time.monotonic() - started, response


def test_a_query_past_the_deadline_answers_503_and_the_server_goes_on(seeded: str) -> None:
    settings = Settings(database_url=seeded, statement_timeout=1.0, cache_seconds=0)
    with (
        LiveServer(settings) as server,
        httpx.Client(base_url=server.url, timeout=30) as client,
    ):
        with statements_locked(seeded):
            took, response = timed_get(client, "/statements?speaker=blinken")
        assert response.status_code == 503, response.text
        assert response.json()["type"] == "/problems/query-too-slow"
        assert response.headers["retry-after"] == "5"
        assert 0.9 <= took < 4, took
        print(f"\n{make_url(seeded).get_backend_name()}: 503 after {took:.2f} s at a 1 s deadline")
        assert client.get("/statements?speaker=blinken").status_code == 200


def test_requests_waiting_on_a_lock_do_not_hold_the_others(seeded: str) -> None:
    """Three requests wait on the locked statements; meanwhile other requests answer in their
    usual time (PostgreSQL: other data; SQLite, whose lock covers the whole file: the requests
    that need no data, which a blocked event loop would hold too). When the lock goes, the
    waiting requests answer 200."""
    backend = make_url(seeded).get_backend_name()
    settings = Settings(database_url=seeded, statement_timeout=10.0, cache_seconds=0)
    others = ["/healthz", "/problems/not-found"]
    if backend == "postgresql":
        others += ["/proposals", "/terms?kind=provision", "/sources"]
    with (
        LiveServer(settings) as server,
        httpx.Client(base_url=server.url, timeout=30) as client,
        ThreadPoolExecutor(max_workers=3) as pool,
    ):
        for path in others:  # warm up: the first answer of each builds its statements
            client.get(path)
        usual = sorted(timed_get(client, path)[0] for path in others * 3)[len(others) * 3 // 2]
        with statements_locked(seeded):
            waiting = [pool.submit(timed_get, client, f"/statements?limit={n}") for n in (1, 2, 3)]
            time.sleep(0.5)  # the three are waiting on the lock by now
            meanwhile = [timed_get(client, path) for path in others * 3]
            assert not any(future.done() for future in waiting)
            held = threading.Event()
            threading.Timer(1.0, held.set).start()
            held.wait()
        answered = [future.result(timeout=30) for future in waiting]
    assert all(response.status_code == 200 for _, response in meanwhile)
    slowest = max(took for took, _ in meanwhile)
    print(
        f"\n{backend}: other requests took at most {slowest * 1000:.0f} ms while three waited "
        f"(usual: {usual * 1000:.0f} ms)"
    )
    assert slowest < 0.5
    assert all(response.status_code == 200 for _, response in answered)
    assert min(took for took, _ in answered) >= 1.4


def test_a_request_past_every_connection_waits_the_pool_timeout_then_answers_503(
    seeded: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Every connection of the pool is out (POOL_SIZE requests wait on the locked statements,
    on SQLite some of them for one of its threads): one more request waits
    EVENTDB_POOL_TIMEOUT for a connection, then answers 503, and the requests that held them
    answer 200 once the lock goes."""
    pool_timeout = 0.5
    settings = Settings(
        database_url=seeded, statement_timeout=10.0, pool_timeout=pool_timeout, cache_seconds=0
    )
    with (
        LiveServer(settings) as server,
        httpx.Client(base_url=server.url, timeout=30) as client,
        ThreadPoolExecutor(max_workers=POOL_SIZE) as pool,
    ):
        with statements_locked(seeded):
            paths = [f"/statements?limit={n}" for n in range(1, POOL_SIZE + 1)]
            holding = [pool.submit(timed_get, client, path) for path in paths]
            connections = server.app.state.database.pool
            deadline = time.monotonic() + 10
            while connections.slots is None or not connections.slots.locked():
                assert time.monotonic() < deadline, "the requests did not take every connection"
                time.sleep(0.01)
            took, response = timed_get(client, "/proposals")
            assert not any(future.done() for future in holding)
        held = [future.result(timeout=30) for future in holding]
        after = client.get("/proposals")
    assert response.status_code == 503, response.text
    assert response.json()["type"] == "/problems/service-unavailable"
    assert response.headers["retry-after"].isdigit()
    assert "no free database connection" in caplog.text
    assert pool_timeout * 0.9 <= took < pool_timeout + 2, took
    assert all(answer.status_code == 200 for _, answer in held)
    assert after.status_code == 200
