"""The JSON shapes of the API: the OpenAPI contract.

The server does not build answers from these models (api.documents builds plain dicts, for
speed); the tests validate real answers against the published schema, so the two cannot drift.

Shapes are stable: every key is always present (null when empty), a list item and the detail of
the same resource share their fields (a detail may add some: `ActorDetail.counts`,
`SourceDetail.text`), every fact embeds its `evidence`, and every reference to another resource
is an object with its slug and a name or title, so it can be read without a second call.
"""

from datetime import date
from typing import Annotated, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema

from api.vocabulary import (
    ActorKind,
    DatePrecision,
    EventKind,
    MentionRole,
    ParticipantRole,
    ProposalStatus,
    Stance,
    StatementMode,
    TermKind,
)

T = TypeVar("T")


class Schema(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SourceRef(Schema):
    slug: str = Field(examples=["wapo-2024-06-10-blinken"])
    title: str = Field(
        examples=["Blinken ramps up pressure on Hamas amid doubts about cease-fire deal"]
    )


class Sentence(Schema):
    """The whole sentence(s) of the source that hold the evidence, with their own offsets."""

    start: int = Field(examples=[81])
    end: int = Field(examples=[255])
    text: str


class Evidence(Schema):
    """The exact characters of the source that support a fact: `source.text[start:end] == text`
    (offsets in Unicode code points), and the sentence they sit in."""

    source: SourceRef
    start: int = Field(description="Offset of the first character.", examples=[81])
    end: int = Field(description="Offset just past the last character.", examples=[190])
    text: str = Field(
        description="The supporting text, verbatim.",
        examples=["Secretary of State Antony Blinken on Monday urged world leaders"],
    )
    sentence: Sentence


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
    as_written: str = Field(
        description="The expression in the article; empty when the sentence that carries the "
        "fact has no date expression of its own.",
        examples=["Monday"],
    )


class ActorRef(Schema):
    slug: str = Field(examples=["antony-blinken"])
    name: str = Field(examples=["Antony Blinken"])
    kind: ActorKind = Field(examples=["person"])


class Alias(Schema):
    name: str = Field(examples=["the top U.S. diplomat"])
    evidence: Evidence


class Actor(Schema):
    slug: str = Field(examples=["antony-blinken"])
    name: str = Field(examples=["Antony Blinken"])
    kind: ActorKind = Field(examples=["person"])
    titles: list[str] = Field(
        description="Titles as the first source that introduces the actor states them.",
        examples=[["Secretary of State"]],
    )
    affiliation: ActorRef | None
    description: str | None = Field(examples=["U.S. secretary of state."])
    wikidata_id: str | None = Field(examples=["Q6279"])
    aliases: list[Alias] = Field(description="The names sources use, each where first written.")
    evidence: Evidence | None = Field(
        description="Where the first source introduces the actor; null for an actor of the "
        "registry that no loaded source introduces."
    )


class ActorCounts(Schema):
    statements: int = Field(description="Statements the actor made.", examples=[9])
    events: int = Field(description="Events the actor took part in.", examples=[5])
    positions: int = Field(description="Positions the actor holds.", examples=[2])
    mentions: int = Field(description="Statements and events about the actor.", examples=[7])


class ActorDetail(Actor):
    counts: ActorCounts


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


class Mention(Schema):
    """An actor a statement or an event is about, where the text names them."""

    actor: ActorRef
    role: MentionRole = Field(examples=["subject"])
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
    about: list[Mention] = Field(description="The actors the event is about.")
    evidence: Evidence


class TermRef(Schema):
    slug: str = Field(examples=["permanent-ceasefire"])
    title: str = Field(examples=["Permanent cease-fire"])


class StatementRef(Schema):
    id: int = Field(examples=[12])
    slug: str = Field(examples=["blinken-press-hamas-to-say-yes"])
    speaker: ActorRef = Field(description="Who said it: a position may be someone's claim.")
    text: str = Field(examples=["If you want a cease-fire, press Hamas to say yes"])


class SameAs(Schema):
    """A statement of another source that reports the same words."""

    id: int = Field(examples=[71])
    slug: str = Field(examples=["nbc-blinken-press-hamas"])
    source: SourceRef


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
    about: list[Mention] = Field(description="The actors the statement is about.")
    same_as: list[SameAs] = Field(
        description="Statements of other sources that report the same words (corroboration)."
    )
    evidence: Evidence


class ProposalRef(Schema):
    slug: str = Field(examples=["gaza-ceasefire-proposal"])
    title: str = Field(examples=["Three-part cease-fire and hostage-release proposal"])


class PhaseRef(Schema):
    number: int = Field(examples=[1])
    title: str = Field(examples=["Six-week cease-fire"])


class Phase(Schema):
    number: int = Field(examples=[1])
    title: str = Field(examples=["Six-week cease-fire"])
    description: str | None
    evidence: Evidence


class Term(Schema):
    slug: str = Field(examples=["six-week-ceasefire"])
    proposal: ProposalRef
    phase: PhaseRef | None = Field(description="Null for a term that governs the whole proposal.")
    number: int = Field(description="Order of the term within its proposal.", examples=[1])
    kind: TermKind = Field(examples=["provision"])
    title: str = Field(examples=["Six-week cease-fire"])
    text: str = Field(
        description="The term in the article's words.", examples=["a six-week cease-fire"]
    )
    evidence: Evidence


class Proposal(Schema):
    slug: str = Field(examples=["gaza-ceasefire-proposal"])
    title: str = Field(examples=["Three-part cease-fire and hostage-release proposal"])
    description: str | None
    status: ProposalStatus = Field(examples=["under_negotiation"])
    status_note: str | None = Field(
        description="Where each party stands, in a sentence.",
        examples=["welcomed by Hamas, which demands further guarantees"],
    )
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
    date: DateInfo
    statement: StatementRef | None = Field(description="The statement that shows the position.")
    event: EventRef | None = Field(description="The event that shows the position.")
    evidence: Evidence


class EventItem(Schema):
    type: Literal["event"]
    date: DateInfo
    event: Event


class StatementItem(Schema):
    type: Literal["statement"]
    date: DateInfo
    statement: Statement


TimelineItem = Annotated[EventItem | StatementItem, Field(discriminator="type")]


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


class SourceFacts(Schema):
    """Lists of the facts of the source (paths of this API)."""

    statements: str = Field(examples=["/statements?source=wapo-2024-06-10-blinken"])
    events: str
    positions: str
    terms: str
    proposals: str
    actors: str
    timeline: str


class SourceDetail(Source):
    text: str = Field(description="The full text; evidence offsets point into it.")
    facts: SourceFacts


class FacetValue(Schema):
    value: str = Field(examples=["antony-blinken"])
    label: str = Field(description="A name or title to show.", examples=["Antony Blinken"])
    count: int = Field(examples=[12])


class Facet(Schema):
    """How many items of the list (under its filters) have each value, most first."""

    values: list[FacetValue]
    exact: bool = Field(
        description="False when the list has more items than were counted (see the README): "
        "the counts are then of the first items only, and a lower bound."
    )


class Page(Schema, Generic[T]):
    """One page of a list. Follow `next` (or the `Link: rel="next"` header) for the next."""

    total: int = Field(
        description="Items matching the filters, on all pages, counted up to 1,000.", examples=[42]
    )
    total_exact: bool = Field(
        description="False when more than 1,000 items match: `total` is then 1,000.",
        examples=[True],
    )
    limit: int = Field(examples=[50])
    next_cursor: str | None = Field(description="`cursor` for the next page; null on the last.")
    prev_cursor: str | None = Field(
        description="`cursor` for the page before; null on the first page."
    )
    next: str | None = Field(description="URL of the next page; null on the last.")
    prev: str | None = Field(description="URL of the page before; null on the first page.")
    first: str = Field(description="URL of the first page.")
    items: list[T]


# Facets: one optional field per facet a list takes, present when asked for with `facets=`.
FACETS = "The facets asked for with `facets=`, by name; empty when none was."
AskedFacet = Facet | SkipJsonSchema[None]


class ActorFacets(Schema):
    kind: AskedFacet = None
    affiliation: AskedFacet = None
    source: AskedFacet = None


class EventFacets(Schema):
    kind: AskedFacet = None
    precision: AskedFacet = None
    actor: AskedFacet = None
    role: AskedFacet = None
    about: AskedFacet = None
    location: AskedFacet = None
    source: AskedFacet = None


class StatementFacets(Schema):
    speaker: AskedFacet = None
    about: AskedFacet = None
    mode: AskedFacet = None
    precision: AskedFacet = None
    event: AskedFacet = None
    term: AskedFacet = None
    source: AskedFacet = None


class ProposalFacets(Schema):
    status: AskedFacet = None
    precision: AskedFacet = None
    source: AskedFacet = None


class TermFacets(Schema):
    kind: AskedFacet = None
    proposal: AskedFacet = None
    phase: AskedFacet = None
    source: AskedFacet = None


class PositionFacets(Schema):
    actor: AskedFacet = None
    stance: AskedFacet = None
    term: AskedFacet = None
    proposal: AskedFacet = None
    precision: AskedFacet = None
    source: AskedFacet = None


class ActorPage(Page[Actor]):
    facets: ActorFacets = Field(description=FACETS)


class EventPage(Page[Event]):
    facets: EventFacets = Field(description=FACETS)


class StatementPage(Page[Statement]):
    facets: StatementFacets = Field(description=FACETS)


class ProposalPage(Page[Proposal]):
    facets: ProposalFacets = Field(description=FACETS)


class TermPage(Page[Term]):
    facets: TermFacets = Field(description=FACETS)


class PositionPage(Page[Position]):
    facets: PositionFacets = Field(description=FACETS)


class TimelinePage(Page[TimelineItem]):
    pass


class SourcePage(Page[Source]):
    pass


class Health(Schema):
    status: Literal["ok", "ready"] = Field(examples=["ok"])
    revision: str | None = Field(description="Schema migration the database is at (/readyz).")
