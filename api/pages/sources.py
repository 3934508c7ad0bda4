"""The source page: an article's full text with every evidence span of every fact marked on it,
and the card of each fact.

The facts come from the API's own lists, filtered by `source` (statements with the actors they
are about, events with their participants, positions, terms, proposals with their phases, and
the actors the source introduces with their aliases), read whole in one snapshot. The one thing
no list answers is where this source introduces an actor that another source introduced first
(an actor's `evidence` is its first introduction): that comes from `introductions` directly.
"""

from collections import Counter
from dataclasses import dataclass
from functools import cache
from typing import Any

from fastapi import Request, Response
from sqlalchemy import Select, bindparam, select

from api.database import Reader
from api.documents import Document, parsed_list
from api.errors import NotFound
from api.models import Actor, Introduction, Source, table_of
from api.pages.lists import every_item, page_links
from api.pages.marks import KIND_ORDER, Span, marked_text
from api.pages.render import PAGES, ApiCall, render_page, words
from api.pages.routing import page_router
from api.paging import PageRequest, filters_fingerprint
from api.params import slug_path
from api.queries.actors import ActorFilters, actor_page
from api.queries.events import EventFilters, event_page
from api.queries.proposals import (
    PositionFilters,
    ProposalFilters,
    TermFilters,
    position_page,
    proposal_page,
    term_page,
)
from api.queries.sources import source_detail
from api.queries.sources import source_page as list_sources
from api.queries.statements import StatementFilters, statement_page
from api.routes.common import DatabaseDep

router = page_router()

KIND_LABELS = {
    "statement": "Statements",
    "event": "Events",
    "participant": "Participants",
    "position": "Positions",
    "proposal": "Proposals",
    "phase": "Phases",
    "term": "Terms",
    "mention": "Mentions",
    "introduction": "Introductions",
    "alias": "Aliases",
}


@dataclass
class SourceFacts:
    source: Document
    statements: list[Document]
    events: list[Document]
    positions: list[Document]
    terms: list[Document]
    proposals: list[Document]
    actors: list[Document]
    introductions: list[Document]
    calls: list[ApiCall]
    complete: bool


@cache
def _introductions() -> Select[Any]:
    intro, actor, source = table_of(Introduction), table_of(Actor), table_of(Source)
    return (
        select(
            actor.c.slug,
            actor.c.name,
            intro.c.titles,
            intro.c.evidence_start,
            intro.c.evidence_end,
            intro.c.evidence_text,
        )
        .join(actor, actor.c.id == intro.c.actor_id)
        .join(source, source.c.id == intro.c.source_id)
        .where(source.c.slug == bindparam("slug"))
        .order_by(intro.c.evidence_start, intro.c.id)
    )


async def read_source(reader: Reader, slug: str) -> SourceFacts | None:
    source = await source_detail(reader, slug)
    if source is None:
        return None
    query = [("source", slug)]
    statements = await every_item(
        reader,
        statement_page,
        StatementFilters(source=(slug,)),
        "/statements",
        query,
        label="its statements, with the actors they are about",
    )
    events = await every_item(
        reader,
        event_page,
        EventFilters(source=(slug,)),
        "/events",
        query,
        label="its events, with their participants",
    )
    positions = await every_item(
        reader,
        position_page,
        PositionFilters(source=(slug,)),
        "/positions",
        query,
        label="its positions",
    )
    terms = await every_item(
        reader, term_page, TermFilters(source=(slug,)), "/terms", query, sort="", label="its terms"
    )
    proposals = await every_item(
        reader,
        proposal_page,
        ProposalFilters(source=(slug,)),
        "/proposals",
        query,
        label="its proposals, with their phases",
    )
    actors = await every_item(
        reader,
        actor_page,
        ActorFilters(source=(slug,)),
        "/actors",
        query,
        sort="",
        label="the actors it introduces, with their aliases",
    )
    introductions = [
        {
            "actor": {"slug": actor_slug, "name": name},
            "titles": parsed_list(titles),
            "start": start,
            "end": end,
            "text": text,
        }
        for actor_slug, name, titles, start, end, text in await reader.rows(
            _introductions(), slug=slug
        )
    ]
    lists = [statements, events, positions, terms, proposals, actors]
    return SourceFacts(
        source=source,
        statements=statements.items,
        events=events.items,
        positions=positions.items,
        terms=terms.items,
        proposals=proposals.items,
        actors=actors.items,
        introductions=introductions,
        calls=[ApiCall(f"/sources/{slug}", (), "the source and its text")]
        + [found.call for found in lists],
        complete=all(found.complete for found in lists),
    )


def _here(evidence: Document, slug: str) -> bool:
    return bool(evidence["source"]["slug"] == slug)


def spans_of(facts: SourceFacts) -> list[Span]:
    """Every evidence span of the source, each with its kind, its id as the API names it, and
    the card that describes it."""
    slug = facts.source["slug"]
    spans: list[Span] = []

    def add(evidence: Document, kind: str, key: str, card: str, note: str = "") -> None:
        if _here(evidence, slug):
            spans.append(Span(evidence["start"], evidence["end"], kind, key, card, note))

    for statement in facts.statements:
        card = f"card-statement-{statement['id']}"
        add(statement["evidence"], "statement", str(statement["id"]), card)
        for mention in statement["about"]:
            actor = mention["actor"]
            key = f"statement/{statement['id']}/{actor['slug']}/{mention['role']}"
            note = f"{actor['name']}: {words(mention['role'])} of this statement"
            add(mention["evidence"], "mention", key, card, note)
    for event in facts.events:
        card = f"card-event-{event['slug']}"
        add(event["evidence"], "event", event["slug"], card)
        for participant in event["participants"]:
            actor = participant["actor"]
            key = f"{event['slug']}/{actor['slug']}/{participant['role']}"
            note = f"{actor['name']}: {words(participant['role'])} at this event"
            add(participant["evidence"], "participant", key, card, note)
        for mention in event["about"]:
            actor = mention["actor"]
            key = f"event/{event['slug']}/{actor['slug']}/{mention['role']}"
            note = f"{actor['name']}: {words(mention['role'])} of this event"
            add(mention["evidence"], "mention", key, card, note)
    for position in facts.positions:
        add(
            position["evidence"], "position", str(position["id"]), f"card-position-{position['id']}"
        )
    for term in facts.terms:
        add(term["evidence"], "term", term["slug"], f"card-term-{term['slug']}")
    for proposal in facts.proposals:
        card = f"card-proposal-{proposal['slug']}"
        add(proposal["evidence"], "proposal", proposal["slug"], card)
        for phase in proposal["phases"]:
            note = f"Phase {phase['number']}: {phase['title']}"
            add(phase["evidence"], "phase", f"{proposal['slug']}/{phase['number']}", card, note)
    for actor in facts.actors:
        card = f"card-actor-{actor['slug']}"
        for alias in actor["aliases"]:
            note = f"“{alias['name']}”: a name for {actor['name']}"
            add(alias["evidence"], "alias", f"{actor['slug']}/{alias['name']}", card, note)
    for intro in facts.introductions:
        actor = intro["actor"]
        titles = f" ({', '.join(intro['titles'])})" if intro["titles"] else ""
        spans.append(
            Span(
                intro["start"],
                intro["end"],
                "introduction",
                actor["slug"],
                f"card-actor-{actor['slug']}",
                f"{actor['name']}{titles} first named here",
            )
        )
    return _unique(spans)


def _unique(spans: list[Span]) -> list[Span]:
    """Two facts of a kind never share an id (two mentions of one actor in one statement, in
    the same role, get `…~2`)."""
    seen: Counter[tuple[str, str]] = Counter()
    unique = []
    for span in spans:
        seen[(span.kind, span.id)] += 1
        times = seen[(span.kind, span.id)]
        if times > 1:
            span = Span(span.start, span.end, span.kind, f"{span.id}~{times}", span.card, span.note)
        unique.append(span)
    return unique


@router.get("/read/sources/{slug}")
async def source_page(
    request: Request,
    db: DatabaseDep,
    slug: str = slug_path("The source's slug.", "wapo-2024-06-10-blinken"),
) -> Response:
    facts = await db.read(lambda reader: read_source(reader, slug))
    if facts is None:
        raise NotFound(f"No source is called {slug!r}. See {PAGES}/sources for them all.")
    spans = spans_of(facts)
    counts = Counter(span.kind for span in spans)
    legend = [(kind, KIND_LABELS[kind], counts[kind]) for kind in KIND_ORDER]
    return render_page(
        request,
        "source.html",
        api=facts.calls,
        facts=facts,
        text=marked_text(facts.source["text"], spans),
        marks=len(spans),
        legend=legend,
    )


@router.get("/read/sources")
async def sources_page(request: Request, db: DatabaseDep, cursor: str | None = None) -> Response:
    page = PageRequest("/sources", filters_fingerprint([]), "date", 50, cursor)
    answer = await db.read(lambda reader: list_sources(reader, page, last=True))
    query = [("cursor", cursor)] if cursor else []
    return render_page(
        request,
        "sources.html",
        api=[ApiCall("/sources", tuple(query))],
        answer=answer,
        links=page_links(f"{PAGES}/sources", query, answer.result),
    )
