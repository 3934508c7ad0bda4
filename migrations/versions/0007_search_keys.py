"""SQLite: the full-text indexes keep each row under a key in list order

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26

A list is in date order; FTS5 reads a search's matches in the order of its rowids, which were
the rows' ids. A search that matched a fifth of the 1M statements found its page by walking the
date index and asking the full-text index about each row (46 to 78 ms). Keyed by the row's
sort_date (its day number) and then its id, in one integer, the index reads a search's matches
in list order, from any key: that page took 0.1 ms.

The index keeps no copy of the text (contentless, as it was external content): the triggers
give it each row's words under its key, and take them out under the old key when the row
changes or goes. PostgreSQL's search (a GIN index on a tsvector) is unchanged.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEARCHABLE = ("statements", "events")
OPTIONS = "tokenize='unicode61 remove_diacritics 0', prefix='2 3 4'"
# api/search.py's key, written out: a migration keeps the SQL it was written with.
KEY = "((CAST(julianday({row}.sort_date) AS INTEGER) << 32) | {row}.id)"


def _create_triggers(table: str, key: str) -> None:
    new, old = key.format(row="new"), key.format(row="old")
    fts = f"{table}_fts"
    op.execute(
        f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN "
        f"INSERT INTO {fts}(rowid, search_text) VALUES ({new}, new.search_text); END"
    )
    op.execute(
        f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, search_text) "
        f"VALUES ('delete', {old}, old.search_text); END"
    )
    op.execute(
        f"CREATE TRIGGER {fts}_update AFTER UPDATE ON {table} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, search_text) "
        f"VALUES ('delete', {old}, old.search_text); "
        f"INSERT INTO {fts}(rowid, search_text) VALUES ({new}, new.search_text); END"
    )


def _drop(table: str) -> None:
    for trigger in ("insert", "delete", "update"):
        op.execute(f"DROP TRIGGER {table}_fts_{trigger}")
    op.execute(f"DROP TABLE {table}_fts")


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in SEARCHABLE:
        _drop(table)
        op.execute(
            f"CREATE VIRTUAL TABLE {table}_fts USING fts5(search_text, content='', {OPTIONS})"
        )
        op.execute(
            f"INSERT INTO {table}_fts(rowid, search_text) "
            f"SELECT {KEY.format(row=table)}, search_text FROM {table}"
        )
        _create_triggers(table, KEY)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in SEARCHABLE:
        _drop(table)
        op.execute(
            f"CREATE VIRTUAL TABLE {table}_fts USING fts5(search_text, content='{table}', "
            f"content_rowid='id', {OPTIONS})"
        )
        op.execute(f"INSERT INTO {table}_fts({table}_fts) VALUES ('rebuild')")
        _create_triggers(table, "{row}.id")
