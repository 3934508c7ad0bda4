"""Security headers on every response (a pure ASGI middleware: no per-request task overhead).

Every answer is data (JSON, CSV, problem+json), never a page to render, so its Content-Security-
Policy allows nothing. The docs pages, /docs and /redoc, set their own (`docs_page_policy`), and
so do the reading room's pages (`READING_PAGE_POLICY`); the middleware leaves those in place: it
adds only the headers a response does not already carry.
"""

import base64
import hashlib
import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

# The reading room's pages (api.pages): their one script, style sheet and icon come from the API
# itself (/static/reading), with no inline script or style at all; their filter forms send GET
# requests to the API's own pages, and the script fetches nothing.
READING_PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-resource-policy", b"cross-origin"),
    (b"content-security-policy", API_POLICY.encode()),
]

_INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.DOTALL)


def docs_page_policy(page: bytes, *, blob_workers: bool = False) -> str:
    """The policy of the docs pages (/docs, /redoc): their scripts, style sheets and icons come
    from the API itself ('self', /static/swagger), an inline script is allowed only by its hash
    (never 'unsafe-inline'), and they may fetch only /openapi.json and the API ('self').
    `blob_workers`: the page may start a web worker from a blob: URL its own script made
    (ReDoc's search index)."""
    scripts = " ".join(
        ["'self'"]
        + [
            "'sha256-" + base64.b64encode(hashlib.sha256(script).digest()).decode() + "'"
            for script in _INLINE_SCRIPT.findall(page)
        ]
    )
    workers = "worker-src blob:; " if blob_workers else ""
    return (
        f"default-src 'none'; script-src {scripts}; {workers}"
        # Both UIs set style attributes (ReDoc writes <style> elements too), and Swagger UI's
        # style sheet embeds its icons as data: URLs.
        "style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    )


def missing_security_headers(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    present = {name.lower() for name, _ in headers}
    return [(name, value) for name, value in SECURITY_HEADERS if name not in present]


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                message["headers"] = headers + missing_security_headers(headers)
            await send(message)

        await self.app(scope, receive, send_with_headers)


class HeadAsGetMiddleware:
    """`curl -I`: a HEAD request is answered as its GET would be, headers only."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, send_headers_only)
