"""How uvicorn serves the app: uvloop, and httptools' protocol writing each answer once.

uvicorn writes an answer's status line and headers, then its body, as two writes: two `send`
system calls, two TCP segments for the client to read. Under load on loopback the headers'
write alone took as much of a worker's time as the body's (py-spy under wrk: 14.5% of the
samples on the single item question, the body's 9.0%). The transport here holds what is written
until the event loop's current step ends, then writes it all at once: an ASGI app sends the
start and the body of an answer in one step, so they leave as one write, and nothing waits
longer than that step (or past HELD_BYTES, so a long stream still meets the socket's back
pressure).
"""

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

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
