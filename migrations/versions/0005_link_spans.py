"""Participants and mentions keep their fact's span beside its date

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26

An actor's events (and what is said about an actor) walk the actor's participations (or
mentions) in date order. Over a date range, the events of a short or long span that begin
before it overlap it too; to find them, each earlier participation was read and its event's
span asked: the busiest actor's timeline for one day read 37,835 participations on the
1M-statement corpus (87 ms a request, benchmarks/one_url.py). With the span beside the date, an index on (actor, span, date)
reads only the short events near the range and the few long ones (api/queries/dates.py).

The spans are copied from the facts; the loader and `eventdb synth` write them from then on.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Each link table: per kind of fact it links to, the column that names the fact, the facts'
# table, and the new index on (actor, span, date, fact).
LINKS = {
    "participants": [("event_id", "events", "ix_participants_actor_span_sort")],
    "mentions": [
        ("statement_id", "statements", "ix_mentions_actor_span_statements"),
        ("event_id", "events", "ix_mentions_actor_span_events"),
    ],
}


def upgrade() -> None:
    for table, links in LINKS.items():
        op.add_column(table, sa.Column("span", sa.SmallInteger(), nullable=True))
        for column, facts, _ in links:
            op.execute(
                f"UPDATE {table} SET span = (SELECT span FROM {facts} "
                f"WHERE {facts}.id = {table}.{column}) WHERE {column} IS NOT NULL"
            )
        with op.batch_alter_table(table) as batch:
            batch.alter_column("span", existing_type=sa.SmallInteger(), nullable=False)
            for column, _, index in links:
                batch.create_index(index, ["actor_id", "span", "sort_date", column])


def downgrade() -> None:
    for table, links in LINKS.items():
        with op.batch_alter_table(table) as batch:
            for _, _, index in links:
                batch.drop_index(index)
            batch.drop_column("span")
