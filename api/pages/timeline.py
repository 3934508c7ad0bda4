"""The timeline page: a page of facts drawn on a date axis (api.pages.drawing), with the API's
filters and cursors, one row per actor or per kind.

With no `kind` the page is a page of `/timeline` (events and statements together). `kind`
narrows it to what another list of the API answers: `kind=statement` is `/statements` (the
actor as `speaker`), `kind=event` or kinds of event (`kind=meeting,vote`) are `/events`; the
page shows that list's URL, so its curl command answers the same facts.
"""

from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Query, Request, Response

from api.database import Reader
from api.documents import Document
from api.errors import InvalidParameter
from api.pages.drawing import Fact, draw, short
from api.pages.lists import page_links
from api.pages.marks import dom_id
from api.pages.render import PAGES, ApiCall, as_date, render_page
from api.pages.routing import page_router
from api.paging import MAX_LIMIT, PageRequest, filters_fingerprint
from api.params import (
    AboutFilter,
    CursorParam,
    Dates,
    Names,
    PrecisionFilter,
    SortByDate,
    SourceFilter,
    _names,
)
from api.queries.common import DateRange
from api.queries.events import EventFilters, event_page
from api.queries.facets import ListAnswer
from api.queries.statements import StatementFilters, statement_page
from api.queries.timeline import TimelineFilters, timeline_page
from api.routes.common import DatabaseDep
from api.vocabulary import DatePrecision, EventKind

router = page_router()

DEFAULT_LIMIT = 100
KINDS = ("statement", "event", *(kind.value for kind in EventKind))
ROWS = ("actor", "kind")


@dataclass(frozen=True)
class TimelineQuery:
    """The page's question, and the API list that answers it."""

    actor: tuple[str, ...]
    about: tuple[str, ...]
    dates: DateRange
    precision: tuple[str, ...]
    source: tuple[str, ...]
    kind: tuple[str, ...]
    rows: str
    limit: int
    cursor: str | None
    sort: str

    @property
    def api_path(self) -> str:
        if not self.kind:
            return "/timeline"
        return "/statements" if self.kind == ("statement",) else "/events"

    def api_filters(self) -> list[tuple[str, str]]:
        """The API's parameters for this question, in a fixed order."""
        actor_name = "speaker" if self.api_path == "/statements" else "actor"
        found = [(actor_name, actor) for actor in self.actor]
        if self.api_path == "/events" and "event" not in self.kind:
            found += [("kind", kind) for kind in self.kind]
        found += [("about", about) for about in self.about]
        if self.dates.start:
            found.append(("from", self.dates.start.isoformat()))
        if self.dates.end:
            found.append(("to", self.dates.end.isoformat()))
        found += [("precision", precision) for precision in self.precision]
        found += [("source", source) for source in self.source]
        if self.sort != "date":
            found.append(("sort", self.sort))
        return found

    def api_call(self) -> ApiCall:
        paging = [("limit", str(self.limit))] + ([("cursor", self.cursor)] if self.cursor else [])
        return ApiCall(self.api_path, (*self.api_filters(), *paging))

    def page_query(self) -> list[tuple[str, str]]:
        """The page's own query (for its links): the API's, with the page's own words."""
        found = [("actor", actor) for actor in self.actor] + [("kind", k) for k in self.kind]
        found += [(n, v) for n, v in self.api_filters() if n not in ("speaker", "actor", "kind")]
        if self.rows != "actor":
            found.append(("rows", self.rows))
        if self.limit != DEFAULT_LIMIT:
            found.append(("limit", str(self.limit)))
        if self.cursor:
            found.append(("cursor", self.cursor))
        return found


async def timeline_query(
    dates: Dates,
    actor: Annotated[
        Names, _names("Events the actor took part in and statements the actor made.")
    ] = None,
    about: AboutFilter = None,
    precision: PrecisionFilter = None,
    source: SourceFilter = None,
    kind: Annotated[
        list[str] | None,
        Query(description="statement, event, or kinds of event (meeting, vote…)."),
    ] = None,
    rows: Annotated[str, Query(description="One row per `actor` or per `kind`.")] = "actor",
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Facts per page.")] = DEFAULT_LIMIT,
    cursor: CursorParam = None,
    sort: SortByDate = "date",
) -> TimelineQuery:
    kinds = tuple(dict.fromkeys(kind or ()))
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise InvalidParameter.one(
            "kind", f"kind={unknown[0]!r} is not a kind of fact: {', '.join(KINDS)}."
        )
    if "statement" in kinds and len(kinds) > 1:
        raise InvalidParameter.one(
            "kind",
            "kind=statement cannot go with kinds of event: show statements, or events (of one "
            "or more kinds), or leave kind out for both.",
        )
    if rows not in ROWS:
        raise InvalidParameter.one("rows", f"rows={rows!r}: one row per `actor` or per `kind`.")
    return TimelineQuery(
        actor=tuple(actor or ()),
        about=tuple(about or ()),
        dates=dates,
        precision=tuple(str(p) for p in precision or ()),
        source=tuple(source or ()),
        kind=kinds,
        rows=rows,
        limit=limit,
        cursor=cursor,
        sort=sort,
    )


async def read_facts(reader: Reader, question: TimelineQuery) -> tuple[ListAnswer, list[Document]]:
    """The page of the API's list, and its items as timeline items ({type, date, event or
    statement})."""
    page = PageRequest(
        question.api_path,
        filters_fingerprint(question.api_filters()),
        question.sort,
        question.limit,
        question.cursor,
    )
    q = question
    if q.api_path == "/timeline":
        filters = TimelineFilters(q.actor, q.about, q.dates, q.precision, q.source)
        answer = await timeline_page(reader, filters, page)
        return answer, answer.documents()
    if q.api_path == "/statements":
        statements = StatementFilters(
            speaker=q.actor, about=q.about, dates=q.dates, precision=q.precision, source=q.source
        )
        answer = await statement_page(reader, statements, page)
        return answer, [{"type": "statement", "statement": s} for s in answer.documents()]
    kinds = () if "event" in q.kind else q.kind
    events = EventFilters(
        kind=kinds,
        actor=q.actor,
        about=q.about,
        dates=q.dates,
        precision=q.precision,
        source=q.source,
    )
    answer = await event_page(reader, events, page)
    return answer, [{"type": "event", "event": e} for e in answer.documents()]


def fact_of(item: Document, rows: str) -> Fact:
    kind = item["type"]
    doc = item[kind]
    when = doc["date"]
    if kind == "statement":
        key, title = str(doc["id"]), f"{doc['speaker']['name']}: {doc['text']}"
        row = (
            (doc["speaker"]["slug"], doc["speaker"]["name"])
            if rows == "actor"
            else ("statement", "statements")
        )
    else:
        key, title = doc["slug"], doc["title"]
        first = doc["participants"][0]["actor"] if doc["participants"] else None
        if rows == "kind":
            row = (doc["kind"], doc["kind"].replace("_", " "))
        elif first is not None:
            row = (first["slug"], first["name"])
        else:
            row = ("", "(no participant)")
    evidence = doc["evidence"]
    return Fact(
        kind=kind,
        id=key,
        start=as_date(when["start"]) if when["start"] is not None else None,
        end=as_date(when["end"]) if when["end"] is not None else None,
        precision=when["precision"],
        row=row[0],
        row_label=short(row[1]),
        title=f"{title} ({when['as_written'] or when['precision']})",
        href=f"{PAGES}/sources/{quote(evidence['source']['slug'])}#{dom_id(kind, key)}",
    )


@router.get("/read/timeline")
async def timeline(
    request: Request,
    db: DatabaseDep,
    question: Annotated[TimelineQuery, Depends(timeline_query)],
) -> Response:
    answer, items = await db.read(lambda reader: read_facts(reader, question))
    facts = [fact_of(item, question.rows) for item in items]
    links = {
        fact.row: f"{PAGES}/actors/{quote(fact.row)}"
        for fact in facts
        if question.rows == "actor" and fact.row
    }
    picture = draw(facts, question.dates.start, question.dates.end, links)
    query = question.page_query()
    return render_page(
        request,
        "timeline.html",
        api=[question.api_call()],
        question=question,
        picture=picture,
        facts=list(zip(facts, items, strict=True)),
        undated=[
            (fact, item) for fact, item in zip(facts, items, strict=True) if fact.start is None
        ],
        result=answer.result,
        links=page_links(f"{PAGES}/timeline", query, answer.result),
        kinds=KINDS,
        precisions=[p.value for p in DatePrecision],
    )
