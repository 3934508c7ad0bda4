"""A small in-process cache of whole GET responses (a pure ASGI middleware).

The API is read-only and already tells clients (Cache-Control: max-age=60) that an answer may be
reused for a minute; this cache keeps the same promise on the server, so a popular question is
answered once a minute rather than once a request. It is bounded in bytes (least recently used
answers go first) and can be turned off with EVENTDB_CACHE_SECONDS=0.
"""

import time
from collections import OrderedDict
from dataclasses import dataclass

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.responses import etag_matches

CacheKey = tuple[str, str, str, str, bytes, bool]


def _cacheable(start: Message) -> bool:
    """Only a 200 that allows it: health checks say `no-store`, so they always ask the database."""
    cache_control = Headers(raw=start.get("headers", [])).get("cache-control", "")
    return bool(start["status"] == 200 and "no-store" not in cache_control)


@dataclass
class _Entry:
    expires: float
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes


class ResponseCacheMiddleware:
    def __init__(self, app: ASGIApp, seconds: float, max_bytes: int = 32 * 1024 * 1024) -> None:
        self.app = app
        self.seconds = seconds
        self.max_bytes = max_bytes
        self.entries: OrderedDict[CacheKey, _Entry] = OrderedDict()
        self.size = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or self.seconds <= 0:
            await self.app(scope, receive, send)
            return
        request_headers = Headers(scope=scope)
        # Everything an answer is built from: `next` and `Link` are absolute URLs made of the
        # scheme (which a proxy's X-Forwarded-Proto sets) and the Host, so one client's must
        # never end up in another client's links; the body is gzip or not.
        key = (
            scope["scheme"],
            request_headers.get("host", ""),
            scope.get("root_path", ""),
            scope["path"],
            scope["query_string"],
            "gzip" in request_headers.get("accept-encoding", ""),
        )
        entry = self.entries.get(key)
        if entry is not None and entry.expires > time.monotonic():
            self.entries.move_to_end(key)
            await self._replay(entry, request_headers.get("if-none-match", ""), send)
            return
        await self._forward_and_keep(key, scope, receive, send)

    async def _replay(self, entry: _Entry, if_none_match: str, send: Send) -> None:
        etag = next((value for name, value in entry.headers if name == b"etag"), None)
        if etag is not None and etag_matches(etag.decode(), if_none_match):
            headers = [
                (n, v) for n, v in entry.headers if n not in (b"content-length", b"content-type")
            ]
            await send({"type": "http.response.start", "status": 304, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        await send(
            {"type": "http.response.start", "status": entry.status, "headers": list(entry.headers)}
        )
        await send({"type": "http.response.body", "body": entry.body})

    async def _forward_and_keep(
        self, key: CacheKey, scope: Scope, receive: Receive, send: Send
    ) -> None:
        start: Message | None = None
        chunks: list[bytes] = []

        async def keep(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                # A copy: the middlewares outside add this request's CORS and security headers
                # to the message in place, and those must not be replayed to another request.
                start = {**message, "headers": list(message.get("headers", []))}
            elif message["type"] == "http.response.body" and start is not None:
                chunks.append(message.get("body", b""))
                if not message.get("more_body") and _cacheable(start):
                    self._store(key, start, b"".join(chunks))
            await send(message)

        await self.app(scope, receive, keep)

    def _store(self, key: CacheKey, start: Message, body: bytes) -> None:
        if len(body) > self.max_bytes // 16:
            return
        old = self.entries.pop(key, None)
        if old is not None:
            self.size -= len(old.body)
        # The time the server spent is this answer's, not the replays'.
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"server-timing"]
        self.entries[key] = _Entry(time.monotonic() + self.seconds, start["status"], headers, body)
        self.size += len(body)
        while self.size > self.max_bytes:
            _, evicted = self.entries.popitem(last=False)
            self.size -= len(evicted.body)
