"""Fixtures: every database test runs once on SQLite and once on PostgreSQL.

PostgreSQL comes from EVENTDB_TEST_POSTGRES_URL (default: the local server, database `test`);
each test that writes gets a database of its own, created and dropped around it. When the server
cannot be reached the PostgreSQL half is skipped on a laptop, but fails under CI (CI=true), so a
green CI run always means both databases were tested.
"""

import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from api.database import create_db_engine
from api.loader import load, seed_files
from api.main import create_app
from api.schema_version import upgrade
from api.serving import UVICORN_PROTOCOLS
from api.settings import PROJECT_ROOT, Settings

BACKENDS = [b for b in os.environ.get("EVENTDB_TEST_BACKENDS", "sqlite,postgresql").split(",") if b]
POSTGRES_ADMIN_URL = os.environ.get(
    "EVENTDB_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
SEED_DIR = PROJECT_ROOT / "seed"


def _postgres_unavailable() -> str | None:
    try:
        engine = create_engine(POSTGRES_ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as error:  # any failure to connect means "unavailable"
        return f"PostgreSQL at {POSTGRES_ADMIN_URL} is unreachable: {error}"
    return None


def require_postgres() -> None:
    reason = _postgres_unavailable()
    if reason is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI must test PostgreSQL: start it, don't skip it)", pytrace=False)
    pytest.skip(reason)


def with_params(path: str, **params: str | int) -> httpx.URL:
    """`path` with `params` added to the query it has: httpx's `params=` replaces that query
    (a list with filters was walked without them)."""
    return httpx.URL(path).copy_merge_params(params)


def new_database_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """An empty database on `backend`, dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'eventdb.sqlite3'}"
        return
    require_postgres()
    name = f"eventdb_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A new, empty database (no schema) for a test that writes."""
    yield from new_database_url(backend, tmp_path)


@pytest.fixture(scope="session", params=BACKENDS)
def seeded_database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """One database per backend, migrated and seeded once, shared by the read-only API tests."""
    urls = new_database_url(str(request.param), tmp_path_factory.mktemp(str(request.param)))
    url = next(urls)
    engine = create_db_engine(url)
    upgrade(engine)
    load(engine, seed_files(SEED_DIR))
    engine.dispose()
    yield url
    next(urls, None)


class LiveServer:
    """The app served by uvicorn on a free loopback port, in a thread: real HTTP, real sockets."""

    def __init__(self, settings: Settings) -> None:
        self.app = create_app(settings)
        port = free_port()
        config = uvicorn.Config(
            self.app, host="127.0.0.1", port=port, log_level="warning", **UVICORN_PROTOCOLS
        )
        self.server = uvicorn.Server(config)
        self.url = f"http://127.0.0.1:{port}"
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> "LiveServer":
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="session")
def client(seeded_database_url: str) -> Iterator[httpx.Client]:
    """An httpx client talking HTTP to the API served on the seeded database."""
    with (
        LiveServer(Settings(database_url=seeded_database_url)) as server,
        httpx.Client(base_url=server.url, timeout=10) as http,
    ):
        yield http


EVENTDB = str(Path(sys.executable).parent / "eventdb")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def status_field(pid: int, name: str) -> str | None:
    """A field of a process's /proc status (None once the process has ended)."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return None
    return next((line.split()[1] for line in lines if line.startswith(f"{name}:")), None)


def children(pid: int) -> list[int]:
    """The processes that `pid` started: a server's workers."""
    return [
        int(entry.name)
        for entry in Path("/proc").iterdir()
        if entry.name.isdigit() and status_field(int(entry.name), "PPid") == str(pid)
    ]


@dataclass
class DeployedServer:
    process: subprocess.Popen[bytes]
    url: str
    port: int
    log: Path
    workers: int


@contextmanager
def deploying(folder: Path) -> Iterator[DeployedServer]:
    """`eventdb serve` as deployed on a 2-core machine (two worker processes), on a new SQLite
    database in `folder` (which it migrates and seeds itself), its response cache off."""
    if not Path("/proc/self/status").exists():
        pytest.skip("reading a server's processes and sockets needs /proc (Linux)")
    port, workers = free_port(), 2
    log = folder / "server.log"
    environment = {k: v for k, v in os.environ.items() if not k.startswith("EVENTDB_")}
    environment["EVENTDB_CACHE_SECONDS"] = "0"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [EVENTDB, "serve", "--port", str(port), "--workers", str(workers), "--database-url",
             f"sqlite:///{folder / 'deployed.sqlite3'}"],
            cwd=folder, env=environment, stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "the server did not start"
            started = log.read_text().count("Application startup complete") == workers
            try:
                if started and httpx.get(f"{url}/readyz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        yield DeployedServer(process, url, port, log, workers)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def deployed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DeployedServer]:
    """A deployed server shared by the tests that only ask it questions (`deploying`)."""
    with deploying(tmp_path_factory.mktemp("deployed")) as server:
        yield server
