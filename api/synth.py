"""A deterministic synthetic corpus shaped like real news data, loaded in bulk, for benchmarks.

Many sources (one per ~200 statements), ~500 actors with aliases, events with participants,
statements, proposals with phases and terms, and positions; speakers, participants and dates
are skewed as in real news (a few actors say most things; recent days hold most facts). Every
row's evidence is a real span of its source's text, so the evidence invariant holds here too.
Rows go in with PostgreSQL COPY, or executemany in large batches on SQLite: never row by row.
"""

import hashlib
import itertools
import json
import queue
import random
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Engine, Table, func, select, text

from api import stored_documents
from api.models import Base, Source, dated_columns
from api.search import SEARCHED, indexed_words
from api.text import fold, search_tokens
from api.vocabulary import (
    ActorKind,
    DatePrecision,
    EventKind,
    ParticipantRole,
    Stance,
    StatementMode,
    TermKind,
)

ACTORS = 500
TABLES = Base.metadata.tables
Row = dict[str, Any]
STATEMENTS_PER_SOURCE = 200
FIRST_DAY, LAST_DAY = date(2015, 1, 1), date(2024, 12, 31)
SYLLABLES = [consonant + vowel for consonant in "bdklmnrstv" for vowel in "aeiou"]
WEEKDAYS = [
    f"on {day}"
    for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
]
MONTHS = [f"in {date(2000, month, 1):%B}" for month in range(1, 13)]
CUES = ["said", "told reporters", "insisted", "argued", "warned", "confirmed", "suggested"]


def _words(rng: random.Random, count: int) -> list[str]:
    words: set[str] = set()
    while len(words) < count:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


@dataclass
class _Text:
    """A source text being written: each sentence appended returns its evidence span."""

    source_id: int
    parts: list[str] = field(default_factory=list)
    length: int = 0

    def add(self, sentence: str) -> dict[str, Any]:
        start = self.length
        self.parts.append(sentence + ". ")
        self.length += len(sentence) + 2
        return {
            "source_id": self.source_id,
            "evidence_start": start,
            "evidence_end": start + len(sentence),
            "evidence_text": sentence,
            # Each text added is a sentence of its own: the evidence is its whole sentence.
            "sentence_start": start,
            "sentence_end": start + len(sentence),
            "sentence_text": sentence,
        }

    def value(self) -> str:
        return "".join(self.parts)


class _Writer:
    """Bulk inserts: COPY on PostgreSQL, executemany on SQLite, in the table's column order.

    Writes run on a thread of their own, so the database works on one batch while Python
    generates the next (the driver releases the GIL while it waits on the server).
    """

    def __init__(self, connection: Any, dialect: str) -> None:
        self.connection = connection
        self.dialect = dialect
        self.queue: queue.Queue[tuple[Table, list[dict[str, Any]]] | None] = queue.Queue(maxsize=2)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def write(self, table: Table, rows: list[dict[str, Any]]) -> None:
        if self.error is not None:
            raise self.error
        if rows:
            self.queue.put((table, rows))

    def finish(self) -> None:
        self.queue.put(None)
        self.thread.join()
        if self.error is not None:
            raise self.error

    def _run(self) -> None:
        while (job := self.queue.get()) is not None:
            if self.error is None:
                try:
                    self._write(*job)
                except BaseException as error:  # handed to the generating thread
                    self.error = error

    def _write(self, table: Table, rows: list[dict[str, Any]]) -> None:
        columns = [column.name for column in table.columns]
        values = [tuple(row.get(column) for column in columns) for row in rows]
        cursor = self.connection.cursor()
        if self.dialect == "postgresql":
            with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
                for value in values:
                    copy.write_row(value)
        else:
            marks = ", ".join("?" for _ in columns)
            cursor.executemany(
                f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks})", values
            )
        cursor.close()


class _Corpus:
    def __init__(self, statements: int, seed: int) -> None:
        self.rng = random.Random(seed)
        self.statements = statements
        self.vocabulary = _words(self.rng, 3000)
        # Zipf-like word frequencies: common words are common, as in real text.
        self.word_weights = list(itertools.accumulate(1 / rank for rank in range(1, 3001)))
        self.span_days = (LAST_DAY - FIRST_DAY).days

    def skewed(self, count: int, power: float = 3.0) -> int:
        """An index in [0, count): low indexes are much more likely (a few actors say most)."""
        return min(count - 1, int(count * self.rng.random() ** power))

    def sentence(self, low: int, high: int) -> str:
        count = self.rng.randint(low, high)
        words = self.rng.choices(self.vocabulary, cum_weights=self.word_weights, k=count)
        return " ".join(words).capitalize()

    def dated(self) -> dict[str, Any]:
        day = LAST_DAY - timedelta(days=self.skewed(self.span_days, 2.0))
        roll = self.rng.random()
        if roll < 0.8:
            return dated_columns(day, day, DatePrecision.day, WEEKDAYS[day.weekday()], LAST_DAY)
        if roll < 0.9:
            start = day - timedelta(days=day.weekday())
            return dated_columns(
                start, start + timedelta(days=6), DatePrecision.week, "last week", LAST_DAY
            )
        if roll < 0.96:
            start = day.replace(day=1)
            end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
            return dated_columns(start, end, DatePrecision.month, MONTHS[day.month - 1], LAST_DAY)
        if roll < 0.97:
            return dated_columns(day, None, DatePrecision.approximate, "in a few weeks", LAST_DAY)
        return dated_columns(None, None, DatePrecision.unknown, "", LAST_DAY)


@dataclass
class SynthResult:
    counts: dict[str, int]


def synthesize(engine: Engine, statements: int, seed: int = 1) -> SynthResult:
    """Fill an empty, migrated database with a corpus of `statements` statements."""
    with engine.connect() as connection:
        if connection.scalar(select(func.count()).select_from(Source)):
            raise ValueError(
                "synth needs an empty database: use a new one, or `eventdb seed --reset` first"
            )
    corpus = _Corpus(statements, seed)
    rng = corpus.rng
    counts = dict.fromkeys((table.name for table in Base.metadata.sorted_tables), 0)
    raw = engine.raw_connection()
    try:
        writer = _Writer(raw.driver_connection, engine.dialect.name)
        if engine.dialect.name == "sqlite":
            raw.driver_connection.execute("BEGIN")  # type: ignore[union-attr]
        else:
            deferred_indexes = _drop_secondary_indexes(raw.driver_connection)

        def write(table: Table, rows: list[dict[str, Any]]) -> None:
            writer.write(table, rows)
            counts[table.name] += len(rows)

        # The registry: one source naming every actor and proposal, for their evidence.
        registry = _Text(source_id=1)
        actors: list[Row] = []
        introductions: list[Row] = []
        aliases: list[Row] = []
        names: list[Row] = []
        surnames = _words(rng, ACTORS * 2)
        kinds = [ActorKind.person] * 7 + [
            ActorKind.state,
            ActorKind.organization,
            ActorKind.anonymous_source,
        ]
        for actor_id in range(1, ACTORS + 1):
            first, last = rng.choice(surnames).capitalize(), surnames[actor_id - 1].capitalize()
            name = f"{first} {last}"
            kind = rng.choice(kinds)
            slug = f"actor-{actor_id}-{fold(name).replace(' ', '-')}"
            actors.append(
                {
                    "id": actor_id,
                    "slug": slug,
                    "name": name,
                    "name_key": fold(name),
                    "kind": kind.value,
                    "affiliation_id": None,
                    "description": f"A synthetic {kind.value.replace('_', ' ')}.",
                }
            )
            introductions.append(
                {
                    "id": actor_id,
                    "actor_id": actor_id,
                    "titles": json.dumps(["Minister"] if kind is ActorKind.person else []),
                    **registry.add(name),
                }
            )
            keys: dict[str, bool] = {fold(slug): True}
            for alias in (name, last, f"the {last} office"):
                aliases.append(
                    {
                        "id": len(aliases) + 1,
                        "actor_id": actor_id,
                        "name": alias,
                        "name_key": fold(alias),
                        **registry.add(alias),
                    }
                )
                tokens = fold(alias).split()
                keys[" ".join(tokens)] = True
                for size in range(1, len(tokens)):
                    for at in range(len(tokens) - size + 1):
                        keys.setdefault(" ".join(tokens[at : at + size]), False)
            for key, exact in keys.items():
                names.append(
                    {"id": len(names) + 1, "actor_id": actor_id, "key": key, "exact": exact}
                )
        proposals: list[Row] = []
        phases: list[Row] = []
        terms: list[Row] = []
        for proposal_id in range(1, max(2, statements // 20_000) + 1):
            title = f"Proposal {proposal_id}: " + corpus.sentence(3, 6)
            proposals.append(
                {
                    "id": proposal_id,
                    "slug": f"proposal-{proposal_id}",
                    "title": title,
                    "status": "under_negotiation",
                    "proposed_by_id": corpus.skewed(ACTORS) + 1,
                    **corpus.dated(),
                    **registry.add(title),
                }
            )
            for number in (1, 2, 3):
                phase_title = f"Phase {number} of proposal {proposal_id}"
                phases.append(
                    {
                        "id": len(phases) + 1,
                        "proposal_id": proposal_id,
                        "number": number,
                        "title": phase_title,
                        **registry.add(phase_title),
                    }
                )
                for _ in range(4):
                    title = corpus.sentence(3, 6)
                    term_id = len(terms) + 1
                    terms.append(
                        {
                            "id": term_id,
                            "slug": f"term-{term_id}",
                            "proposal_id": proposal_id,
                            "phase_id": len(phases),
                            "number": len([t for t in terms if t["proposal_id"] == proposal_id])
                            + 1,
                            "kind": rng.choice(list(TermKind)).value,
                            "title": title,
                            **registry.add(title),
                        }
                    )
        write(TABLES["sources"], [_source(1, "Synthetic registry", registry.value())])
        write(TABLES["actors"], actors)
        write(TABLES["actor_names"], names)
        write(TABLES["introductions"], introductions)
        write(TABLES["aliases"], aliases)
        write(TABLES["proposals"], proposals)
        write(TABLES["phases"], phases)
        write(TABLES["terms"], terms)

        # The articles: each holds ~200 statements, ~20 events and ~10 positions.
        roles = list(ParticipantRole)
        event_kinds = list(EventKind)
        stances = list(Stance)
        statement_id = event_id = participant_id = position_id = 0
        mention_ids = itertools.count(1)
        source_id = 1
        batch: dict[str, list[dict[str, Any]]] = {}
        # Each word of the search texts, and how many rows of each searched table hold it.
        held: dict[str, Counter[str]] = {name: Counter() for name in SEARCHED}
        while statement_id < statements:
            source_id += 1
            article = _Text(source_id)
            rows: dict[str, list[dict[str, Any]]] = {
                name: []
                for name in (
                    "events",
                    "participants",
                    "statements",
                    "statement_terms",
                    "mentions",
                    "positions",
                )
            }
            events_here: list[int] = []
            for _ in range(STATEMENTS_PER_SOURCE // 10):
                event_id += 1
                events_here.append(event_id)
                title = corpus.sentence(5, 10)
                dated = corpus.dated()
                rows["events"].append(
                    {
                        "id": event_id,
                        "slug": f"event-{event_id}",
                        "kind": rng.choice(event_kinds).value,
                        "title": title,
                        "location": rng.choice(
                            ["Cairo", "Doha", "Amman", "Jerusalem", "Washington", "Brussels"]
                        ),
                        "search_text": search_tokens(title),
                        **dated,
                        **article.add(title),
                    }
                )
                if rng.random() < 0.5:  # an event about an actor (the article's: 41 of 162)
                    about = corpus.skewed(ACTORS) + 1
                    rows["mentions"].append(
                        {
                            "id": next(mention_ids),
                            "actor_id": about,
                            "event_id": event_id,
                            "statement_id": None,
                            "role": "mentioned",
                            "sort_date": dated["sort_date"],
                            "span": dated["span"],
                            **article.add(actors[about - 1]["name"]),
                        }
                    )
                for role in rng.sample(roles, rng.randint(2, 4)):
                    participant_id += 1
                    actor_id = corpus.skewed(ACTORS) + 1
                    rows["participants"].append(
                        {
                            "id": participant_id,
                            "event_id": event_id,
                            "actor_id": actor_id,
                            "role": role.value,
                            "sort_date": dated["sort_date"],
                            "span": dated["span"],
                            **article.add(actors[actor_id - 1]["name"] + " took part"),
                        }
                    )
            for _ in range(min(STATEMENTS_PER_SOURCE, statements - statement_id)):
                statement_id += 1
                words = corpus.sentence(12, 25)
                direct = rng.random() < 0.4
                said = corpus.dated()
                rows["statements"].append(
                    {
                        "id": statement_id,
                        "slug": f"statement-{statement_id}",
                        "speaker_id": corpus.skewed(ACTORS) + 1,
                        "text": words,
                        "mode": (StatementMode.direct if direct else StatementMode.reported).value,
                        "cue": rng.choice(CUES),
                        "event_id": rng.choice(events_here) if rng.random() < 0.3 else None,
                        "search_text": search_tokens(words),
                        **said,
                        **article.add(words),
                    }
                )
                if rng.random() < 0.1:  # a statement about an actor (named in it)
                    about = corpus.skewed(ACTORS) + 1
                    rows["mentions"].append(
                        {
                            "id": next(mention_ids),
                            "actor_id": about,
                            "statement_id": statement_id,
                            "event_id": None,
                            "role": "mentioned",
                            "sort_date": said["sort_date"],
                            "span": said["span"],
                            **article.add(actors[about - 1]["name"]),
                        }
                    )
                if rng.random() < 0.1:
                    rows["statement_terms"].append(
                        {"statement_id": statement_id, "term_id": rng.randint(1, len(terms))}
                    )
                if rng.random() < 0.05:
                    position_id += 1
                    term = terms[rng.randrange(len(terms))]
                    rows["positions"].append(
                        {
                            "id": position_id,
                            "actor_id": corpus.skewed(ACTORS) + 1,
                            "proposal_id": term["proposal_id"],
                            "term_id": term["id"],
                            "stance": rng.choice(stances).value,
                            "statement_id": statement_id,
                            **corpus.dated(),
                            **{
                                k: v
                                for k, v in rows["statements"][-1].items()
                                if k.startswith(("evidence", "sentence", "source"))
                            },
                        }
                    )
            batch.setdefault("sources", []).append(
                _source(source_id, f"Synthetic article {source_id}", article.value())
            )
            for name, new_rows in rows.items():
                batch.setdefault(name, []).extend(new_rows)
            for name in SEARCHED:
                for row in rows[name]:
                    held[name].update(indexed_words([row["search_text"]]))
            if len(batch["statements"]) >= 50_000 or statement_id >= statements:
                for name in (
                    "sources",
                    "events",
                    "participants",
                    "statements",
                    "statement_terms",
                    "mentions",
                    "positions",
                ):
                    write(TABLES[name], batch.pop(name, []))
        write(
            TABLES["search_words"],
            [
                {"word": word, **{f"in_{name}": held[name][word] for name in SEARCHED}}
                for word in sorted(set().union(*held.values()))
            ],
        )
        writer.finish()
        if engine.dialect.name == "postgresql":
            cursor = raw.driver_connection.cursor()  # type: ignore[union-attr]
            for definition in deferred_indexes:
                cursor.execute(definition)
            for table in Base.metadata.sorted_tables:
                if "id" in table.columns:
                    cursor.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"(SELECT coalesce(max(id), 1) FROM {table.name}))"
                    )
            raw.commit()
            # Statistics for the planner, and the visibility map that lets an index-only scan
            # skip the table (freshly copied rows are not yet known to be visible to all).
            raw.driver_connection.autocommit = True  # type: ignore[union-attr]
            cursor.execute("VACUUM ANALYZE")
        else:
            raw.driver_connection.execute("COMMIT")  # type: ignore[union-attr]
            raw.driver_connection.execute("ANALYZE")  # type: ignore[union-attr]
    finally:
        raw.close()
    # Once the facts are in, with their indexes and statistics: the documents are assembled
    # with the queries the API used to run per request.
    del counts[stored_documents.SHAPE_TABLE.name]  # not data
    with engine.begin() as connection:
        stored_documents.refresh(connection)
        for documented in stored_documents.DOCUMENTED:
            table = documented.documents
            counts[table.name] = connection.scalar(select(func.count()).select_from(table)) or 0
    # As the facts above: on PostgreSQL, the visibility map and the rows' hint bits too, which
    # the first reads of each page would otherwise set (and autovacuum come to write later).
    analyze = "VACUUM (ANALYZE)" if engine.dialect.name == "postgresql" else "ANALYZE"
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        for documented in stored_documents.DOCUMENTED:
            connection.execute(text(f"{analyze} {documented.documents.name}"))
    return SynthResult(counts)


def _drop_secondary_indexes(connection: Any) -> list[str]:
    """PostgreSQL checks foreign keys and builds indexes over loaded rows far faster in bulk
    than row by row: drop them for the load and return the DDL that recreates them."""
    cursor = connection.cursor()
    cursor.execute("SET maintenance_work_mem = '1GB'")
    cursor.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE contype = 'f' AND connamespace = current_schema()::regnamespace"
    )
    foreign_keys = cursor.fetchall()
    for table, name, _ in foreign_keys:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
        "AND indexdef NOT LIKE 'CREATE UNIQUE%' AND tablename <> 'alembic_version'"
    )
    indexes = cursor.fetchall()
    for name, _ in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    cursor.close()
    return [definition for _, definition in indexes] + [
        f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'
        for table, name, definition in foreign_keys
    ]


def _source(source_id: int, title: str, body: str) -> dict[str, Any]:
    digest = hashlib.sha256(body.encode()).hexdigest()
    return {
        "id": source_id,
        "slug": f"synthetic-{source_id}",
        "title": title,
        "publisher": "Synthetic Times",
        "published": LAST_DAY,
        "text": body,
        "sha256": digest,
        "seed_sha256": digest,
    }
