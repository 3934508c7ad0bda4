"""The database schema, as typed SQLAlchemy models.

Actors are a registry shared by every source (`actors`, with the names they go by in
`actor_names`). Everything else is a fact of one source and carries its evidence
(`Evidenced`): the source, the character span of its text that supports the fact, the excerpt
itself and the whole sentence(s) it sits in, so that an answer never needs the article to show
its proof. Dated rows (`Dated`) keep the resolved period, its precision and the expression as
the article wrote it.

Slugs and folded names are compared byte by byte on both databases (`Key`: collation "C" on
PostgreSQL, SQLite's default BINARY), so lists sorted by them come in the same order whatever
the server's locale.
"""

from datetime import date, timedelta
from enum import IntEnum, StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
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
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

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


# The longest word kept whole in search_words.
SEARCH_WORD_LENGTH = 300


def Key(length: int) -> String:
    """A slug or a folded name: compared and sorted byte by byte on both databases."""
    return String(length).with_variant(String(length, collation="C"), "postgresql")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def table_of(model: type[Base]) -> Table:
    """A model's table, typed as one (SQLAlchemy types `Model.__table__` as any FromClause)."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


def evidence_span_check() -> CheckConstraint:
    return CheckConstraint(
        "evidence_start >= 0 AND evidence_end > evidence_start "
        "AND sentence_start <= evidence_start AND sentence_end >= evidence_end",
        name="span",
    )


class Evidenced:
    """The span of a source that supports a row, and the sentence(s) it sits in.

    Always `source.text[evidence_start:evidence_end] == evidence_text`, and likewise for the
    sentence, which holds the evidence whole.
    """

    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"), index=True)
    evidence_start: Mapped[int]
    evidence_end: Mapped[int]
    evidence_text: Mapped[str] = mapped_column(Text)
    sentence_start: Mapped[int]
    sentence_end: Mapped[int]
    sentence_text: Mapped[str] = mapped_column(Text)


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
    slug: Mapped[str] = mapped_column(Key(200), unique=True)
    title: Mapped[str] = mapped_column(Text)
    publisher: Mapped[str] = mapped_column(String(200))
    published: Mapped[date] = mapped_column(Date)
    dateline: Mapped[str | None] = mapped_column(String(200))
    byline_note: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    # sha256 of the seed file that curated this source (and of the actor registry): reseeding
    # the same files is a no-op.
    seed_sha256: Mapped[str] = mapped_column(String(64))


class Actor(Base):
    """An actor of the shared registry (seed/actors.yaml): who, not what a source says."""

    __tablename__ = "actors"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(Key(200), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    name_key: Mapped[str] = mapped_column(Key(300))  # api.text.fold(name): the list's order
    kind: Mapped[ActorKind] = mapped_column(vocabulary(ActorKind, "actor_kind"), index=True)
    affiliation_id: Mapped[int | None] = mapped_column(ForeignKey("actors.id"), index=True)
    description: Mapped[str | None] = mapped_column(Text)
    wikidata_id: Mapped[str | None] = mapped_column(String(32))

    __table_args__ = (Index("ix_actors_name_key", "name_key", "id"),)


class ActorName(Base):
    """Every name an actor is asked for by: slug, name and aliases (`exact`), and each run of
    whole words of them (`senior diplomat` in "a senior diplomat", `el sisi`), folded."""

    __tablename__ = "actor_names"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(Key(300), index=True)
    exact: Mapped[bool] = mapped_column(Boolean)

    __table_args__ = (UniqueConstraint("key", "actor_id", name="uq_actor_names_key_actor"),)


class Introduction(Evidenced, Base):
    """Where a source introduces an actor, and the titles it gives them."""

    __tablename__ = "introductions"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id"), index=True)
    titles: Mapped[list[str]] = mapped_column(JSON, default=list)

    __table_args__ = (
        evidence_span_check(),
        UniqueConstraint("source_id", "actor_id", name="uq_introductions_source_actor"),
    )


class Alias(Evidenced, Base):
    """A name a source uses for an actor, where it is first written."""

    __tablename__ = "aliases"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    name_key: Mapped[str] = mapped_column(Key(300))

    __table_args__ = (
        evidence_span_check(),
        UniqueConstraint("source_id", "actor_id", "name_key", name="uq_aliases_source_actor_name"),
    )


class Event(Dated, Evidenced, Base):
    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(Key(200), unique=True)
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
    # What `q` searches (api.search): folded words of the fields listed in the README.
    search_text: Mapped[str] = mapped_column(Text)

    __table_args__ = (
        evidence_span_check(),
        Index("ix_events_sort", "sort_date", "id"),
        Index("ix_events_span_sort", "span", "sort_date", "id"),
        Index("ix_events_kind_sort", "kind", "sort_date", "id"),
        Index("ix_events_source_sort", "source_id", "sort_date", "id"),
    )


class Participant(Evidenced, Base):
    __tablename__ = "participants"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id"))
    role: Mapped[ParticipantRole] = mapped_column(vocabulary(ParticipantRole, "role"))
    # The event's sort_date and span: an actor's events walk these indexes in list order, and
    # over a date range read only the short events near it and the few long ones before it
    # (api.queries.dates), not every event the actor took part in before it.
    sort_date: Mapped[date] = mapped_column(Date)
    span: Mapped[int] = mapped_column(SmallInteger)

    __table_args__ = (
        evidence_span_check(),
        UniqueConstraint("event_id", "actor_id", "role", name="uq_participants_event_actor_role"),
        Index("ix_participants_actor_sort", "actor_id", "sort_date", "event_id"),
        Index("ix_participants_actor_span_sort", "actor_id", "span", "sort_date", "event_id"),
    )


class Proposal(Dated, Evidenced, Base):
    __tablename__ = "proposals"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(Key(200), unique=True)
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[ProposalStatus] = mapped_column(vocabulary(ProposalStatus, "proposal_status"))
    status_note: Mapped[str | None] = mapped_column(Text)
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("actors.id"), index=True)

    __table_args__ = (evidence_span_check(), Index("ix_proposals_sort", "sort_date", "id"))


class Phase(Evidenced, Base):
    __tablename__ = "phases"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    number: Mapped[int]
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)

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
    slug: Mapped[str] = mapped_column(Key(200), unique=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    phase_id: Mapped[int | None] = mapped_column(ForeignKey("phases.id"), index=True)
    # Order of the term within its proposal, as the article lists them.
    number: Mapped[int]
    kind: Mapped[TermKind] = mapped_column(vocabulary(TermKind, "term_kind"))
    title: Mapped[str] = mapped_column(String(300))

    __table_args__ = (
        evidence_span_check(),
        Index("ix_terms_proposal_number", "proposal_id", "number", "id"),
    )


class Statement(Dated, Evidenced, Base):
    __tablename__ = "statements"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(Key(200), unique=True)
    speaker_id: Mapped[int] = mapped_column(ForeignKey("actors.id"))
    text: Mapped[str] = mapped_column(Text)
    mode: Mapped[StatementMode] = mapped_column(vocabulary(StatementMode, "mode"))
    cue: Mapped[str | None] = mapped_column(String(200))
    setting: Mapped[str | None] = mapped_column(String(300))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"), index=True)
    # The slug of a statement of another source that reports the same utterance.
    same_as: Mapped[str | None] = mapped_column(Key(200), index=True)
    search_text: Mapped[str] = mapped_column(Text)

    __table_args__ = (
        evidence_span_check(),
        Index("ix_statements_sort", "sort_date", "id"),
        Index("ix_statements_span_sort", "span", "sort_date", "id"),
        Index("ix_statements_speaker_sort", "speaker_id", "sort_date", "id"),
        # A speaker's facts of a short or long span that begin before a date range (the second
        # and third walks of api.queries.dates.date_branches): without it, the busiest speaker
        # of the 1M corpus read its whole history before the range (365 ms, now 13 ms).
        Index("ix_statements_speaker_span_sort", "speaker_id", "span", "sort_date", "id"),
        Index("ix_statements_source_sort", "source_id", "sort_date", "id"),
    )


class Mention(Evidenced, Base):
    """An actor a statement or an event is about: its subject, its target, or named in it."""

    __tablename__ = "mentions"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id"))
    statement_id: Mapped[int | None] = mapped_column(
        ForeignKey("statements.id", ondelete="CASCADE"), index=True
    )
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[MentionRole] = mapped_column(vocabulary(MentionRole, "mention_role"))
    # The sort_date and span of its statement or event: what is said about an actor, and the
    # events about them, walk these indexes in list order (api.queries.dates, as participants).
    sort_date: Mapped[date] = mapped_column(Date)
    span: Mapped[int] = mapped_column(SmallInteger)

    __table_args__ = (
        evidence_span_check(),
        CheckConstraint("(statement_id IS NULL) <> (event_id IS NULL)", name="one_fact"),
        Index("ix_mentions_actor_statements", "actor_id", "sort_date", "statement_id"),
        Index("ix_mentions_actor_events", "actor_id", "sort_date", "event_id"),
        Index("ix_mentions_actor_span_statements", "actor_id", "span", "sort_date", "statement_id"),
        Index("ix_mentions_actor_span_events", "actor_id", "span", "sort_date", "event_id"),
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

    # Each filter walks an index in list order (date, then id) and stops at the page's end.
    __table_args__ = (
        evidence_span_check(),
        Index("ix_positions_sort", "sort_date", "id"),
        Index("ix_positions_span_sort", "span", "sort_date", "id"),
        Index("ix_positions_actor_sort", "actor_id", "sort_date", "id"),
        Index("ix_positions_term_sort", "term_id", "stance", "sort_date", "id"),
        Index("ix_positions_proposal_sort", "proposal_id", "stance", "sort_date", "id"),
    )


class SearchCompound(Base):
    """Each hyphenated word written in the data ("cease-fire"), by its letters run together
    ("ceasefire"): a search for either form finds both (api.search)."""

    __tablename__ = "search_compounds"

    joined: Mapped[str] = mapped_column(Key(300), primary_key=True)
    parts: Mapped[str] = mapped_column(String(300))


class SearchWord(Base):
    """Every word of the data's search texts, as full-text search indexes it (api.search): a word
    of a query that begins no other word is asked for as itself, which SQLite's full-text index
    answers row by row, where a prefix no index keeps merged builds the set of every match on
    each request. Never removed: a word no text holds any more only keeps a query a prefix.
    A word longer than SEARCH_WORD_LENGTH is kept as its beginning."""

    __tablename__ = "search_words"

    word: Mapped[str] = mapped_column(Key(SEARCH_WORD_LENGTH), primary_key=True)
    # How many statements, and events, hold the word (for a word cut to SEARCH_WORD_LENGTH: any
    # word it begins): a search of one word finds at least the rows of its commonest word, so
    # past COUNT_LIMIT of them a page need not count (api.search, migration 0010).
    in_statements: Mapped[int] = mapped_column(default=0, server_default="0")
    in_events: Mapped[int] = mapped_column(default=0, server_default="0")


class StatementDocument(Base):
    """A statement's JSON document as the API answers it, written with the data
    (api.stored_documents): a page reads it by id instead of assembling it from eight tables."""

    __tablename__ = "statement_documents"

    id: Mapped[int] = mapped_column(
        ForeignKey("statements.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    body: Mapped[str] = mapped_column(Text)


class EventDocument(Base):
    """An event's JSON document as the API answers it (see StatementDocument)."""

    __tablename__ = "event_documents"

    id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    body: Mapped[str] = mapped_column(Text)


class StoredDocumentShape(Base):
    """The shape the stored documents were written in (api.stored_documents.shape): code that
    assembles another shape rewrites them when it migrates the database."""

    __tablename__ = "stored_document_shape"

    shape: Mapped[str] = mapped_column(String(64), primary_key=True)


# Tables in an order that deletes children before their parents.
FACT_TABLES = [
    table_of(StatementDocument),
    table_of(EventDocument),
    table_of(Position),
    table_of(Mention),
    statement_terms,
    table_of(Statement),
    table_of(Term),
    table_of(Phase),
    table_of(Proposal),
    table_of(Participant),
    table_of(Event),
    table_of(Alias),
    table_of(Introduction),
]
