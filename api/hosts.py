"""`EVENTDB_ALLOWED_HOSTS`: the host names the server answers for.

Answers carry absolute links (`next`, `Link`) built from the request's `Host`; behind a proxy
that passes any Host through, a client could make the API print links to another site. With the
setting, any other Host answers 400 problem+json. The default, `["*"]`, answers every Host.
"""

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from api.errors import HostNotAllowed, problem_response


def host_allowed(host: str, allowed: list[str]) -> bool:
    """`allowed` holds names ("api.example.org") or wildcards ("*.example.org", "*")."""
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    name = name.lower().rstrip(".")
    for pattern in allowed:
        pattern = pattern.lower()
        if pattern == "*" or name == pattern:
            return True
        if pattern.startswith("*.") and name.endswith(pattern[1:]):
            return True
    return False


class AllowedHostsMiddleware:
    def __init__(self, app: ASGIApp, allowed: list[str]) -> None:
        self.app = app
        self.allowed = allowed
        self.any_host = "*" in allowed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.any_host or scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        host = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"host"), "")
        if host_allowed(host, self.allowed):
            await self.app(scope, receive, send)
            return
        problem = HostNotAllowed(
            f"This server does not answer for the host {host!r}. Use one of: "
            f"{', '.join(self.allowed)}."
        )
        await problem_response(Request(scope), problem)(scope, receive, send)
