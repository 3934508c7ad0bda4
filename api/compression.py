"""Gzip for the clients that accept it, and no work for those that do not.

An answer of 1 KB or more is compressed for a client that accepts gzip, at level 1: 70 KB of JSON
become 10 KB for 0.5 ms of CPU. Starlette's middleware does that; but it also runs every other
answer through a responder that holds the answer's start until its body has come, to decide
whether to add `Vary: Accept-Encoding` (about 7% of a worker's samples answering `/healthz`
under wrk; curl and most scripts send no Accept-Encoding). The answers of this API say their
length in their start, which is enough to decide: an answer to a client that does not accept
gzip passes straight through, with the Vary header Starlette would have added.
"""

from starlette.datastructures import Headers
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MINIMUM_SIZE = 1024
LEVEL = 1
IN_A_THREAD_FROM = 1024 * 1024  # bytes: compressing more would hold the event loop too long


class Compression(GZipMiddleware):
    def __init__(self, app: ASGIApp) -> None:
        super().__init__(
            app,
            minimum_size=MINIMUM_SIZE,
            compresslevel=LEVEL,
            thread_minimum_size=IN_A_THREAD_FROM,
        )
        self.left_alone = frozenset(self.exclude_content_types)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or "gzip" in Headers(scope=scope).get("accept-encoding", ""):
            await super().__call__(scope, receive, send)
            return

        async def send_saying_it_varies(message: Message) -> None:
            if message["type"] == "http.response.start" and self._varies(message):
                message["headers"] = vary_by_encoding(message.get("headers", []))
            await send(message)

        await self.app(scope, receive, send_saying_it_varies)

    def _varies(self, start: Message) -> bool:
        """Would Starlette say that this answer varies by encoding? Yes when it would compress
        it for a client that asked: not partial, not already encoded, not of a type it leaves
        alone (images, archives, event streams), and not smaller than MINIMUM_SIZE (an answer
        that does not say its length is streamed, and may be longer)."""
        if start["status"] == 206:
            return False
        headers = Headers(raw=start.get("headers", []))
        media_type = headers.get("content-type", "").partition(";")[0].strip().lower()
        excluded = {media_type, media_type.partition("/")[0] + "/*"} & self.left_alone
        length = headers.get("content-length")
        small = length is not None and int(length) < MINIMUM_SIZE
        return not ("content-encoding" in headers or excluded or small)


def vary_by_encoding(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """The headers with Accept-Encoding added to their Vary (as MutableHeaders.add_vary_header)."""
    found = [value for name, value in headers if name.lower() == b"vary"]
    if not found:
        return [*headers, (b"vary", b"Accept-Encoding")]
    others = [(name, value) for name, value in headers if name.lower() != b"vary"]
    return [*others, (b"vary", found[0] + b", Accept-Encoding")]
