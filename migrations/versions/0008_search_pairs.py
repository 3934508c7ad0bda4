"""PostgreSQL: the full-text index also keeps each pair of words that follow each other

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26

A quoted phrase was asked of the GIN index as its words in a row (`a <-> b`): the index knows
which rows hold both words, not where, so each of those rows was read to check their places.
For two common words that is most of a page's work: "bamadori badude" is in 1,062 of the 1M
statements, but 18,061 hold both words; its page took 160 ms. The index now also keeps each
pair of words that follow each other as one lexeme ('bamadori badude', with a space, which no
word holds), so a phrase of two words is one lexeme, as rare as the phrase itself: counting
"babamolo badememe" at 100k statements took 36 to 67 ms, 1 to 2 ms as a pair. A longer phrase
asks for its pairs, then checks the words' places in the rows that hold them all.

The pairs are built by the database from `search_text` (the loader's tokens, one space
between), in the generated column: nothing writes them. SQLite's FTS5 keeps each word's
places in its index and reads a phrase from it: unchanged.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEARCHABLE = ("statements", "events")
PAIRS = """
CREATE FUNCTION search_pairs(search_text text) RETURNS tsvector
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT array_to_tsvector(coalesce(array_agg(word || ' ' || next_word), '{}'))
  FROM (
    SELECT word, lead(word) OVER (ORDER BY place) AS next_word
    FROM unnest(string_to_array(search_text, ' ')) WITH ORDINALITY AS words(word, place)
  ) AS pairs
  WHERE next_word IS NOT NULL
$$
"""
WORDS = "to_tsvector('simple'::regconfig, search_text)"


def _search_vector(table: str, expression: str) -> None:
    op.execute(f"DROP INDEX ix_{table}_search")
    op.execute(f"ALTER TABLE {table} DROP COLUMN search_vector")
    op.execute(
        f"ALTER TABLE {table} ADD COLUMN search_vector tsvector "
        f"GENERATED ALWAYS AS ({expression}) STORED"
    )
    op.execute(f"CREATE INDEX ix_{table}_search ON {table} USING gin (search_vector)")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(PAIRS)
    for table in SEARCHABLE:
        _search_vector(table, f"{WORDS} || search_pairs(search_text)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in SEARCHABLE:
        _search_vector(table, WORDS)
    op.execute("DROP FUNCTION search_pairs(text)")
