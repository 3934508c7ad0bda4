"""0.2: actors in a shared registry, mentions, sentence evidence, stable keys and search tokens

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25

The data of an eventdb database is loaded from its seed files, so this migration rebuilds the
schema rather than converting rows: it drops the tables of 0001 and creates those of 0.2 (empty).
Run `eventdb seed` after it (`eventdb serve` does so by itself on SQLite). Downgrading does the
reverse, and likewise leaves the tables empty.
"""

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Full-text search over the `search_text` tokens (see api/search.py): an external-content FTS5
# table kept in step by triggers on SQLite, a generated tsvector column with a GIN index on
# PostgreSQL. The tokens are ASCII letters and digits only: neither tokenizer splits them.
SEARCHABLE = ("statements", "events")


def _initial_schema() -> ModuleType:
    path = Path(__file__).with_name("0001_initial_schema.py")
    spec = importlib.util.spec_from_file_location("eventdb_migration_0001", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def create_full_text_search() -> None:
    for table in SEARCHABLE:
        if op.get_bind().dialect.name == "postgresql":
            op.execute(
                f"ALTER TABLE {table} ADD COLUMN search_vector tsvector GENERATED ALWAYS AS "
                f"(to_tsvector('simple'::regconfig, search_text)) STORED"
            )
            op.execute(f"CREATE INDEX ix_{table}_search ON {table} USING gin (search_vector)")
            continue
        op.execute(
            f"CREATE VIRTUAL TABLE {table}_fts USING fts5(search_text, content='{table}', "
            f"content_rowid='id', tokenize='unicode61 remove_diacritics 0')"
        )
        op.execute(
            f"CREATE TRIGGER {table}_fts_insert AFTER INSERT ON {table} BEGIN "
            f"INSERT INTO {table}_fts(rowid, search_text) VALUES (new.id, new.search_text); END"
        )
        op.execute(
            f"CREATE TRIGGER {table}_fts_delete AFTER DELETE ON {table} BEGIN "
            f"INSERT INTO {table}_fts({table}_fts, rowid, search_text) "
            f"VALUES ('delete', old.id, old.search_text); END"
        )
        op.execute(
            f"CREATE TRIGGER {table}_fts_update AFTER UPDATE ON {table} BEGIN "
            f"INSERT INTO {table}_fts({table}_fts, rowid, search_text) "
            f"VALUES ('delete', old.id, old.search_text); "
            f"INSERT INTO {table}_fts(rowid, search_text) VALUES (new.id, new.search_text); END"
        )


def drop_full_text_search() -> None:
    for table in SEARCHABLE:
        if op.get_bind().dialect.name == "postgresql":
            op.execute(f"DROP INDEX ix_{table}_search")
            op.execute(f"ALTER TABLE {table} DROP COLUMN search_vector")
            continue
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER {table}_fts_{trigger}")
        op.execute(f"DROP TABLE {table}_fts")


def upgrade() -> None:
    _initial_schema().downgrade()
    op.create_table(
        "actors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "slug",
            sa.String(length=200).with_variant(sa.String(length=200, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column(
            "name_key",
            sa.String(length=300).with_variant(sa.String(length=300, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "kind",
            sa.Enum(
                "person",
                "state",
                "organization",
                "armed_group",
                "political_party",
                "intergovernmental_body",
                "media_outlet",
                "group",
                "anonymous_source",
                name="actor_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("affiliation_id", sa.Integer(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("wikidata_id", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["affiliation_id"], ["actors.id"], name=op.f("fk_actors_affiliation_id_actors")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_actors")),
        sa.UniqueConstraint("slug", name=op.f("uq_actors_slug")),
    )
    op.create_index(op.f("ix_actors_affiliation_id"), "actors", ["affiliation_id"], unique=False)
    op.create_index(op.f("ix_actors_kind"), "actors", ["kind"], unique=False)
    op.create_index("ix_actors_name_key", "actors", ["name_key", "id"], unique=False)
    op.create_table(
        "search_compounds",
        sa.Column(
            "joined",
            sa.String(length=300).with_variant(sa.String(length=300, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("parts", sa.String(length=300), nullable=False),
        sa.PrimaryKeyConstraint("joined", name=op.f("pk_search_compounds")),
    )
    op.create_table(
        "sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "slug",
            sa.String(length=200).with_variant(sa.String(length=200, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("publisher", sa.String(length=200), nullable=False),
        sa.Column("published", sa.Date(), nullable=False),
        sa.Column("dateline", sa.String(length=200), nullable=True),
        sa.Column("byline_note", sa.Text(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("seed_sha256", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sources")),
        sa.UniqueConstraint("slug", name=op.f("uq_sources_slug")),
    )
    op.create_table(
        "actor_names",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column(
            "key",
            sa.String(length=300).with_variant(sa.String(length=300, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("exact", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["actors.id"],
            name=op.f("fk_actor_names_actor_id_actors"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_actor_names")),
        sa.UniqueConstraint("key", "actor_id", name="uq_actor_names_key_actor"),
    )
    op.create_index(op.f("ix_actor_names_actor_id"), "actor_names", ["actor_id"], unique=False)
    op.create_index(op.f("ix_actor_names_key"), "actor_names", ["key"], unique=False)
    op.create_table(
        "aliases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column(
            "name_key",
            sa.String(length=300).with_variant(sa.String(length=300, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("evidence_start", sa.Integer(), nullable=False),
        sa.Column("evidence_end", sa.Integer(), nullable=False),
        sa.Column("evidence_text", sa.Text(), nullable=False),
        sa.Column("sentence_start", sa.Integer(), nullable=False),
        sa.Column("sentence_end", sa.Integer(), nullable=False),
        sa.Column("sentence_text", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "evidence_start >= 0 AND evidence_end > evidence_start AND sentence_start <= evidence_start AND sentence_end >= evidence_end",
            name=op.f("ck_aliases_span"),
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["actors.id"], name=op.f("fk_aliases_actor_id_actors")
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["sources.id"],
            name=op.f("fk_aliases_source_id_sources"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_aliases")),
        sa.UniqueConstraint(
            "source_id", "actor_id", "name_key", name="uq_aliases_source_actor_name"
        ),
    )
    op.create_index(op.f("ix_aliases_actor_id"), "aliases", ["actor_id"], unique=False)
    op.create_index(op.f("ix_aliases_source_id"), "aliases", ["source_id"], unique=False)
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "slug",
            sa.String(length=200).with_variant(sa.String(length=200, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "kind",
            sa.Enum(
                "meeting",
                "talks",
                "vote",
                "speech",
                "press_remarks",
                "announcement",
                "trip",
                "visit",
                "raid",
                "attack",
                "war",
                "resignation",
                "debate",
                "diplomatic_campaign",
                "report",
                name="event_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("location", sa.String(length=300), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("votes_for", sa.Integer(), nullable=True),
        sa.Column("votes_against", sa.Integer(), nullable=True),
        sa.Column("abstentions", sa.Integer(), nullable=True),
        sa.Column("hostages_freed", sa.Integer(), nullable=True),
        sa.Column("casualties", sa.Text(), nullable=True),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("date_start", sa.Date(), nullable=True),
        sa.Column("date_end", sa.Date(), nullable=True),
        sa.Column(
            "date_precision",
            sa.Enum(
                "day",
                "week",
                "month",
                "approximate",
                "unknown",
                name="precision",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("date_text", sa.String(length=200), nullable=False),
        sa.Column("sort_date", sa.Date(), nullable=False),
        sa.Column("span", sa.SmallInteger(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("evidence_start", sa.Integer(), nullable=False),
        sa.Column("evidence_end", sa.Integer(), nullable=False),
        sa.Column("evidence_text", sa.Text(), nullable=False),
        sa.Column("sentence_start", sa.Integer(), nullable=False),
        sa.Column("sentence_end", sa.Integer(), nullable=False),
        sa.Column("sentence_text", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "evidence_start >= 0 AND evidence_end > evidence_start AND sentence_start <= evidence_start AND sentence_end >= evidence_end",
            name=op.f("ck_events_span"),
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["sources.id"],
            name=op.f("fk_events_source_id_sources"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
        sa.UniqueConstraint("slug", name=op.f("uq_events_slug")),
    )
    op.create_index("ix_events_kind_sort", "events", ["kind", "sort_date", "id"], unique=False)
    op.create_index("ix_events_sort", "events", ["sort_date", "id"], unique=False)
    op.create_index(op.f("ix_events_source_id"), "events", ["source_id"], unique=False)
    op.create_index(
        "ix_events_source_sort", "events", ["source_id", "sort_date", "id"], unique=False
    )
    op.create_index("ix_events_span_sort", "events", ["span", "sort_date", "id"], unique=False)
    op.create_table(
        "introductions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("titles", sa.JSON(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("evidence_start", sa.Integer(), nullable=False),
        sa.Column("evidence_end", sa.Integer(), nullable=False),
        sa.Column("evidence_text", sa.Text(), nullable=False),
        sa.Column("sentence_start", sa.Integer(), nullable=False),
        sa.Column("sentence_end", sa.Integer(), nullable=False),
        sa.Column("sentence_text", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "evidence_start >= 0 AND evidence_end > evidence_start AND sentence_start <= evidence_start AND sentence_end >= evidence_end",
            name=op.f("ck_introductions_span"),
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["actors.id"], name=op.f("fk_introductions_actor_id_actors")
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["sources.id"],
            name=op.f("fk_introductions_source_id_sources"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_introductions")),
        sa.UniqueConstraint("source_id", "actor_id", name="uq_introductions_source_actor"),
    )
    op.create_index(op.f("ix_introductions_actor_id"), "introductions", ["actor_id"], unique=False)
    op.create_index(
        op.f("ix_introductions_source_id"), "introductions", ["source_id"], unique=False
    )
    op.create_table(
        "proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "slug",
            sa.String(length=200).with_variant(sa.String(length=200, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "proposed",
                "under_negotiation",
                "agreed",
                "rejected",
                "withdrawn",
                "implemented",
                name="proposal_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("status_note", sa.Text(), nullable=True),
        sa.Column("proposed_by_id", sa.Integer(), nullable=True),
        sa.Column("date_start", sa.Date(), nullable=True),
        sa.Column("date_end", sa.Date(), nullable=True),
        sa.Column(
            "date_precision",
            sa.Enum(
                "day",
                "week",
                "month",
                "approximate",
                "unknown",
                name="precision",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("date_text", sa.String(length=200), nullable=False),
        sa.Column("sort_date", sa.Date(), nullable=False),
        sa.Column("span", sa.SmallInteger(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("evidence_start", sa.Integer(), nullable=False),
        sa.Column("evidence_end", sa.Integer(), nullable=False),
        sa.Column("evidence_text", sa.Text(), nullable=False),
        sa.Column("sentence_start", sa.Integer(), nullable=False),
        sa.Column("sentence_end", sa.Integer(), nullable=False),
        sa.Column("sentence_text", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "evidence_start >= 0 AND evidence_end > evidence_start AND sentence_start <= evidence_start AND sentence_end >= evidence_end",
            name=op.f("ck_proposals_span"),
        ),
        sa.ForeignKeyConstraint(
            ["proposed_by_id"], ["actors.id"], name=op.f("fk_proposals_proposed_by_id_actors")
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["sources.id"],
            name=op.f("fk_proposals_source_id_sources"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposals")),
        sa.UniqueConstraint("slug", name=op.f("uq_proposals_slug")),
    )
    op.create_index(
        op.f("ix_proposals_proposed_by_id"), "proposals", ["proposed_by_id"], unique=False
    )
    op.create_index("ix_proposals_sort", "proposals", ["sort_date", "id"], unique=False)
    op.create_index(op.f("ix_proposals_source_id"), "proposals", ["source_id"], unique=False)
    op.create_table(
        "participants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "host",
                "visitor",
                "attendee",
                "speaker",
                "audience",
                "sponsor",
                "voted_for",
                "voted_against",
                "abstained",
                "voting_body",
                "mediator",
                "negotiator",
                "organizer",
                "supporter",
                "perpetrator",
                "target",
                "victim",
                "subject",
                "candidate",
                "reporter",
                name="role",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("sort_date", sa.Date(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("evidence_start", sa.Integer(), nullable=False),
        sa.Column("evidence_end", sa.Integer(), nullable=False),
        sa.Column("evidence_text", sa.Text(), nullable=False),
        sa.Column("sentence_start", sa.Integer(), nullable=False),
        sa.Column("sentence_end", sa.Integer(), nullable=False),
        sa.Column("sentence_text", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "evidence_start >= 0 AND evidence_end > evidence_start AND sentence_start <= evidence_start AND sentence_end >= evidence_end",
            name=op.f("ck_participants_span"),
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["actors.id"], name=op.f("fk_participants_actor_id_actors")
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_participants_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["sources.id"],
            name=op.f("fk_participants_source_id_sources"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_participants")),
        sa.UniqueConstraint(
            "event_id", "actor_id", "role", name="uq_participants_event_actor_role"
        ),
    )
    op.create_index(
        "ix_participants_actor_sort",
        "participants",
        ["actor_id", "sort_date", "event_id"],
        unique=False,
    )
    op.create_index(op.f("ix_participants_event_id"), "participants", ["event_id"], unique=False)
    op.create_index(op.f("ix_participants_source_id"), "participants", ["source_id"], unique=False)
    op.create_table(
        "phases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("evidence_start", sa.Integer(), nullable=False),
        sa.Column("evidence_end", sa.Integer(), nullable=False),
        sa.Column("evidence_text", sa.Text(), nullable=False),
        sa.Column("sentence_start", sa.Integer(), nullable=False),
        sa.Column("sentence_end", sa.Integer(), nullable=False),
        sa.Column("sentence_text", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "evidence_start >= 0 AND evidence_end > evidence_start AND sentence_start <= evidence_start AND sentence_end >= evidence_end",
            name=op.f("ck_phases_span"),
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposals.id"],
            name=op.f("fk_phases_proposal_id_proposals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["sources.id"],
            name=op.f("fk_phases_source_id_sources"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_phases")),
        sa.UniqueConstraint("proposal_id", "number", name="uq_phases_proposal_number"),
    )
    op.create_index(op.f("ix_phases_source_id"), "phases", ["source_id"], unique=False)
    op.create_table(
        "statements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "slug",
            sa.String(length=200).with_variant(sa.String(length=200, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("speaker_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column(
            "mode",
            sa.Enum(
                "direct",
                "reported",
                name="mode",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("cue", sa.String(length=200), nullable=True),
        sa.Column("setting", sa.String(length=300), nullable=True),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column(
            "same_as",
            sa.String(length=200).with_variant(sa.String(length=200, collation="C"), "postgresql"),
            nullable=True,
        ),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("date_start", sa.Date(), nullable=True),
        sa.Column("date_end", sa.Date(), nullable=True),
        sa.Column(
            "date_precision",
            sa.Enum(
                "day",
                "week",
                "month",
                "approximate",
                "unknown",
                name="precision",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("date_text", sa.String(length=200), nullable=False),
        sa.Column("sort_date", sa.Date(), nullable=False),
        sa.Column("span", sa.SmallInteger(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("evidence_start", sa.Integer(), nullable=False),
        sa.Column("evidence_end", sa.Integer(), nullable=False),
        sa.Column("evidence_text", sa.Text(), nullable=False),
        sa.Column("sentence_start", sa.Integer(), nullable=False),
        sa.Column("sentence_end", sa.Integer(), nullable=False),
        sa.Column("sentence_text", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "evidence_start >= 0 AND evidence_end > evidence_start AND sentence_start <= evidence_start AND sentence_end >= evidence_end",
            name=op.f("ck_statements_span"),
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_statements_event_id_events")
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["sources.id"],
            name=op.f("fk_statements_source_id_sources"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["speaker_id"], ["actors.id"], name=op.f("fk_statements_speaker_id_actors")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statements")),
        sa.UniqueConstraint("slug", name=op.f("uq_statements_slug")),
    )
    op.create_index(op.f("ix_statements_event_id"), "statements", ["event_id"], unique=False)
    op.create_index(op.f("ix_statements_same_as"), "statements", ["same_as"], unique=False)
    op.create_index("ix_statements_sort", "statements", ["sort_date", "id"], unique=False)
    op.create_index(op.f("ix_statements_source_id"), "statements", ["source_id"], unique=False)
    op.create_index(
        "ix_statements_source_sort", "statements", ["source_id", "sort_date", "id"], unique=False
    )
    op.create_index(
        "ix_statements_span_sort", "statements", ["span", "sort_date", "id"], unique=False
    )
    op.create_index(
        "ix_statements_speaker_sort", "statements", ["speaker_id", "sort_date", "id"], unique=False
    )
    op.create_index(
        "ix_statements_speaker_span_sort",
        "statements",
        ["speaker_id", "span", "sort_date", "id"],
        unique=False,
    )
    op.create_table(
        "mentions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("statement_id", sa.Integer(), nullable=True),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column(
            "role",
            sa.Enum(
                "subject",
                "target",
                "mentioned",
                name="mention_role",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("sort_date", sa.Date(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("evidence_start", sa.Integer(), nullable=False),
        sa.Column("evidence_end", sa.Integer(), nullable=False),
        sa.Column("evidence_text", sa.Text(), nullable=False),
        sa.Column("sentence_start", sa.Integer(), nullable=False),
        sa.Column("sentence_end", sa.Integer(), nullable=False),
        sa.Column("sentence_text", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "(statement_id IS NULL) <> (event_id IS NULL)", name=op.f("ck_mentions_one_fact")
        ),
        sa.CheckConstraint(
            "evidence_start >= 0 AND evidence_end > evidence_start AND sentence_start <= evidence_start AND sentence_end >= evidence_end",
            name=op.f("ck_mentions_span"),
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["actors.id"], name=op.f("fk_mentions_actor_id_actors")
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_mentions_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["sources.id"],
            name=op.f("fk_mentions_source_id_sources"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["statement_id"],
            ["statements.id"],
            name=op.f("fk_mentions_statement_id_statements"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mentions")),
    )
    op.create_index(
        "ix_mentions_actor_events", "mentions", ["actor_id", "sort_date", "event_id"], unique=False
    )
    op.create_index(
        "ix_mentions_actor_statements",
        "mentions",
        ["actor_id", "sort_date", "statement_id"],
        unique=False,
    )
    op.create_index(op.f("ix_mentions_event_id"), "mentions", ["event_id"], unique=False)
    op.create_index(op.f("ix_mentions_source_id"), "mentions", ["source_id"], unique=False)
    op.create_index(op.f("ix_mentions_statement_id"), "mentions", ["statement_id"], unique=False)
    op.create_table(
        "terms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "slug",
            sa.String(length=200).with_variant(sa.String(length=200, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("phase_id", sa.Integer(), nullable=True),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "provision",
                "condition",
                "assurance",
                "demand",
                name="term_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("evidence_start", sa.Integer(), nullable=False),
        sa.Column("evidence_end", sa.Integer(), nullable=False),
        sa.Column("evidence_text", sa.Text(), nullable=False),
        sa.Column("sentence_start", sa.Integer(), nullable=False),
        sa.Column("sentence_end", sa.Integer(), nullable=False),
        sa.Column("sentence_text", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "evidence_start >= 0 AND evidence_end > evidence_start AND sentence_start <= evidence_start AND sentence_end >= evidence_end",
            name=op.f("ck_terms_span"),
        ),
        sa.ForeignKeyConstraint(["phase_id"], ["phases.id"], name=op.f("fk_terms_phase_id_phases")),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposals.id"],
            name=op.f("fk_terms_proposal_id_proposals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["sources.id"],
            name=op.f("fk_terms_source_id_sources"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_terms")),
        sa.UniqueConstraint("slug", name=op.f("uq_terms_slug")),
    )
    op.create_index(op.f("ix_terms_phase_id"), "terms", ["phase_id"], unique=False)
    op.create_index(
        "ix_terms_proposal_number", "terms", ["proposal_id", "number", "id"], unique=False
    )
    op.create_index(op.f("ix_terms_source_id"), "terms", ["source_id"], unique=False)
    op.create_table(
        "positions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("term_id", sa.Integer(), nullable=True),
        sa.Column(
            "stance",
            sa.Enum(
                "supports",
                "opposes",
                "conditional",
                "demands",
                "welcomes",
                "abstains",
                "rejects",
                "undecided",
                name="stance",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("condition", sa.Text(), nullable=True),
        sa.Column("statement_id", sa.Integer(), nullable=True),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("date_start", sa.Date(), nullable=True),
        sa.Column("date_end", sa.Date(), nullable=True),
        sa.Column(
            "date_precision",
            sa.Enum(
                "day",
                "week",
                "month",
                "approximate",
                "unknown",
                name="precision",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("date_text", sa.String(length=200), nullable=False),
        sa.Column("sort_date", sa.Date(), nullable=False),
        sa.Column("span", sa.SmallInteger(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("evidence_start", sa.Integer(), nullable=False),
        sa.Column("evidence_end", sa.Integer(), nullable=False),
        sa.Column("evidence_text", sa.Text(), nullable=False),
        sa.Column("sentence_start", sa.Integer(), nullable=False),
        sa.Column("sentence_end", sa.Integer(), nullable=False),
        sa.Column("sentence_text", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "evidence_start >= 0 AND evidence_end > evidence_start AND sentence_start <= evidence_start AND sentence_end >= evidence_end",
            name=op.f("ck_positions_span"),
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["actors.id"], name=op.f("fk_positions_actor_id_actors")
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_positions_event_id_events")
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"], ["proposals.id"], name=op.f("fk_positions_proposal_id_proposals")
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["sources.id"],
            name=op.f("fk_positions_source_id_sources"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["statement_id"], ["statements.id"], name=op.f("fk_positions_statement_id_statements")
        ),
        sa.ForeignKeyConstraint(["term_id"], ["terms.id"], name=op.f("fk_positions_term_id_terms")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_positions")),
    )
    op.create_index(
        "ix_positions_actor_sort", "positions", ["actor_id", "sort_date", "id"], unique=False
    )
    op.create_index(op.f("ix_positions_event_id"), "positions", ["event_id"], unique=False)
    op.create_index(
        "ix_positions_proposal_sort",
        "positions",
        ["proposal_id", "stance", "sort_date", "id"],
        unique=False,
    )
    op.create_index("ix_positions_sort", "positions", ["sort_date", "id"], unique=False)
    op.create_index(op.f("ix_positions_source_id"), "positions", ["source_id"], unique=False)
    op.create_index(
        "ix_positions_span_sort", "positions", ["span", "sort_date", "id"], unique=False
    )
    op.create_index(op.f("ix_positions_statement_id"), "positions", ["statement_id"], unique=False)
    op.create_index(
        "ix_positions_term_sort",
        "positions",
        ["term_id", "stance", "sort_date", "id"],
        unique=False,
    )
    op.create_table(
        "statement_terms",
        sa.Column("statement_id", sa.Integer(), nullable=False),
        sa.Column("term_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["statement_id"],
            ["statements.id"],
            name=op.f("fk_statement_terms_statement_id_statements"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["term_id"],
            ["terms.id"],
            name=op.f("fk_statement_terms_term_id_terms"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("statement_id", "term_id", name=op.f("pk_statement_terms")),
    )
    op.create_index(
        op.f("ix_statement_terms_term_id"), "statement_terms", ["term_id"], unique=False
    )
    create_full_text_search()


def downgrade() -> None:
    drop_full_text_search()

    op.drop_index(op.f("ix_statement_terms_term_id"), table_name="statement_terms")
    op.drop_table("statement_terms")
    op.drop_index("ix_positions_term_sort", table_name="positions")
    op.drop_index(op.f("ix_positions_statement_id"), table_name="positions")
    op.drop_index("ix_positions_span_sort", table_name="positions")
    op.drop_index(op.f("ix_positions_source_id"), table_name="positions")
    op.drop_index("ix_positions_sort", table_name="positions")
    op.drop_index("ix_positions_proposal_sort", table_name="positions")
    op.drop_index(op.f("ix_positions_event_id"), table_name="positions")
    op.drop_index("ix_positions_actor_sort", table_name="positions")
    op.drop_table("positions")
    op.drop_index(op.f("ix_terms_source_id"), table_name="terms")
    op.drop_index("ix_terms_proposal_number", table_name="terms")
    op.drop_index(op.f("ix_terms_phase_id"), table_name="terms")
    op.drop_table("terms")
    op.drop_index(op.f("ix_mentions_statement_id"), table_name="mentions")
    op.drop_index(op.f("ix_mentions_source_id"), table_name="mentions")
    op.drop_index(op.f("ix_mentions_event_id"), table_name="mentions")
    op.drop_index("ix_mentions_actor_statements", table_name="mentions")
    op.drop_index("ix_mentions_actor_events", table_name="mentions")
    op.drop_table("mentions")
    op.drop_index("ix_statements_speaker_span_sort", table_name="statements")
    op.drop_index("ix_statements_speaker_sort", table_name="statements")
    op.drop_index("ix_statements_span_sort", table_name="statements")
    op.drop_index("ix_statements_source_sort", table_name="statements")
    op.drop_index(op.f("ix_statements_source_id"), table_name="statements")
    op.drop_index("ix_statements_sort", table_name="statements")
    op.drop_index(op.f("ix_statements_same_as"), table_name="statements")
    op.drop_index(op.f("ix_statements_event_id"), table_name="statements")
    op.drop_table("statements")
    op.drop_index(op.f("ix_phases_source_id"), table_name="phases")
    op.drop_table("phases")
    op.drop_index(op.f("ix_participants_source_id"), table_name="participants")
    op.drop_index(op.f("ix_participants_event_id"), table_name="participants")
    op.drop_index("ix_participants_actor_sort", table_name="participants")
    op.drop_table("participants")
    op.drop_index(op.f("ix_proposals_source_id"), table_name="proposals")
    op.drop_index("ix_proposals_sort", table_name="proposals")
    op.drop_index(op.f("ix_proposals_proposed_by_id"), table_name="proposals")
    op.drop_table("proposals")
    op.drop_index(op.f("ix_introductions_source_id"), table_name="introductions")
    op.drop_index(op.f("ix_introductions_actor_id"), table_name="introductions")
    op.drop_table("introductions")
    op.drop_index("ix_events_span_sort", table_name="events")
    op.drop_index("ix_events_source_sort", table_name="events")
    op.drop_index(op.f("ix_events_source_id"), table_name="events")
    op.drop_index("ix_events_sort", table_name="events")
    op.drop_index("ix_events_kind_sort", table_name="events")
    op.drop_table("events")
    op.drop_index(op.f("ix_aliases_source_id"), table_name="aliases")
    op.drop_index(op.f("ix_aliases_actor_id"), table_name="aliases")
    op.drop_table("aliases")
    op.drop_index(op.f("ix_actor_names_key"), table_name="actor_names")
    op.drop_index(op.f("ix_actor_names_actor_id"), table_name="actor_names")
    op.drop_table("actor_names")
    op.drop_table("sources")
    op.drop_table("search_compounds")
    op.drop_index("ix_actors_name_key", table_name="actors")
    op.drop_index(op.f("ix_actors_kind"), table_name="actors")
    op.drop_index(op.f("ix_actors_affiliation_id"), table_name="actors")
    op.drop_table("actors")
    _initial_schema().upgrade()
