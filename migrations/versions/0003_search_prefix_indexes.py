"""SQLite: the full-text indexes keep prefix indexes for prefixes of 2, 3 and 4 characters

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25

Every word of a search is also a prefix (`hostage` finds "hostages"). FTS5 answers a prefix by
merging the lists of every word that starts with it, each time it is asked: a short prefix that
begins thousands of words merged nearly a million rows per request on the 1M-statement corpus,
and could not be asked of one row (api/search.py), which a search matching most rows needs. A
prefix index keeps those lists merged. Longer prefixes begin few words and need none.

The FTS5 table is rebuilt from its content table, so no data is lost either way. PostgreSQL's
search (a GIN index on a tsvector) is unchanged.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEARCHABLE = ("statements", "events")


def _rebuild_full_text_search(options: str) -> None:
    """Recreate each FTS5 table with `options`. The triggers of 0002 name the table, not its
    definition: they keep it in step whatever it is created with."""
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in SEARCHABLE:
        op.execute(f"DROP TABLE {table}_fts")
        op.execute(
            f"CREATE VIRTUAL TABLE {table}_fts USING fts5(search_text, content='{table}', "
            f"content_rowid='id', tokenize='unicode61 remove_diacritics 0'{options})"
        )
        op.execute(f"INSERT INTO {table}_fts({table}_fts) VALUES ('rebuild')")


def upgrade() -> None:
    _rebuild_full_text_search(", prefix='2 3 4'")


def downgrade() -> None:
    _rebuild_full_text_search("")
