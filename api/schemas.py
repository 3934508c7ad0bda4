"""The JSON shapes of the API, and how each is built from database rows.

Shapes are stable: a list item and the detail of the same resource have the same fields, and
every fact embeds its `evidence` and enough of its related objects (slug and name) to be read
without a second call.
"""

from datetime import date
from typing import Annotated, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from api import models
from api.vocabulary import (
    ActorKind,
    DatePrecision,
    EventKind,
    ParticipantRole,
    Stance,
    StatementMode,
    TermKind,
)

T = TypeVar("T")


class Schema(BaseModel):
    model_config = ConfigDict(frozen=True)


class Evidence(Schema):
    """The exact characters of the source that support a fact: `source.text[start:end] == text`."""

    source: str = Field(description="Slug of the source.", examples=["wapo-2024-06-10-blinken"])
    start: int = Field(
        description="Offset of the first character (Unicode code points).", examples=[216]
    )
    end: int = Field(description="Offset just past the last character.", examples=[303])
    text: str = Field(
        description="The supporting text, verbatim.",
        examples=[
            "Secretary of State Antony Blinken on Monday urged world leaders to pressure Hamas"
        ],
    )


class DateInfo(Schema):
    """When a fact happened, as precisely as the article says: an inclusive period."""

    start: date | None = Field(
        description="First day of the period; null if undated.", examples=["2024-06-10"]
    )
    end: date | None = Field(
        description="Last day of the period; null if open-ended or undated.",
        examples=["2024-06-10"],
    )
    precision: DatePrecision = Field(examples=["day"])
    as_written: str = Field(description="The expression in the article.", examples=["Monday"])


class ActorRef(Schema):
    slug: str = Field(examples=["antony-blinken"])
    name: str = Field(examples=["Antony Blinken"])
    kind: ActorKind = Field(examples=["person"])


class Alias(Schema):
    name: str = Field(examples=["the top U.S. diplomat"])
    evidence: Evidence


class ActorCounts(Schema):
    statements: int = Field(description="Statements the actor made.", examples=[9])
    events: int = Field(description="Events the actor took part in.", examples=[5])
    positions: int = Field(description="Positions the actor holds.", examples=[2])


class Actor(Schema):
    slug: str = Field(examples=["antony-blinken"])
    name: str = Field(examples=["Antony Blinken"])
    kind: ActorKind = Field(examples=["person"])
    titles: list[str] = Field(
        description="Titles and roles as the article states them.",
        examples=[["Secretary of State"]],
    )
    affiliation: ActorRef | None
    description: str | None = Field(examples=["U.S. secretary of state."])
    wikidata_id: str | None = Field(examples=["Q6279"])
    aliases: list[Alias] = Field(description="Every way the article names the actor.")
    evidence: Evidence
    counts: ActorCounts | None = Field(None, description="Only in GET /actors/{slug}.")


class Outcome(Schema):
    summary: str | None = Field(examples=["Adopted 14-0; Russia abstained."])
    votes_for: int | None = Field(examples=[14])
    votes_against: int | None = Field(examples=[0])
    abstentions: int | None = Field(examples=[1])
    hostages_freed: int | None = Field(examples=[None])
    casualties: str | None = Field(examples=[None])


class Participant(Schema):
    actor: ActorRef
    role: ParticipantRole = Field(examples=["visitor"])
    evidence: Evidence


class EventRef(Schema):
    slug: str = Field(examples=["blinken-meets-sisi"])
    kind: EventKind = Field(examples=["meeting"])
    title: str = Field(examples=["Blinken meets Egyptian President Abdel Fatah El-Sisi in Cairo"])


class Event(Schema):
    slug: str = Field(examples=["blinken-meets-sisi"])
    kind: EventKind = Field(examples=["meeting"])
    title: str = Field(examples=["Blinken meets Egyptian President Abdel Fatah El-Sisi in Cairo"])
    description: str | None
    date: DateInfo
    location: str | None = Field(examples=["Cairo, Egypt"])
    outcome: Outcome
    participants: list[Participant]
    evidence: Evidence


class TermRef(Schema):
    slug: str = Field(examples=["permanent-ceasefire"])
    label: str = Field(examples=["Permanent cease-fire"])


class StatementRef(Schema):
    id: int = Field(examples=[12])
    slug: str = Field(examples=["blinken-press-hamas-to-say-yes"])
    speaker: ActorRef = Field(description="Who said it: a position may be someone's claim.")
    text: str = Field(examples=["If you want a cease-fire, press Hamas to say yes"])


class Statement(Schema):
    id: int = Field(examples=[12])
    slug: str = Field(examples=["blinken-press-hamas-to-say-yes"])
    speaker: ActorRef
    anonymous: bool = Field(description="The speaker is an anonymous source.", examples=[False])
    text: str = Field(
        description="Verbatim words for a direct quote; the article's words for a reported claim.",
        examples=["If you want a cease-fire, press Hamas to say yes"],
    )
    mode: StatementMode = Field(examples=["direct"])
    cue: str | None = Field(examples=["told reporters"])
    setting: str | None = Field(examples=["reporters in Cairo"])
    date: DateInfo
    event: EventRef | None
    terms: list[TermRef] = Field(description="Proposal terms the statement is about.")
    evidence: Evidence


class ProposalRef(Schema):
    slug: str = Field(examples=["gaza-ceasefire-proposal"])
    title: str = Field(examples=["Three-part cease-fire and hostage-release proposal"])


class PhaseRef(Schema):
    number: int = Field(examples=[1])
    title: str = Field(examples=["Six-week cease-fire and first exchange"])


class Phase(Schema):
    number: int = Field(examples=[1])
    title: str = Field(examples=["Six-week cease-fire and first exchange"])
    description: str | None
    evidence: Evidence


class Term(Schema):
    slug: str = Field(examples=["six-week-ceasefire"])
    proposal: ProposalRef
    phase: PhaseRef | None = Field(description="Null for a term that governs the whole proposal.")
    position: int = Field(description="Order of the term within its proposal.", examples=[1])
    kind: TermKind = Field(examples=["provision"])
    label: str = Field(examples=["Six-week cease-fire"])
    text: str = Field(
        description="The term in the article's words.", examples=["a six-week cease-fire"]
    )
    evidence: Evidence


class Proposal(Schema):
    slug: str = Field(examples=["gaza-ceasefire-proposal"])
    title: str = Field(examples=["Three-part cease-fire and hostage-release proposal"])
    description: str | None
    status: str | None = Field(examples=["on the table"])
    proposed_by: ActorRef | None
    date: DateInfo
    phases: list[Phase]
    terms: list[Term]
    evidence: Evidence


class Position(Schema):
    id: int = Field(examples=[3])
    actor: ActorRef
    proposal: ProposalRef
    term: TermRef | None = Field(description="Null for a position on the proposal as a whole.")
    stance: Stance = Field(examples=["conditional"])
    condition: str | None = Field(examples=["only if Israel were to provide a written guarantee"])
    as_of: DateInfo
    statement: StatementRef | None = Field(description="The statement that shows the position.")
    event: EventRef | None = Field(description="The event that shows the position.")
    evidence: Evidence


class TimelineItem(Schema):
    """One entry of the timeline: an event or a statement (the other field is null)."""

    type: Literal["event", "statement"] = Field(examples=["statement"])
    date: DateInfo
    event: Event | None
    statement: Statement | None


class Source(Schema):
    slug: str = Field(examples=["wapo-2024-06-10-blinken"])
    title: str = Field(
        examples=["Blinken ramps up pressure on Hamas amid doubts about cease-fire deal"]
    )
    publisher: str = Field(examples=["The Washington Post"])
    published: date = Field(examples=["2024-06-10"])
    dateline: str | None = Field(examples=["TEL AVIV"])
    byline_note: str | None = Field(examples=["DeYoung reported from Washington."])
    sha256: str = Field(description="sha256 of the text, as UTF-8.")
    length: int = Field(description="Length of the text in Unicode code points.", examples=[9831])
    text: str | None = Field(None, description="The full text; only in GET /sources/{slug}.")


class Page(Schema, Generic[T]):
    """One page of a list. Follow `next_cursor` (or the `Link: rel="next"` header) for the next."""

    total: int = Field(
        description="Items matching the filters, on all pages, counted up to 1,000.", examples=[42]
    )
    total_exact: bool = Field(
        description="False when more than 1,000 items match: `total` is then 1,000.",
        examples=[True],
    )
    limit: int = Field(examples=[50])
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null on the last page."
    )
    items: list[T]


class Health(Schema):
    status: Annotated[str, Field(examples=["ok"])]
    revision: str | None = Field(None, description="Schema migration the database is at (/readyz).")


# Building the shapes from rows -------------------------------------------------------------


def evidence(row: models.Evidenced, source_slug: str) -> Evidence:
    return Evidence(
        source=source_slug, start=row.evidence_start, end=row.evidence_end, text=row.evidence_text
    )


def date_info(row: models.Dated) -> DateInfo:
    return DateInfo(
        start=row.date_start,
        end=row.date_end,
        precision=row.date_precision,
        as_written=row.date_text,
    )


def actor_ref(actor: models.Actor) -> ActorRef:
    return ActorRef(slug=actor.slug, name=actor.name, kind=actor.kind)


def actor(row: models.Actor, counts: ActorCounts | None = None) -> Actor:
    source = row.source.slug
    return Actor(
        slug=row.slug,
        name=row.name,
        kind=row.kind,
        titles=row.titles,
        affiliation=actor_ref(row.affiliation) if row.affiliation else None,
        description=row.description,
        wikidata_id=row.wikidata_id,
        aliases=[Alias(name=a.name, evidence=evidence(a, source)) for a in row.aliases],
        evidence=evidence(row, source),
        counts=counts,
    )


def event_ref(row: models.Event) -> EventRef:
    return EventRef(slug=row.slug, kind=row.kind, title=row.title)


def event(row: models.Event) -> Event:
    source = row.source.slug
    return Event(
        slug=row.slug,
        kind=row.kind,
        title=row.title,
        description=row.description,
        date=date_info(row),
        location=row.location,
        outcome=Outcome(
            summary=row.outcome,
            votes_for=row.votes_for,
            votes_against=row.votes_against,
            abstentions=row.abstentions,
            hostages_freed=row.hostages_freed,
            casualties=row.casualties,
        ),
        participants=[
            Participant(actor=actor_ref(p.actor), role=p.role, evidence=evidence(p, source))
            for p in row.participants
        ],
        evidence=evidence(row, source),
    )


def statement(row: models.Statement) -> Statement:
    return Statement(
        id=row.id,
        slug=row.slug,
        speaker=actor_ref(row.speaker),
        anonymous=row.speaker.kind == ActorKind.anonymous_source,
        text=row.text,
        mode=row.mode,
        cue=row.cue,
        setting=row.setting,
        date=date_info(row),
        event=event_ref(row.event) if row.event else None,
        terms=[TermRef(slug=t.slug, label=t.label) for t in row.terms],
        evidence=evidence(row, row.source.slug),
    )


def term(row: models.Term) -> Term:
    return Term(
        slug=row.slug,
        proposal=ProposalRef(slug=row.proposal.slug, title=row.proposal.title),
        phase=PhaseRef(number=row.phase.number, title=row.phase.title) if row.phase else None,
        position=row.position,
        kind=row.kind,
        label=row.label,
        text=row.evidence_text,
        evidence=evidence(row, row.source.slug),
    )


def proposal(row: models.Proposal) -> Proposal:
    source = row.source.slug
    return Proposal(
        slug=row.slug,
        title=row.title,
        description=row.description,
        status=row.status,
        proposed_by=actor_ref(row.proposed_by) if row.proposed_by else None,
        date=date_info(row),
        phases=[
            Phase(
                number=p.number,
                title=p.title,
                description=p.description,
                evidence=evidence(p, source),
            )
            for p in row.phases
        ],
        terms=[term(t) for t in row.terms],
        evidence=evidence(row, source),
    )


def position(row: models.Position) -> Position:
    return Position(
        id=row.id,
        actor=actor_ref(row.actor),
        proposal=ProposalRef(slug=row.proposal.slug, title=row.proposal.title),
        term=TermRef(slug=row.term.slug, label=row.term.label) if row.term else None,
        stance=row.stance,
        condition=row.condition,
        as_of=date_info(row),
        statement=(
            StatementRef(
                id=row.statement.id,
                slug=row.statement.slug,
                speaker=actor_ref(row.statement.speaker),
                text=row.statement.text,
            )
            if row.statement
            else None
        ),
        event=event_ref(row.event) if row.event else None,
        evidence=evidence(row, row.source.slug),
    )


def source(row: models.Source, with_text: bool = False) -> Source:
    return Source(
        slug=row.slug,
        title=row.title,
        publisher=row.publisher,
        published=row.published,
        dateline=row.dateline,
        byline_note=row.byline_note,
        sha256=row.sha256,
        length=len(row.text),
        text=row.text if with_text else None,
    )
