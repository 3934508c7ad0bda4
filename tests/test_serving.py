"""How the server uses its sockets (api.serving): what one step of the event loop writes leaves
as one write (every HTTP test of the suite runs through this protocol too: the live server of
tests/conftest.py serves with the same options as `eventdb serve`), and each worker process of
`eventdb serve` listens on a socket of its own."""

import asyncio
import os
import pickle
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Coroutine
from contextlib import suppress
from pathlib import Path
from typing import Any

import httpx

from api.serving import HELD_BYTES, CoalescingTransport, WorkerListener
from tests.conftest import EVENTDB, DeployedServer, children, deploying


class RecordingTransport:
    """Stands in for uvloop's transport: records what reaches it."""

    def __init__(self) -> None:
        self.written: list[list[bytes]] = []
        self.closed_after: int | None = None

    def writelines(self, data: list[bytes]) -> None:
        self.written.append(list(data))

    def is_closing(self) -> bool:
        return self.closed_after is not None

    def close(self) -> None:
        self.closed_after = len(self.written)

    def get_extra_info(self, name: str) -> Any:
        return {"peername": ("127.0.0.1", 5000)}.get(name)


def coalescing() -> tuple[CoalescingTransport, RecordingTransport]:
    transport = RecordingTransport()
    return CoalescingTransport(transport, asyncio.get_running_loop()), transport  # type: ignore[arg-type]


async def next_step() -> None:
    await asyncio.sleep(0)


def on_a_loop(scenario: Callable[[], Coroutine[Any, Any, None]]) -> Callable[[], None]:
    """A test of `scenario`, run on an event loop of its own."""

    def test() -> None:
        asyncio.run(scenario())

    test.__name__ = scenario.__name__
    return test


@on_a_loop
async def test_the_writes_of_one_step_leave_together_when_the_step_ends() -> None:
    writing, transport = coalescing()
    writing.write(b"HTTP/1.1 200 OK\r\n\r\n")
    writing.write(b"{}")
    assert transport.written == []
    await next_step()
    assert transport.written == [[b"HTTP/1.1 200 OK\r\n\r\n", b"{}"]]


@on_a_loop
async def test_a_write_of_a_later_step_leaves_on_its_own() -> None:
    writing, transport = coalescing()
    writing.write(b"first")
    await next_step()
    writing.write(b"second")
    await next_step()
    assert transport.written == [[b"first"], [b"second"]]


@on_a_loop
async def test_closing_writes_what_is_held_first() -> None:
    writing, transport = coalescing()
    writing.write(b"last words")
    writing.close()
    assert transport.written == [[b"last words"]] and transport.closed_after == 1
    await next_step()
    assert transport.written == [[b"last words"]]


@on_a_loop
async def test_a_long_stream_is_written_once_it_holds_enough_not_at_the_end_of_the_step() -> None:
    writing, transport = coalescing()
    chunk = b"x" * (HELD_BYTES // 2)
    writing.write(chunk)
    assert transport.written == []
    writing.write(chunk)
    assert transport.written == [[chunk, chunk]]


@on_a_loop
async def test_nothing_is_written_to_a_closing_transport() -> None:
    writing, transport = coalescing()
    writing.write(b"too late")
    transport.close()
    await next_step()
    assert transport.written == []


@on_a_loop
async def test_everything_else_is_the_transports_own() -> None:
    writing, _ = coalescing()
    assert writing.get_extra_info("peername") == ("127.0.0.1", 5000)


def test_a_served_answer_arrives_whole_with_its_length(client: httpx.Client) -> None:
    answer = client.get("/statements", params={"limit": 3}, headers={"Accept-Encoding": "identity"})
    assert answer.status_code == 200
    assert int(answer.headers["content-length"]) == len(answer.content)
    assert len(answer.json()["items"]) == 3


# States of a TCP socket in /proc/net/tcp.
LISTENING, CONNECTED = "0A", "01"


def tcp_sockets(port: int, state: str) -> set[str]:
    """The inodes of this machine's TCP sockets of local port `port` in `state`."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == state:
                inodes.add(fields[9])
    return inodes


def sockets_held(pid: int) -> set[str]:
    """The inodes of the sockets a process holds open (none, once it has ended)."""
    held = set()
    for fd in Path(f"/proc/{pid}/fd").glob("*"):
        with suppress(OSError):  # closed meanwhile
            target = os.readlink(fd)
            if target.startswith("socket:["):
                held.add(target[len("socket:[") : -1])
    return held


def workers_holding(server: DeployedServer, inodes: set[str]) -> dict[int, set[str]]:
    """For each worker process of the server that holds some of `inodes`: which."""
    held = {pid: sockets_held(pid) & inodes for pid in children(server.process.pid)}
    return {pid: found for pid, found in held.items() if found}


def listening_workers(server: DeployedServer) -> dict[int, set[str]]:
    """Each worker's listening sockets, once there are as many as workers (or 10 s have
    passed): a worker says its startup is complete just before it listens."""
    deadline = time.monotonic() + 10
    while len(listening := tcp_sockets(server.port, LISTENING)) < server.workers:
        if time.monotonic() > deadline:
            break
        time.sleep(0.05)
    return workers_holding(server, listening)


def test_each_worker_listens_on_a_socket_of_its_own(deployed: DeployedServer) -> None:
    holders = listening_workers(deployed)
    assert len(set().union(*holders.values())) == deployed.workers
    assert sorted(len(found) for found in holders.values()) == [1] * deployed.workers


def test_a_worker_started_again_listens_on_a_socket_of_its_own(tmp_path: Path) -> None:
    """uvicorn starts a worker again when one dies: the new one makes its own socket too."""
    with deploying(tmp_path) as server:
        killed = next(iter(listening_workers(server)))
        os.kill(killed, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while "Application startup complete" not in server.log.read_text().partition("died")[2]:
            assert time.monotonic() < deadline, server.log.read_text()[-2000:]
            time.sleep(0.1)
        holders = listening_workers(server)
        assert killed not in holders
        assert len(set().union(*holders.values())) == server.workers
        assert sorted(len(found) for found in holders.values()) == [1] * server.workers
        assert httpx.get(f"{server.url}/readyz").status_code == 200


def test_a_worker_s_socket_is_made_in_its_own_process() -> None:
    """What uvicorn sends each worker in place of its socket: the worker unpickles a new
    socket, bound to the address and sharing it."""
    with socket.socket() as holder:
        holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        holder.bind(("127.0.0.1", 0))
        address = holder.getsockname()
        with pickle.loads(pickle.dumps(WorkerListener(socket.AF_INET, address))) as made:
            assert isinstance(made, socket.socket) and made.getsockname() == address
            assert made.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT) == 1


def test_the_server_says_once_where_it_listens(deployed: DeployedServer) -> None:
    said = f"Uvicorn running on http://127.0.0.1:{deployed.port} (Press CTRL+C to quit)"
    assert deployed.log.read_text().count(said) == 1


def test_connections_opened_at_once_are_spread_over_the_workers(
    deployed: DeployedServer,
) -> None:
    """16 keep-alive connections, as wrk or a proxy opens them: each worker answers some. (With
    one socket shared, the first worker awake could take them all, but most often did not:
    test_each_worker_listens_on_a_socket_of_its_own is the one that fails without a socket per
    worker.)"""
    connections = [socket.create_connection(("127.0.0.1", deployed.port)) for _ in range(16)]
    try:
        for connection in connections:
            connection.sendall(b"GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        for connection in connections:
            assert connection.recv(4096).startswith(b"HTTP/1.1 200")
        served = workers_holding(deployed, tcp_sockets(deployed.port, CONNECTED))
        assert len(served) == deployed.workers
        assert sum(len(found) for found in served.values()) == len(connections)
    finally:
        for connection in connections:
            connection.close()


def test_a_second_server_on_the_same_port_is_refused(
    deployed: DeployedServer, tmp_path: Path
) -> None:
    """Sockets that share a port would share it with any eventdb started on it, perhaps on
    another database: the second one says the port is taken, and stops."""
    second = subprocess.run(
        [EVENTDB, "serve", "--port", str(deployed.port), "--workers", "2", "--no-seed",
         "--database-url", f"sqlite:///{tmp_path / 'other.sqlite3'}"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert second.returncode != 0
    assert "address already in use" in second.stderr.lower()
