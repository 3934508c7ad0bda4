"""SQLite: the full-text indexes also keep each pair of words that follow each other

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26

FTS5 reads a quoted phrase by walking the lists of its words side by side and checking their
places: for a phrase of a common word ("mimudi babamolo", babamolo in a third of the 1M
statements) that walked most of the common word's list, 8 ms for a page and 8 more for its
count, where a page of a word takes 0.1. The index now also keeps each pair of words that
follow each other as one token, `_mimudi_babamolo`, in a column of its own (`search_pairs`):
a phrase of two words is one token, as rare as the phrase itself (0.07 ms for that page). A
longer phrase asks for its pairs and for its words in a row. PostgreSQL's index keeps its pairs
since 0008.

No token of the loader's holds `_` (api.text), so a pair never matches a word, nor a word's
prefix a pair. The triggers build the pairs from `search_text` (the loader's tokens, one space
between): nothing else writes them. The index is about twice the size.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEARCHABLE = ("statements", "events")
# 0007's, and `_` a character of a token, so that a pair is one.
WORDS_OPTIONS = "tokenize='unicode61 remove_diacritics 0', prefix='2 3 4'"
PAIRS_OPTIONS = "tokenize='unicode61 remove_diacritics 0 tokenchars ''_''', prefix='2 3 4'"
# api/search.py's key, written out: a migration keeps the SQL it was written with.
KEY = "((CAST(julianday({row}.sort_date) AS INTEGER) << 32) | {row}.id)"
# Each pair of tokens that follow each other in {row}.search_text, as `_first_second`.
PAIRS = (
    "(SELECT group_concat(pair, ' ') FROM ("
    "SELECT '_' || value || '_' || lead(value) OVER (ORDER BY key) AS pair "
    """FROM json_each('["' || replace({row}.search_text, ' ', '","') || '"]')"""
    ") WHERE pair IS NOT NULL)"
)


def _create(table: str, with_pairs: bool) -> None:
    fts = f"{table}_fts"
    columns = "search_text, search_pairs" if with_pairs else "search_text"
    options = PAIRS_OPTIONS if with_pairs else WORDS_OPTIONS
    op.execute(f"CREATE VIRTUAL TABLE {fts} USING fts5({columns}, content='', {options})")

    def values(row: str) -> str:
        words = f"{KEY.format(row=row)}, {row}.search_text"
        return f"{words}, {PAIRS.format(row=row)}" if with_pairs else words

    op.execute(f"INSERT INTO {fts}(rowid, {columns}) SELECT {values(table)} FROM {table}")
    add = f"INSERT INTO {fts}(rowid, {columns}) VALUES ({values('new')});"
    remove = f"INSERT INTO {fts}({fts}, rowid, {columns}) VALUES ('delete', {values('old')});"
    op.execute(f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN {add} END")
    op.execute(f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN {remove} END")
    op.execute(f"CREATE TRIGGER {fts}_update AFTER UPDATE ON {table} BEGIN {remove} {add} END")


def _drop(table: str) -> None:
    for trigger in ("insert", "delete", "update"):
        op.execute(f"DROP TRIGGER {table}_fts_{trigger}")
    op.execute(f"DROP TABLE {table}_fts")


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in SEARCHABLE:
        _drop(table)
        _create(table, with_pairs=True)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in SEARCHABLE:
        _drop(table)
        _create(table, with_pairs=False)
