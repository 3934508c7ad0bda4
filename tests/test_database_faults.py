"""Database faults, on a PostgreSQL cluster that this module starts for itself, never the shared
server: initdb into a temporary folder, pg_ctl start on a free loopback port (as the `postgres`
user when the tests run as root, since PostgreSQL refuses to run as root), and stop at the end.

While the API serves, the database is stopped (cleanly, and as a crash): /readyz and every data
endpoint answer 503 problem+json within 2 s, never hang, and the API recovers by itself when the
database is back. A seed killed with SIGKILL half-way leaves the database exactly as it was.

`.venv/bin/pytest -s tests/test_database_faults.py` prints the measured times.
"""

import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text

from api.database import WRITER_LOCK_KEY, create_db_engine
from api.loader import load, seed_files
from api.schema_version import upgrade
from api.settings import PROJECT_ROOT, Settings
from tests.conftest import EVENTDB, LiveServer, free_port
from tests.database_state import snapshot

PROBLEM = "application/problem+json"
SECOND_SEED = PROJECT_ROOT / "tests" / "data" / "portville-harbor.yaml"
DATA_ENDPOINTS = [
    "/actors",
    "/actors/antony-blinken",
    "/events",
    "/meetings",
    "/events/blinken-meets-sisi",
    "/statements",
    "/statements/1",
    "/proposals",
    "/proposals/gaza-ceasefire-proposal",
    "/terms",
    "/positions",
    "/timeline",
    "/sources",
    "/sources/wapo-2024-06-10-blinken",
]
FAST = 2.0  # seconds: the most an answer may take while the database is down


def _postgres_bin() -> Path | None:
    """The PostgreSQL server binaries: $EVENTDB_TEST_PG_BIN, else the newest installed."""
    if os.environ.get("EVENTDB_TEST_PG_BIN"):
        return Path(os.environ["EVENTDB_TEST_PG_BIN"])
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda path: float(path.split("/")[4]),  # /usr/lib/postgresql/15/bin/initdb
    )
    on_path = shutil.which("initdb")
    initdb = found[-1] if found else on_path
    return Path(initdb).parent if initdb else None


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


class ClusterCommandFailed(subprocess.CalledProcessError):
    def __str__(self) -> str:
        output = (self.stdout or b"") + (self.stderr or b"")
        return f"{super().__str__()}\n{output.decode(errors='replace')}"


class Cluster:
    """A PostgreSQL cluster of our own, driven with its own initdb and pg_ctl."""

    def __init__(self, bin_dir: Path, directory: Path) -> None:
        self.bin_dir = bin_dir
        self.directory = directory
        self.data = directory / "data"
        self.port = free_port()
        # PostgreSQL will not run as root: run its commands as the `postgres` user then.
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def _run(self, command: str, *args: str) -> None:
        argv = [*self.as_user, str(self.bin_dir / command), *args]
        done = subprocess.run(argv, capture_output=True, timeout=60, check=False)
        if done.returncode != 0:
            raise ClusterCommandFailed(done.returncode, argv, done.stdout, done.stderr)

    def init(self) -> None:
        if self.as_user:
            shutil.chown(self.directory, user="postgres")
        self._run(
            "initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
            "--no-sync", "--no-instructions",
        )  # fmt: skip

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c full_page_writes=off -c max_connections=40"
        )
        self._run(
            "pg_ctl", "start", "-D", str(self.data), "-l", str(self.directory / "log"), "-w",
            "-o", options,
        )  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "stop", "-D", str(self.data), "-m", mode, "-w")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        admin = create_engine(self.url(), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        return self.url(name)


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    bin_dir = _postgres_bin()
    reason = None
    if bin_dir is None or not (bin_dir / "pg_ctl").exists():
        reason = "the PostgreSQL server binaries (initdb, pg_ctl) are not installed"
    elif os.geteuid() == 0 and not (shutil.which("runuser") and _user_exists("postgres")):
        reason = "running as root, PostgreSQL needs `runuser` and a `postgres` user"
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"{reason}: CI must run the database fault tests", pytrace=False)
        pytest.skip(reason)
    assert bin_dir is not None
    # Not under pytest's tmp_path: it is private to the user running the tests (root), and the
    # `postgres` user must be able to write the cluster's folder.
    directory = Path(tempfile.mkdtemp(prefix="eventdb-faults-"))
    cluster = Cluster(bin_dir, directory)
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            cluster.stop("immediate")
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="module")
def seeded_url(cluster: Cluster) -> str:
    url = cluster.create_database("eventdb")
    engine = create_db_engine(url)
    upgrade(engine)
    load(engine, seed_files(PROJECT_ROOT / "seed"))
    engine.dispose()
    return url


@pytest.fixture
def api(seeded_url: str) -> Iterator[httpx.Client]:
    """The API, just started on the cluster's seeded database: it has answered nothing yet, so
    nothing is in its response cache and each answer below comes from the database."""
    with (
        LiveServer(Settings(database_url=seeded_url)) as server,
        httpx.Client(base_url=server.url, timeout=30) as http,
    ):
        yield http


@pytest.fixture
def database_down(cluster: Cluster, api: httpx.Client) -> Iterator[Cluster]:
    """The database stopped while the API serves (after one good answer); started again after."""
    assert api.get("/readyz").status_code == 200
    try:
        yield cluster
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):  # the test started it already
            cluster.start()
        wait_until_ready(api)


def wait_until_ready(api: httpx.Client, within: float = 15) -> float:
    """Seconds until /readyz answers 200 again."""
    started = time.monotonic()
    while time.monotonic() - started < within:
        if api.get("/readyz").status_code == 200:
            return time.monotonic() - started
        time.sleep(0.05)
    raise AssertionError(f"the API was not ready again within {within} s")


def timed_get(api: httpx.Client, path: str) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = api.get(path)
    return response, time.monotonic() - started


def assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == PROBLEM
    assert response.headers["retry-after"].isdigit()
    body = response.json()
    assert body["status"] == 503 and body["title"] == "Service unavailable"
    assert "psycopg" not in response.text and "Traceback" not in response.text


# The database stops while the API serves --------------------------------------------------


@pytest.mark.parametrize("mode", ["fast", "immediate"])
def test_readyz_answers_503_within_2_s_when_the_database_stops(
    database_down: Cluster, api: httpx.Client, mode: str
) -> None:
    database_down.stop(mode)
    response, took = timed_get(api, "/readyz")
    print(f"\n/readyz after a {mode} stop: {response.status_code} in {took:.3f} s")
    assert_unavailable(response)
    assert took < FAST


@pytest.mark.parametrize("mode", ["fast", "immediate"])
def test_every_data_endpoint_answers_503_within_2_s_when_the_database_stops(
    database_down: Cluster, api: httpx.Client, mode: str
) -> None:
    database_down.stop(mode)
    slowest = 0.0
    for path in DATA_ENDPOINTS:
        response, took = timed_get(api, path)
        assert_unavailable(response)
        assert took < FAST, path
        slowest = max(slowest, took)
    print(f"\nslowest 503 of {len(DATA_ENDPOINTS)} endpoints after a {mode} stop: {slowest:.3f} s")


def test_the_liveness_probe_still_answers_while_the_database_is_down(
    database_down: Cluster, api: httpx.Client
) -> None:
    database_down.stop()
    assert api.get("/healthz").status_code == 200


def test_the_api_recovers_by_itself_when_the_database_is_back(
    database_down: Cluster, api: httpx.Client
) -> None:
    before = api.get("/statements", params={"limit": 500}).json()["items"]
    database_down.stop()
    assert_unavailable(api.get("/statements"))
    database_down.start()
    took = wait_until_ready(api)
    print(f"\nready again {took:.3f} s after the database started")
    after = api.get("/statements", params={"limit": 500, "sort": "date"})  # not asked before
    assert after.status_code == 200
    assert after.json()["items"] == before


def test_connections_the_database_closed_are_replaced_without_an_error(
    cluster: Cluster, api: httpx.Client
) -> None:
    for limit in range(1, 6):
        assert api.get("/statements", params={"limit": limit}).status_code == 200
    admin = create_engine(cluster.url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        killed = connection.scalar(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = 'eventdb' AND pid <> pg_backend_pid()"
            )
        )
    admin.dispose()
    assert killed
    assert [api.get(path).status_code for path in DATA_ENDPOINTS] == [200] * len(DATA_ENDPOINTS)


def backends(cluster: Cluster) -> set[int]:
    """The server processes of the API's connections (each PostgreSQL connection has one)."""
    admin = create_engine(cluster.url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        pids = connection.scalars(
            text(
                "SELECT pid FROM pg_stat_activity "
                "WHERE datname = 'eventdb' AND pid <> pg_backend_pid()"
            )
        )
        found = set(pids)
    admin.dispose()
    return found


def test_connections_are_kept_for_reuse_after_a_burst_of_requests(
    cluster: Cluster, api: httpx.Client
) -> None:
    """Opening a connection forks a PostgreSQL process: a burst of concurrent requests must not
    close the connections it opened, only for the next burst to open them again."""
    kept: list[set[int]] = []
    with ThreadPoolExecutor(max_workers=32) as pool:
        for burst in range(3):
            paths = [f"/timeline?limit={burst * 32 + n}" for n in range(1, 33)]
            answers = list(pool.map(lambda path: timed_get(api, path), paths))
            assert {response.status_code for response, _ in answers} == {200}
            kept.append(backends(cluster))
    print(f"\nconnections after each burst: {[len(pids) for pids in kept]}")
    assert len(kept[0]) > 1  # the burst ran its requests at once
    assert kept[0] <= kept[1] <= kept[2]


def test_a_database_that_accepts_but_never_answers_gives_503_after_the_connect_timeout() -> None:
    """A listening socket that never speaks: the connection attempt gives up after
    EVENTDB_CONNECT_TIMEOUT (2 s, libpq's least), and the request answers 503, not a hang."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(64)
        url = f"postgresql://postgres@127.0.0.1:{silent.getsockname()[1]}/eventdb"
        with (
            LiveServer(Settings(database_url=url, connect_timeout=2)) as server,
            httpx.Client(base_url=server.url, timeout=30) as http,
        ):
            for path in ("/readyz", "/statements"):
                response, took = timed_get(http, path)
                print(f"\n{path} on a silent database: {response.status_code} in {took:.3f} s")
                assert_unavailable(response)
                assert 2 <= took < 2 + FAST


def test_requests_during_an_outage_fail_fast_even_when_many_arrive_at_once(
    database_down: Cluster, api: httpx.Client
) -> None:
    database_down.stop()
    paths = DATA_ENDPOINTS * 8
    with ThreadPoolExecutor(max_workers=64) as pool:
        answers = list(pool.map(lambda path: timed_get(api, path), paths))
    assert [response.status_code for response, _ in answers] == [503] * len(paths)
    slowest = max(took for _, took in answers)
    print(f"\nslowest of {len(paths)} concurrent requests during the outage: {slowest:.3f} s")
    assert slowest < FAST


# A seed killed half-way ---------------------------------------------------------------------


def seed_backend_locks(connection: Any) -> dict[str, set[tuple[str, bool]]]:
    """For each other backend on the database: the (relation or lock type, granted) it holds."""
    rows = connection.execute(
        text(
            "SELECT l.pid, coalesce(c.relname, l.locktype), l.mode, l.granted FROM pg_locks l "
            "LEFT JOIN pg_class c ON c.oid = l.relation "
            "WHERE l.pid <> pg_backend_pid() AND l.database = "
            "(SELECT oid FROM pg_database WHERE datname = current_database())"
        )
    ).all()
    held: dict[str, set[tuple[str, bool]]] = {}
    for pid, name, mode, granted in rows:
        held.setdefault(str(pid), set()).add((f"{name}:{mode}", bool(granted)))
    return held


def test_a_seed_killed_half_way_leaves_the_database_as_it_was(cluster: Cluster) -> None:
    url = cluster.create_database("seed_killed")
    engine = create_db_engine(url)
    upgrade(engine)
    load(engine, seed_files(PROJECT_ROOT / "seed"))
    before = snapshot(engine)

    # Hold back the seed's last table: it writes every other table, then waits on positions.
    blocking_engine = create_db_engine(url)
    blocker = blocking_engine.connect()
    blocker.execute(text("LOCK TABLE positions IN SHARE MODE"))
    seed = subprocess.Popen(
        [EVENTDB, "seed", str(SECOND_SEED), "--database-url", url],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with engine.connect() as watcher:
            deadline = time.monotonic() + 60
            while True:
                assert seed.poll() is None, "the seed ended before it reached positions"
                assert time.monotonic() < deadline, "the seed never reached positions"
                waiting = [
                    locks
                    for locks in seed_backend_locks(watcher).values()
                    if ("positions:RowExclusiveLock", False) in locks
                ]
                if waiting:
                    held = list(seed_backend_locks(watcher).values())
                    break
                time.sleep(0.02)
        # Half-way: in its transaction, with rows written to the other tables (write locks are
        # taken by INSERT), waiting to write positions, while holding the writers' lock (on a
        # connection of its own: api.database.exclusive_writer).
        locks = waiting[0]
        assert any(("advisory:ExclusiveLock", True) in backend for backend in held)
        for table in ("sources", "actors", "events", "statements"):
            assert (f"{table}:RowExclusiveLock", True) in locks, table
        seed.send_signal(signal.SIGKILL)
        assert seed.wait(timeout=10) == -signal.SIGKILL
    finally:
        if seed.poll() is None:
            seed.kill()
        blocker.rollback()
        blocker.close()
        blocking_engine.dispose()

    # The server notices the dead client once it may go on, and rolls its transaction back.
    deadline = time.monotonic() + 10
    with engine.connect() as watcher:
        while seed_backend_locks(watcher) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert seed_backend_locks(watcher) == {}
        assert watcher.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": WRITER_LOCK_KEY})
        watcher.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": WRITER_LOCK_KEY})
    assert snapshot(engine) == before
    engine.dispose()
