"""The seed file's schema (see seed/README.md): what a curated article must look like.

Parsing checks every field's type, vocabulary and date; `api.loader` then checks what only the
whole file can tell (references, unique slugs, evidence found exactly once in the article).
"""

import calendar
from datetime import date, timedelta
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from api.vocabulary import (
    ActorKind,
    DatePrecision,
    EventKind,
    ParticipantRole,
    Stance,
    StatementMode,
    TermKind,
)

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=200)]
Text = Annotated[str, StringConstraints(min_length=1)]
# For fields stored in String(n) columns: PostgreSQL refuses a longer value, so the schema does too.
UpTo200 = StringConstraints(max_length=200)
UpTo300 = StringConstraints(max_length=300)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Quote(Strict):
    """A W3C TextQuoteSelector: `prefix + exact + suffix` occurs exactly once in the article."""

    exact: Text
    prefix: str = ""
    suffix: str = ""


Evidence = Text | Quote


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
    evidence: Evidence


class ActorSpec(Strict):
    slug: Slug
    name: Annotated[Text, UpTo300]
    kind: ActorKind
    titles: list[Text] = []
    affiliation: Slug | None = None
    description: str | None = None
    wikidata: Annotated[str, StringConstraints(pattern=r"^Q[1-9][0-9]{0,30}$")] | None = None
    evidence: Evidence
    aliases: list[AliasSpec] = []


class ParticipantSpec(Strict):
    actor: Slug
    role: ParticipantRole
    evidence: Evidence


class OutcomeSpec(Strict):
    summary: str | None = None
    votes_for: Annotated[int, Field(ge=0)] | None = None
    votes_against: Annotated[int, Field(ge=0)] | None = None
    abstentions: Annotated[int, Field(ge=0)] | None = None
    hostages_freed: Annotated[int, Field(ge=0)] | None = None
    casualties: str | None = None


class EventSpec(Strict):
    slug: Slug
    kind: EventKind
    title: Text
    description: str | None = None
    date: DateSpec
    location: Annotated[str, UpTo300] | None = None
    outcome: OutcomeSpec | None = None
    evidence: Evidence
    participants: list[ParticipantSpec] = []


class PhaseSpec(Strict):
    number: Annotated[int, Field(ge=1)]
    title: Text
    description: str | None = None
    evidence: Evidence


class TermSpec(Strict):
    slug: Slug
    phase: int | None = None
    kind: TermKind
    label: Annotated[Text, UpTo300]
    evidence: Evidence


class ProposalSpec(Strict):
    slug: Slug
    title: Text
    description: str | None = None
    status: str | None = None
    proposed_by: Slug | None = None
    date: DateSpec
    evidence: Evidence
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
    evidence: Evidence


class PositionSpec(Strict):
    actor: Slug
    proposal: Slug | None = None
    term: Slug | None = None
    stance: Stance
    condition: str | None = None
    as_of: DateSpec
    statement: Slug | None = None
    event: Slug | None = None
    evidence: Evidence

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
    source: SourceSpec
    actors: list[ActorSpec] = []
    events: list[EventSpec] = []
    proposals: list[ProposalSpec] = []
    statements: list[StatementSpec] = []
    positions: list[PositionSpec] = []
