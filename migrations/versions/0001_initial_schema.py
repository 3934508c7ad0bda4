"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-25 07:56:25.367642
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Full-text search over the folded `search_text` columns (see api/search.py): an external-content
# FTS5 table kept in step by triggers on SQLite, a generated tsvector column with a GIN index on
# PostgreSQL.
SEARCHABLE = ("statements", "events")


def create_full_text_search() -> None:
    for table in SEARCHABLE:
        if op.get_bind().dialect.name == "postgresql":
            # Stored, so that neither a search nor an index build parses the text again.
            op.execute(
                f"ALTER TABLE {table} ADD COLUMN search_vector tsvector GENERATED ALWAYS AS "
                f"(to_tsvector('simple'::regconfig, search_text)) STORED"
            )
            op.execute(f"CREATE INDEX ix_{table}_search ON {table} USING gin (search_vector)")
            continue
        op.execute(
            f"CREATE VIRTUAL TABLE {table}_fts USING fts5(search_text, content='{table}', "
            f"content_rowid='id', tokenize='unicode61 remove_diacritics 2')"
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
    op.create_table(
        "sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=200), nullable=False),
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
        "actors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("name_key", sa.String(length=300), nullable=False),
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
        sa.Column("titles", sa.JSON(), nullable=False),
        sa.Column("affiliation_id", sa.Integer(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("wikidata_id", sa.String(length=32), nullable=True),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("evidence_start", sa.Integer(), nullable=False),
        sa.Column("evidence_end", sa.Integer(), nullable=False),
        sa.Column("evidence_text", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "evidence_start >= 0 AND evidence_end > evidence_start", name=op.f("ck_actors_span")
        ),
        sa.ForeignKeyConstraint(
            ["affiliation_id"], ["actors.id"], name=op.f("fk_actors_affiliation_id_actors")
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["sources.id"],
            name=op.f("fk_actors_source_id_sources"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_actors")),
        sa.UniqueConstraint("slug", name=op.f("uq_actors_slug")),
    )
    with op.batch_alter_table("actors", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_actors_affiliation_id"), ["affiliation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_actors_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_actors_name_key"), ["name_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_actors_source_id"), ["source_id"], unique=False)

    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=200), nullable=False),
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
        sa.CheckConstraint(
            "evidence_start >= 0 AND evidence_end > evidence_start", name=op.f("ck_events_span")
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
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index("ix_events_kind_sort", ["kind", "sort_date", "id"], unique=False)
        batch_op.create_index("ix_events_sort", ["sort_date", "id"], unique=False)
        batch_op.create_index("ix_events_span_sort", ["span", "sort_date", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_events_source_id"), ["source_id"], unique=False)

    op.create_table(
        "aliases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("name_key", sa.String(length=300), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("evidence_start", sa.Integer(), nullable=False),
        sa.Column("evidence_end", sa.Integer(), nullable=False),
        sa.Column("evidence_text", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "evidence_start >= 0 AND evidence_end > evidence_start", name=op.f("ck_aliases_span")
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["actors.id"], name=op.f("fk_aliases_actor_id_actors"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["sources.id"],
            name=op.f("fk_aliases_source_id_sources"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_aliases")),
    )
    with op.batch_alter_table("aliases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_aliases_actor_id"), ["actor_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_aliases_name_key"), ["name_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_aliases_source_id"), ["source_id"], unique=False)

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
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("evidence_start", sa.Integer(), nullable=False),
        sa.Column("evidence_end", sa.Integer(), nullable=False),
        sa.Column("evidence_text", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "evidence_start >= 0 AND evidence_end > evidence_start",
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
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_participants_actor_id"), ["actor_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_participants_event_id"), ["event_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_participants_source_id"), ["source_id"], unique=False)

    op.create_table(
        "proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=200), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("status", sa.Text(), nullable=True),
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
        sa.CheckConstraint(
            "evidence_start >= 0 AND evidence_end > evidence_start", name=op.f("ck_proposals_span")
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
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_proposals_proposed_by_id"), ["proposed_by_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_proposals_source_id"), ["source_id"], unique=False)

    op.create_table(
        "statements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=200), nullable=False),
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
        sa.CheckConstraint(
            "evidence_start >= 0 AND evidence_end > evidence_start", name=op.f("ck_statements_span")
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
    with op.batch_alter_table("statements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_statements_event_id"), ["event_id"], unique=False)
        batch_op.create_index("ix_statements_sort", ["sort_date", "id"], unique=False)
        batch_op.create_index("ix_statements_span_sort", ["span", "sort_date", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_statements_source_id"), ["source_id"], unique=False)
        batch_op.create_index(
            "ix_statements_speaker_sort", ["speaker_id", "sort_date", "id"], unique=False
        )

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
        sa.CheckConstraint(
            "evidence_start >= 0 AND evidence_end > evidence_start", name=op.f("ck_phases_span")
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
    with op.batch_alter_table("phases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_phases_source_id"), ["source_id"], unique=False)

    op.create_table(
        "terms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=200), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("phase_id", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
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
        sa.Column("label", sa.String(length=300), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("evidence_start", sa.Integer(), nullable=False),
        sa.Column("evidence_end", sa.Integer(), nullable=False),
        sa.Column("evidence_text", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "evidence_start >= 0 AND evidence_end > evidence_start", name=op.f("ck_terms_span")
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
    with op.batch_alter_table("terms", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_terms_phase_id"), ["phase_id"], unique=False)
        batch_op.create_index(
            "ix_terms_proposal_position", ["proposal_id", "position"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_terms_source_id"), ["source_id"], unique=False)

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
        sa.CheckConstraint(
            "evidence_start >= 0 AND evidence_end > evidence_start", name=op.f("ck_positions_span")
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
    with op.batch_alter_table("positions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_positions_actor_sort", ["actor_id", "sort_date", "id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_positions_event_id"), ["event_id"], unique=False)
        batch_op.create_index(
            "ix_positions_proposal_sort", ["proposal_id", "stance", "sort_date", "id"], unique=False
        )
        batch_op.create_index("ix_positions_sort", ["sort_date", "id"], unique=False)
        batch_op.create_index("ix_positions_span_sort", ["span", "sort_date", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_positions_source_id"), ["source_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_positions_statement_id"), ["statement_id"], unique=False
        )
        batch_op.create_index(
            "ix_positions_term_sort", ["term_id", "stance", "sort_date", "id"], unique=False
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
    with op.batch_alter_table("statement_terms", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_statement_terms_term_id"), ["term_id"], unique=False)

    create_full_text_search()


def downgrade() -> None:
    drop_full_text_search()
    with op.batch_alter_table("statement_terms", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_statement_terms_term_id"))

    op.drop_table("statement_terms")
    with op.batch_alter_table("positions", schema=None) as batch_op:
        batch_op.drop_index("ix_positions_term_sort")
        batch_op.drop_index(batch_op.f("ix_positions_statement_id"))
        batch_op.drop_index(batch_op.f("ix_positions_source_id"))
        batch_op.drop_index("ix_positions_span_sort")
        batch_op.drop_index("ix_positions_sort")
        batch_op.drop_index("ix_positions_proposal_sort")
        batch_op.drop_index(batch_op.f("ix_positions_event_id"))
        batch_op.drop_index("ix_positions_actor_sort")

    op.drop_table("positions")
    with op.batch_alter_table("terms", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_terms_source_id"))
        batch_op.drop_index("ix_terms_proposal_position")
        batch_op.drop_index(batch_op.f("ix_terms_phase_id"))

    op.drop_table("terms")
    with op.batch_alter_table("phases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_phases_source_id"))

    op.drop_table("phases")
    with op.batch_alter_table("statements", schema=None) as batch_op:
        batch_op.drop_index("ix_statements_speaker_sort")
        batch_op.drop_index(batch_op.f("ix_statements_source_id"))
        batch_op.drop_index("ix_statements_span_sort")
        batch_op.drop_index("ix_statements_sort")
        batch_op.drop_index(batch_op.f("ix_statements_event_id"))

    op.drop_table("statements")
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposals_source_id"))
        batch_op.drop_index(batch_op.f("ix_proposals_proposed_by_id"))

    op.drop_table("proposals")
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_participants_source_id"))
        batch_op.drop_index(batch_op.f("ix_participants_event_id"))
        batch_op.drop_index(batch_op.f("ix_participants_actor_id"))

    op.drop_table("participants")
    with op.batch_alter_table("aliases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_aliases_source_id"))
        batch_op.drop_index(batch_op.f("ix_aliases_name_key"))
        batch_op.drop_index(batch_op.f("ix_aliases_actor_id"))

    op.drop_table("aliases")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_events_source_id"))
        batch_op.drop_index("ix_events_span_sort")
        batch_op.drop_index("ix_events_sort")
        batch_op.drop_index("ix_events_kind_sort")

    op.drop_table("events")
    with op.batch_alter_table("actors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_actors_source_id"))
        batch_op.drop_index(batch_op.f("ix_actors_name_key"))
        batch_op.drop_index(batch_op.f("ix_actors_kind"))
        batch_op.drop_index(batch_op.f("ix_actors_affiliation_id"))

    op.drop_table("actors")
    op.drop_table("sources")
