"""The seed files' schema (see seed/README.md): the actor registry and the curated articles.

Parsing checks every field's type, vocabulary and date, and that every value fits the database
on both SQLite and PostgreSQL (no NUL character, integers within 32 bits, strings within their
column); `api.loader` then checks what only the whole file can tell (references, unique slugs,
evidence found exactly once in the article).
"""

import calendar
from datetime import date, timedelta
from typing import Annotated, Any, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

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

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=200)]
Text = Annotated[str, StringConstraints(min_length=1)]
# For fields stored in String(n) columns: PostgreSQL refuses a longer value, so the schema does too.
UpTo200 = StringConstraints(max_length=200)
UpTo300 = StringConstraints(max_length=300)


# A count stored in an INTEGER column: PostgreSQL's are 32 bits.
Count = Annotated[int, Field(ge=0, le=2**31 - 1)]


def _refuse_nul(value: Any) -> Any:
    if isinstance(value, str) and "\x00" in value:
        raise ValueError("contains a NUL character, which no database text can hold")
    if isinstance(value, list):
        for item in value:
            _refuse_nul(item)
    return value


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @field_validator("*", mode="after")
    @classmethod
    def no_nul(cls, value: Any) -> Any:
        return _refuse_nul(value)


class Quote(Strict):
    """A W3C TextQuoteSelector: `prefix + exact + suffix` occurs exactly once in the article."""

    exact: Text
    prefix: str = ""
    suffix: str = ""


EvidenceSpec = Text | Quote


class DateSpec(Strict):
    start: date | None = None
    end: date | None = None
    precision: DatePrecision
    as_written: Annotated[str, UpTo200] = ""

    @model_validator(mode="after")
    def consistent_with_precision(self) -> Self:
        start, end, precision = self.start, self.end, self.precision
        if precision is DatePrecision.unknown:
            if start or end:
                raise ValueError("an unknown date has no start or end")
            return self
        if start is None:
            raise ValueError(f"a {precision} date needs a start")
        if end is not None and end < start:
            raise ValueError(f"end {end} is before start {start}")
        if precision is DatePrecision.week and (
            start.weekday() != 0 or end != start + timedelta(days=6)
        ):
            raise ValueError("a week runs from a Monday (start) to the Sunday after it (end)")
        if precision is DatePrecision.month:
            last = calendar.monthrange(start.year, start.month)[1]
            if start.day != 1 or end != start.replace(day=last):
                raise ValueError("a month runs from its first day (start) to its last day (end)")
        return self


class AliasSpec(Strict):
    name: Annotated[Text, UpTo300]
    evidence: EvidenceSpec


class RegistryActorSpec(Strict):
    """An actor of the shared registry (seed/actors.yaml): who they are, for every source."""

    slug: Slug
    name: Annotated[Text, UpTo300]
    kind: ActorKind
    affiliation: Slug | None = None
    description: str | None = None
    wikidata: Annotated[str, StringConstraints(pattern=r"^Q[1-9][0-9]{0,30}$")] | None = None
    aliases: list[Annotated[Text, UpTo300]] = []


class RegistryFile(Strict):
    actors: list[RegistryActorSpec]


class IntroductionSpec(Strict):
    """How a source introduces an actor of the registry: the titles it gives, and its names."""

    actor: Slug
    titles: list[Annotated[Text, UpTo300]] = []
    evidence: EvidenceSpec
    aliases: list[AliasSpec] = []


class MentionSpec(Strict):
    """An actor a statement or an event is about, where the text names them."""

    actor: Slug
    role: MentionRole
    evidence: EvidenceSpec


class ParticipantSpec(Strict):
    actor: Slug
    role: ParticipantRole
    evidence: EvidenceSpec


class OutcomeSpec(Strict):
    summary: str | None = None
    votes_for: Count | None = None
    votes_against: Count | None = None
    abstentions: Count | None = None
    hostages_freed: Count | None = None
    casualties: str | None = None


class EventSpec(Strict):
    slug: Slug
    kind: EventKind
    title: Text
    description: str | None = None
    date: DateSpec
    location: Annotated[str, UpTo300] | None = None
    outcome: OutcomeSpec | None = None
    evidence: EvidenceSpec
    participants: list[ParticipantSpec] = []
    about: list[MentionSpec] = []


class PhaseSpec(Strict):
    number: Annotated[int, Field(ge=1, le=1000)]
    title: Text
    description: str | None = None
    evidence: EvidenceSpec


class TermSpec(Strict):
    slug: Slug
    phase: Annotated[int, Field(ge=1, le=1000)] | None = None
    kind: TermKind
    title: Annotated[Text, UpTo300]
    evidence: EvidenceSpec


class ProposalSpec(Strict):
    slug: Slug
    title: Text
    description: str | None = None
    status: ProposalStatus
    status_note: str | None = None
    proposed_by: Slug | None = None
    date: DateSpec
    evidence: EvidenceSpec
    phases: list[PhaseSpec] = []
    terms: list[TermSpec] = []


class StatementSpec(Strict):
    slug: Slug
    speaker: Slug
    mode: StatementMode
    text: Text
    cue: Annotated[str, UpTo200] | None = None
    setting: Annotated[str, UpTo300] | None = None
    date: DateSpec
    event: Slug | None = None
    terms: list[Slug] = []
    about: list[MentionSpec] = []
    # A statement of another source that reports the same words (corroboration).
    same_as: Slug | None = None
    evidence: EvidenceSpec


class PositionSpec(Strict):
    actor: Slug
    proposal: Slug | None = None
    term: Slug | None = None
    stance: Stance
    condition: str | None = None
    date: DateSpec
    statement: Slug | None = None
    event: Slug | None = None
    evidence: EvidenceSpec

    @model_validator(mode="after")
    def names_proposal_or_term(self) -> Self:
        if (self.proposal is None) == (self.term is None):
            raise ValueError("a position names exactly one of `proposal` or `term`")
        return self


class SourceSpec(Strict):
    slug: Slug
    file: Text
    sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
    title: Text
    publisher: Annotated[Text, UpTo200]
    published: date
    dateline: Annotated[str, UpTo200] | None = None
    byline_note: str | None = None


class SeedFile(Strict):
    """One curated source: its metadata, and every fact it holds with its evidence."""

    source: SourceSpec
    actors: list[IntroductionSpec] = []
    events: list[EventSpec] = []
    proposals: list[ProposalSpec] = []
    statements: list[StatementSpec] = []
    positions: list[PositionSpec] = []


# JSON Schemas of the two kinds of seed file, for editors (yaml-language-server) and a data
# repository's CI: `eventdb schemas` writes them into seed/.
SCHEMA_FILES: dict[str, type[BaseModel]] = {
    "actors.schema.json": RegistryFile,
    "source.schema.json": SeedFile,
}


def json_schema(model: type[BaseModel]) -> dict[str, Any]:
    schema = model.model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}
