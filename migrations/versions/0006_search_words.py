"""search_words: every word of the data's search texts

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26

Every word of a search is also a prefix (`hostage` finds "hostages"). A word that begins no
other word of the data is the same search asked for as itself, which SQLite's full-text index
answers row by row: a common word such as `babamolo` (66,213 of 100k statements) built the set
of all its matches on every request (api/search.py). The loader and `eventdb synth` add the
words of what they write; this fills the table from the search texts already there.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WORD_LENGTH = 300
CHUNK = 10_000


def upgrade() -> None:
    words = op.create_table(
        "search_words",
        sa.Column(
            "word",
            sa.String(length=WORD_LENGTH).with_variant(
                sa.String(length=WORD_LENGTH, collation="C"), "postgresql"
            ),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("word", name=op.f("pk_search_words")),
    )
    assert words is not None
    connection = op.get_bind()
    found: set[str] = set()
    for table in ("statements", "events"):
        # Streamed (this statement only): a large database's texts need not all be in memory.
        texts = sa.text(f"SELECT search_text FROM {table}").execution_options(yield_per=CHUNK)
        for (text,) in connection.execute(texts):
            found.update(word[:WORD_LENGTH] for word in text.split())
    ordered = sorted(found)
    for start in range(0, len(ordered), CHUNK):
        op.bulk_insert(words, [{"word": word} for word in ordered[start : start + CHUNK]])


def downgrade() -> None:
    op.drop_table("search_words")
