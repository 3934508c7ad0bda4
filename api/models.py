"""The database schema, as typed SQLAlchemy models.

Every fact row carries its evidence (`Evidenced`): the source it comes from and the character span
of the source text that supports it, with the excerpt itself so that an answer never needs the
whole article to show its proof. Dated rows (`Dated`) keep the resolved period, its precision and
the expression as the article wrote it.
"""

from datetime import date, timedelta
from enum import IntEnum, StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    Date,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column, relationship

from api.vocabulary import (
    ActorKind,
    DatePrecision,
    EventKind,
    ParticipantRole,
    Stance,
    StatementMode,
    TermKind,
)

# Named constraints make migrations reproducible on both databases.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def vocabulary(enum: type[StrEnum], name: str) -> Enum:
    """A closed word list stored as text with a CHECK constraint (portable: no native enum)."""
    return Enum(
        enum,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def evidence_span_check() -> CheckConstraint:
    return CheckConstraint("evidence_start >= 0 AND evidence_end > evidence_start", name="span")


class Evidenced:
    """The span of a source that supports a row.

    Always `source.text[evidence_start:evidence_end] == evidence_text`.
    """

    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"), index=True)
    evidence_start: Mapped[int]
    evidence_end: Mapped[int]
    evidence_text: Mapped[str] = mapped_column(Text)

    @declared_attr
    def source(cls) -> Mapped["Source"]:
        return relationship("Source")


class Span(IntEnum):
    """How long a dated fact's period is, so a date range query can find the facts that began
    before the range but overlap it without walking every earlier fact (see api.queries)."""

    day = 0  # one day, or undated
    short = 1  # two days to SHORT_SPAN
    long = 2  # longer than SHORT_SPAN, or open-ended


SHORT_SPAN = timedelta(days=31)


class Dated:
    """A resolved period [date_start, date_end] (inclusive; no end = open), as precise as the text.

    `sort_date` is what lists order by: the start, or for an undated fact the date it was reported.
    """

    date_start: Mapped[date | None] = mapped_column(Date)
    date_end: Mapped[date | None] = mapped_column(Date)
    date_precision: Mapped[DatePrecision] = mapped_column(vocabulary(DatePrecision, "precision"))
    date_text: Mapped[str] = mapped_column(String(200), default="")
    sort_date: Mapped[date] = mapped_column(Date)
    span: Mapped[int] = mapped_column(SmallInteger)


def dated_columns(
    start: date | None, end: date | None, precision: str, as_written: str, reported: date
) -> dict[str, Any]:
    """The `Dated` columns of a fact; a one-day period ends on the day it starts."""
    if precision == DatePrecision.day and end is None:
        end = start
    if start is None or end == start:
        span = Span.day
    elif end is not None and end - start <= SHORT_SPAN:
        span = Span.short
    else:
        span = Span.long
    return {
        "date_start": start,
        "date_end": end,
        "date_precision": str(precision),
        "date_text": as_written,
        "sort_date": start or end or reported,
        "span": int(span),
    }


class Source(Base):
    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    title: Mapped[str] = mapped_column(Text)
    publisher: Mapped[str] = mapped_column(String(200))
    published: Mapped[date] = mapped_column(Date)
    dateline: Mapped[str | None] = mapped_column(String(200))
    byline_note: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    # sha256 of the seed file that curated this source: reseeding the same file is a no-op.
    seed_sha256: Mapped[str] = mapped_column(String(64))


class Actor(Evidenced, Base):
    __tablename__ = "actors"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    name_key: Mapped[str] = mapped_column(String(300), index=True)  # api.text.fold(name)
    kind: Mapped[ActorKind] = mapped_column(vocabulary(ActorKind, "actor_kind"), index=True)
    titles: Mapped[list[str]] = mapped_column(JSON, default=list)
    affiliation_id: Mapped[int | None] = mapped_column(ForeignKey("actors.id"), index=True)
    description: Mapped[str | None] = mapped_column(Text)
    wikidata_id: Mapped[str | None] = mapped_column(String(32))

    affiliation: Mapped["Actor | None"] = relationship(remote_side=[id])
    aliases: Mapped[list["Alias"]] = relationship(
        back_populates="actor", order_by="Alias.id", cascade="all, delete-orphan"
    )

    __table_args__ = (evidence_span_check(),)


class Alias(Evidenced, Base):
    __tablename__ = "aliases"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    # The name folded for lookups: lower case, no accents, punctuation as spaces ("el sisi").
    name_key: Mapped[str] = mapped_column(String(300), index=True)

    actor: Mapped[Actor] = relationship(back_populates="aliases")

    __table_args__ = (evidence_span_check(),)


class Event(Dated, Evidenced, Base):
    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[EventKind] = mapped_column(vocabulary(EventKind, "event_kind"))
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    location: Mapped[str | None] = mapped_column(String(300))
    outcome: Mapped[str | None] = mapped_column(Text)
    votes_for: Mapped[int | None] = mapped_column(Integer)
    votes_against: Mapped[int | None] = mapped_column(Integer)
    abstentions: Mapped[int | None] = mapped_column(Integer)
    hostages_freed: Mapped[int | None] = mapped_column(Integer)
    casualties: Mapped[str | None] = mapped_column(Text)
    search_text: Mapped[str] = mapped_column(Text)

    participants: Mapped[list["Participant"]] = relationship(
        back_populates="event", order_by="Participant.id", cascade="all, delete-orphan"
    )

    __table_args__ = (
        evidence_span_check(),
        Index("ix_events_sort", "sort_date", "id"),
        Index("ix_events_span_sort", "span", "sort_date", "id"),
        Index("ix_events_kind_sort", "kind", "sort_date", "id"),
    )


class Participant(Evidenced, Base):
    __tablename__ = "participants"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id"), index=True)
    role: Mapped[ParticipantRole] = mapped_column(vocabulary(ParticipantRole, "role"))

    event: Mapped[Event] = relationship(back_populates="participants")
    actor: Mapped[Actor] = relationship()

    __table_args__ = (
        evidence_span_check(),
        UniqueConstraint("event_id", "actor_id", "role", name="uq_participants_event_actor_role"),
    )


class Proposal(Dated, Evidenced, Base):
    __tablename__ = "proposals"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str | None] = mapped_column(Text)
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("actors.id"), index=True)

    proposed_by: Mapped[Actor | None] = relationship()
    phases: Mapped[list["Phase"]] = relationship(
        back_populates="proposal", order_by="Phase.number", cascade="all, delete-orphan"
    )
    terms: Mapped[list["Term"]] = relationship(
        back_populates="proposal", order_by="Term.position", cascade="all, delete-orphan"
    )

    __table_args__ = (evidence_span_check(),)


class Phase(Evidenced, Base):
    __tablename__ = "phases"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    number: Mapped[int]
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)

    proposal: Mapped[Proposal] = relationship(back_populates="phases")

    __table_args__ = (
        evidence_span_check(),
        UniqueConstraint("proposal_id", "number", name="uq_phases_proposal_number"),
    )


statement_terms = Table(
    "statement_terms",
    Base.metadata,
    Column("statement_id", ForeignKey("statements.id", ondelete="CASCADE"), primary_key=True),
    Column("term_id", ForeignKey("terms.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Term(Evidenced, Base):
    __tablename__ = "terms"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    phase_id: Mapped[int | None] = mapped_column(ForeignKey("phases.id"), index=True)
    # Order of the term within its proposal, as the article lists them.
    position: Mapped[int]
    kind: Mapped[TermKind] = mapped_column(vocabulary(TermKind, "term_kind"))
    label: Mapped[str] = mapped_column(String(300))

    proposal: Mapped[Proposal] = relationship(back_populates="terms")
    phase: Mapped[Phase | None] = relationship()

    __table_args__ = (
        evidence_span_check(),
        Index("ix_terms_proposal_position", "proposal_id", "position"),
    )


class Statement(Dated, Evidenced, Base):
    __tablename__ = "statements"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    speaker_id: Mapped[int] = mapped_column(ForeignKey("actors.id"))
    text: Mapped[str] = mapped_column(Text)
    mode: Mapped[StatementMode] = mapped_column(vocabulary(StatementMode, "mode"))
    cue: Mapped[str | None] = mapped_column(String(200))
    setting: Mapped[str | None] = mapped_column(String(300))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"), index=True)
    search_text: Mapped[str] = mapped_column(Text)

    speaker: Mapped[Actor] = relationship()
    event: Mapped[Event | None] = relationship()
    terms: Mapped[list[Term]] = relationship(secondary=statement_terms, order_by=Term.position)

    __table_args__ = (
        evidence_span_check(),
        Index("ix_statements_sort", "sort_date", "id"),
        Index("ix_statements_span_sort", "span", "sort_date", "id"),
        Index("ix_statements_speaker_sort", "speaker_id", "sort_date", "id"),
    )


class Position(Dated, Evidenced, Base):
    __tablename__ = "positions"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id"))
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"))
    term_id: Mapped[int | None] = mapped_column(ForeignKey("terms.id"))
    stance: Mapped[Stance] = mapped_column(vocabulary(Stance, "stance"))
    condition: Mapped[str | None] = mapped_column(Text)
    statement_id: Mapped[int | None] = mapped_column(ForeignKey("statements.id"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"), index=True)

    actor: Mapped[Actor] = relationship()
    proposal: Mapped[Proposal] = relationship()
    term: Mapped[Term | None] = relationship()
    statement: Mapped[Statement | None] = relationship()
    event: Mapped[Event | None] = relationship()

    # Each filter walks an index in list order (date, then id) and stops at the page's end.
    __table_args__ = (
        evidence_span_check(),
        Index("ix_positions_sort", "sort_date", "id"),
        Index("ix_positions_span_sort", "span", "sort_date", "id"),
        Index("ix_positions_actor_sort", "actor_id", "sort_date", "id"),
        Index("ix_positions_term_sort", "term_id", "stance", "sort_date", "id"),
        Index("ix_positions_proposal_sort", "proposal_id", "stance", "sort_date", "id"),
    )
