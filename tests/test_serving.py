"""How the server writes answers to its sockets (api.serving): what one step of the event loop
writes leaves as one write. Every HTTP test of the suite runs through this protocol too (the
live server of tests/conftest.py serves with the same options as `eventdb serve`)."""

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

import httpx

from api.serving import HELD_BYTES, CoalescingTransport


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
