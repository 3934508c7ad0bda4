"""The two ceilings the API is measured against, served by the same uvicorn as the API.

- `bare`: a raw ASGI app that returns fixed bytes (the ceiling of the server).
- `framework`: a FastAPI route that returns a constant (the ceiling of the framework). It is an
  `async def`, as eventdb's routes are: a plain `def` would run in the thread pool, a cost
  eventdb does not pay, and the ceiling would be lower than what eventdb can reach.
"""

from typing import Any

from fastapi import FastAPI

BODY = b'{"status":"ok"}'


async def bare(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json"), (b"content-length", b"15")],
        }
    )
    await send({"type": "http.response.body", "body": BODY})


framework = FastAPI()


@framework.get("/{path:path}")
async def constant(path: str) -> dict[str, str]:
    return {"status": "ok"}
