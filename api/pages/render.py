"""Templates into responses: the Jinja2 environment, the page response and its headers, and the
API request behind each page (its URL and `curl` command).

Every value reaches the HTML through Jinja2's autoescaping (api/templates), or through
markupsafe's `escape` for the marked article (api.pages.marks): no text of the database is ever
written into a page unescaped. The pages load their script and style sheet from /static/reading
and carry no inline script or style, so their Content-Security-Policy
(`api.headers.READING_PAGE_POLICY`) allows only the API's own files.
"""

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from api.headers import READING_PAGE_POLICY
from api.pages.marks import dom_id
from api.responses import CACHE_CONTROL

API_DIR = Path(__file__).resolve().parent.parent
TEMPLATES = API_DIR / "templates"
STATIC_DIR = API_DIR / "static" / "reading"
STATIC_URL = "/static/reading"
# Where the reading room's pages live: never a path of the JSON API.
PAGES = "/read"

QueryItems = list[tuple[str, str]]


@dataclass(frozen=True)
class ApiCall:
    """A request to the JSON API that gives what a page shows: its path and query."""

    path: str
    query: tuple[tuple[str, str], ...] = ()
    label: str = ""

    def target(self) -> str:
        return with_query(self.path, self.query)

    def url(self, request: Request) -> str:
        return base_url(request) + self.target()

    def curl(self, request: Request) -> str:
        # urlencode writes a quote as %27: the URL is always safe inside single quotes.
        return f"curl '{self.url(request)}'"


def base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def with_query(path: str, query: Iterable[tuple[str, str]]) -> str:
    """`path?query`, with commas as they are (`facets=speaker,mode`): the API reads a comma
    in a list parameter as a separator either way."""
    items = list(query)
    return path + (f"?{urlencode(items, safe=',')}" if items else "")


@cache
def asset(name: str) -> str:
    """The URL of a file of /static/reading, with a hash of its content: a new version of the
    file is a new URL, so browsers never mix an old script with a new page."""
    digest = hashlib.sha256((STATIC_DIR / name).read_bytes()).hexdigest()[:10]
    return f"{STATIC_URL}/{name}?v={digest}"


# Filters -----------------------------------------------------------------------------------


def words(value: Any) -> str:
    """A vocabulary word as words: `press_remarks` → "press remarks"."""
    return str(value).replace("_", " ")


MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def as_date(value: Any) -> date:
    """A date of a document: a `date` (PostgreSQL) or its ISO text (SQLite)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def day(value: Any) -> str:
    """2024-06-10 → "10 Jun 2024"."""
    if value is None:
        return ""
    found = as_date(value)
    return f"{found.day} {MONTHS[found.month - 1]} {found.year}"


def period(value: dict[str, Any] | None) -> str:
    """A fact's date (api.schemas.DateInfo) as a reader says it: "10 Jun 2024", "3 Jun 2024 -
    9 Jun 2024" (an en dash), "from 1 May 2024 on", or "undated"."""
    if not value or value.get("start") is None:
        return "undated"
    start, end = value["start"], value.get("end")
    if end is None:
        return f"from {day(start)} on"
    if end == start:
        return day(start)
    return f"{day(start)} \u2013 {day(end)}"  # an en dash


def actor_link(actor: dict[str, Any]) -> Markup:
    """An actor (api.schemas.ActorRef) as a link to its page."""
    return Markup(f'<a href="{PAGES}/actors/{quote(actor["slug"])}">{escape(actor["name"])}</a>')


def when(value: dict[str, Any]) -> Markup:
    """A fact's date with its precision and the words as written."""
    written = value.get("as_written")
    said = f" · as written: “{escape(written)}”" if written else ""
    if value.get("start") is None:
        return Markup(f'<span class="date">undated</span>{said}')
    start = escape(str(value["start"]))
    opened = " · open-ended" if value.get("end") is None else ""
    return Markup(
        f'<span class="date"><time datetime="{start}">{escape(period(value))}</time></span> · '
        f'<span class="precision">{escape(value["precision"])}</span>{opened}{said}'
    )


def count(total: int, exact: bool = True) -> str:
    return f"{total:,}" + ("" if exact else "+")


class _Environment(Environment):
    """Jinja2 reads `doc.name` as an attribute first, then as an item: a document is a dict, so
    the item comes first here (the other order costs an exception per lookup)."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


def _environment() -> Environment:
    environment = _Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "svg"], default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(
        words=words, day=day, period=period, count=count, actor=actor_link, when=when
    )
    environment.globals.update(
        asset=asset, pages=PAGES, mark_id=lambda kind, key: dom_id(kind, str(key))
    )
    return environment


ENVIRONMENT = _environment()


def render_page(
    request: Request,
    template: str,
    *,
    api: Sequence[ApiCall],
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """A page of the reading room: the template with its context, and `api`, the requests to
    the JSON API behind it (the first is the page's own, shown with its curl command)."""
    body = ENVIRONMENT.get_template(template).render(
        request=request,
        path=request.url.path,
        api=[
            {"label": call.label, "url": call.url(request), "curl": call.curl(request)}
            for call in api
        ],
        **context,
    )
    return HTMLResponse(
        body,
        status_code=status_code,
        headers={
            "Content-Security-Policy": READING_PAGE_POLICY,
            "Cache-Control": CACHE_CONTROL if status_code == 200 else "no-store",
        },
    )
