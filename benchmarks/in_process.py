"""A GET request to the app in this process, without a network: what benchmarks/one_url.py and
benchmarks/questions.py ask, so that they measure the app and nothing else."""

from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Any

from starlette.types import ASGIApp


@dataclass
class Answer:
    status: int = 0
    bytes: int = 0


async def get(app: ASGIApp, target: str) -> Answer:
    """GET `target` (a path and its query) of `app`: its status and the size of its body."""
    path, _, query = target.partition("?")
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": query.encode(),
        "headers": [(b"host", b"127.0.0.1:8000")],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 8000),
    }
    answer = Answer()

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer.status = message["status"]
        else:
            answer.bytes += len(message.get("body", b""))

    await app(scope, receive, send)
    return answer
