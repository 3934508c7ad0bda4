"""How uvicorn serves the app: uvloop, httptools' protocol writing each answer once, and a
listening socket of its own for each worker process.

uvicorn writes an answer's status line and headers, then its body, as two writes: two `send`
system calls, two TCP segments for the client to read. Under load on loopback the headers'
write alone took as much of a worker's time as the body's (py-spy under wrk: 14.5% of the
samples on the single item question, the body's 9.0%). The transport here holds what is written
until the event loop's current step ends, then writes it all at once: an ASGI app sends the
start and the body of an answer in one step, so they leave as one write, and nothing waits
longer than that step (or past HELD_BYTES, so a long stream still meets the socket's back
pressure).

uvicorn's workers share the one socket its parent process listens on. A new connection wakes
every worker, and the first awake accepts every connection waiting: in 1 of 12 runs of wrk
(`--workers 2`, 16 keep-alive connections opened at once, each worker's CPU time from /proc)
one worker took all 16 and answered them alone while the other stayed idle. On Linux each worker
here listens on a socket of its own, bound to the same address with SO_REUSEPORT, and the
kernel spreads new connections over them (by a hash of the client's address and port).
"""

import asyncio
import logging
import socket
import sys
from typing import Any

import uvicorn
from uvicorn.config import STARTUP_FAILURE
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.supervisors import Multiprocess

HELD_BYTES = 64 * 1024


class CoalescingTransport:
    """A transport whose writes of one event-loop step reach the socket as one `writelines`.
    Everything else is the transport's own."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._held: list[bytes] = []
        self._held_bytes = 0

    def write(self, data: bytes) -> None:
        if not self._held:
            self._loop.call_soon(self.flush)
        self._held.append(data)
        self._held_bytes += len(data)
        if self._held_bytes >= HELD_BYTES:
            self.flush()

    def flush(self) -> None:
        if self._held:
            held, self._held, self._held_bytes = self._held, [], 0
            if not self._transport.is_closing():
                self._transport.writelines(held)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class HttpToolsWritingOnce(HttpToolsProtocol):
    """httptools' protocol, on a transport that writes each step's output once."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        coalescing: Any = CoalescingTransport(transport, self.loop)
        super().connection_made(coalescing)


# uvicorn's options for the event loop and the HTTP protocol: `eventdb serve` and the tests'
# live server run the same ones.
UVICORN_PROTOCOLS: dict[str, Any] = {
    "loop": "uvloop",
    "http": f"{__name__}:{HttpToolsWritingOnce.__name__}",
}


def run(app: str, *, host: str, port: int, workers: int, **options: Any) -> None:
    """uvicorn.run, with a listening socket per worker (on Linux, when there are several)."""
    if workers == 1 or sys.platform != "linux":
        uvicorn.run(app, host=host, port=port, workers=workers, **options)
        return
    config = uvicorn.Config(app, host=host, port=port, workers=workers, **options)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    logger = logging.getLogger("uvicorn.error")
    try:
        # Bound but not listening, it takes no connection: it keeps the port bound while workers
        # come and go (one chosen for port 0 is not handed to another socket).
        holder = reuse_port_socket(family, _unused(family, (host, port)))
    except OSError as error:  # said here once, not by every worker
        logger.error(error)
        sys.exit(STARTUP_FAILURE)
    address = holder.getsockname()
    shown = f"[{address[0]}]" if family == socket.AF_INET6 else address[0]
    logger.info("Uvicorn running on http://%s:%d (Press CTRL+C to quit)", shown, address[1])
    listener: Any = WorkerListener(family, address)
    Multiprocess(config, sockets=[listener]).run()


def _unused(family: int, address: tuple[Any, ...]) -> tuple[Any, ...]:
    """The address (its port, when it was 0), if no server listens there. Sockets of
    SO_REUSEPORT would share it with another eventdb's silently, perhaps of another database.
    (One still starting, whose workers do not listen yet, is not seen: a window of seconds.)"""
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(address)
        return tuple(probe.getsockname())


class WorkerListener:
    """Stands in the list of sockets uvicorn gives each worker: uvicorn pickles the list into
    the worker's process (it spawns them, and each one it restarts), where this arrives as a
    socket of the worker's own, bound to `address` (uvicorn's worker listens on it)."""

    def __init__(self, family: int, address: tuple[Any, ...]) -> None:
        self.family = family
        self.address = address

    def __reduce__(self) -> tuple[Any, ...]:
        return _worker_socket, (self.family, self.address)


def _worker_socket(family: int, address: tuple[Any, ...]) -> socket.socket:
    """The worker's socket, made as its process starts (before uvicorn's logging is set up). A
    worker that cannot bind exits as uvicorn's do when they cannot start, and uvicorn stops
    instead of starting it again and again."""
    try:
        return reuse_port_socket(family, address)
    except OSError as error:
        print(f"eventdb: a worker cannot listen on {address}: {error}", file=sys.stderr)
        sys.exit(STARTUP_FAILURE)


def reuse_port_socket(family: int, address: tuple[Any, ...]) -> socket.socket:
    """A TCP socket bound to `address`, one of those that share it (SO_REUSEPORT)."""
    # IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on connections of a socket that says so.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(address)
    return sock
