"""What a query string means before any route reads it: the habits of browsers and forms.

- An empty value means "not given": a cleared search box (`q=`) asks for everything. Values
  are trimmed, and a blank one is dropped, only up to the shortest length limit of any
  parameter (TIDIED_UP_TO): a longer value is passed on as sent, so that its parameter's limit
  refuses it as the schema says (501 blank characters are no absent cursor).
- Parameters whose name starts with `_` or `utm_` (cache-busters such as jQuery's `_=…`,
  campaign tags) are ignored; any other unknown parameter is still refused (api.params).
- A filter that takes several values takes them repeated (`speaker=a&speaker=b`) or separated
  by commas (`stance=supports,demands`): both mean "any of them".

A pure ASGI middleware that rewrites `scope["query_string"]`, so every later step (validation,
links, the response cache's key) sees the same normalized question.
"""

from urllib.parse import parse_qsl, urlencode

from starlette.types import ASGIApp, Receive, Scope, Send

# Filters that take several values: their values are split at commas.
LIST_PARAMETERS = frozenset(
    {
        "about",
        "actor",
        "affiliation",
        "event",
        "facets",
        "kind",
        "precision",
        "proposal",
        "role",
        "source",
        "speaker",
        "stance",
        "status",
        "term",
    }
)
IGNORED_PREFIXES = ("_", "utm_")
# The shortest `max_length` of any parameter (a name, a location: api.params).
TIDIED_UP_TO = 200


def normalize(query: str) -> str:
    pairs: list[tuple[str, str]] = []
    for name, value in parse_qsl(query, keep_blank_values=True):
        if name.startswith(IGNORED_PREFIXES):
            continue
        values = value.split(",") if name in LIST_PARAMETERS else [value]
        for item in values:
            if len(item) > TIDIED_UP_TO:
                pairs.append((name, item))
            elif item.strip():
                pairs.append((name, item.strip()))
    return urlencode(pairs)


class QueryStringMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["query_string"]:
            raw = scope["query_string"].decode("latin-1")
            normalized = normalize(raw).encode("latin-1", "replace")
            if normalized != scope["query_string"]:
                scope = {**scope, "query_string": normalized}
        await self.app(scope, receive, send)
