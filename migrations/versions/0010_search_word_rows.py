"""search_words: how many statements and how many events hold each word

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26

A list's total counts its rows up to 1,001 (api.paging). PostgreSQL's full-text index cannot
stop early: a search for a word in many rows built the set of all of them to count the first
1,001 (`bete`, in 63,217 of the 1M statements: 40.5 ms of a 41.7 ms page). A search for one
word is at least as long as the list of the rows that hold the commonest word it asks for:
past 1,000 of them, the page skips the count (api.search). The loader and `eventdb synth` keep
the numbers with the data; this fills them from the search texts already there.
"""

from collections import Counter
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WORD_LENGTH = 300  # 0006's: a longer word is kept as its beginning
CHUNK = 10_000


def upgrade() -> None:
    for column in ("in_statements", "in_events"):
        op.add_column(
            "search_words", sa.Column(column, sa.Integer(), nullable=False, server_default="0")
        )
    connection = op.get_bind()
    words = sa.table(
        "search_words",
        sa.column("word", sa.String()),
        sa.column("in_statements", sa.Integer()),
        sa.column("in_events", sa.Integer()),
    )
    for table in ("statements", "events"):
        held: Counter[str] = Counter()
        # Streamed (this statement only): a large database's texts need not all be in memory.
        texts = sa.text(f"SELECT search_text FROM {table}").execution_options(yield_per=CHUNK)
        for (text,) in connection.execute(texts):
            held.update({word[:WORD_LENGTH] for word in text.split()})
        update = (
            sa.update(words)
            .where(words.c.word == sa.bindparam("w"))
            .values({f"in_{table}": sa.bindparam("n")})
        )
        rows = [{"w": word, "n": n} for word, n in sorted(held.items())]
        for start in range(0, len(rows), CHUNK):
            connection.execute(update, rows[start : start + CHUNK])


def downgrade() -> None:
    with op.batch_alter_table("search_words") as batch:
        batch.drop_column("in_events")
        batch.drop_column("in_statements")
