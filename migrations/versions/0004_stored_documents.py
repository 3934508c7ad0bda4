"""Each statement's and event's JSON document, stored with the data

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25

A page of statements or events read their documents by id, instead of assembling each from
eight tables on every request (api/stored_documents.py). The tables start empty: `eventdb
migrate` (and `seed`, `serve`) writes the documents after migrating, since it is the code that
answers requests that knows their shape (`stored_document_shape` says which shape is stored).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DOCUMENTED = ("statement", "event")


def upgrade() -> None:
    for fact in DOCUMENTED:
        op.create_table(
            f"{fact}_documents",
            sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
            sa.Column("body", sa.Text(), nullable=False),
            sa.ForeignKeyConstraint(
                ["id"],
                [f"{fact}s.id"],
                name=op.f(f"fk_{fact}_documents_id_{fact}s"),
                ondelete="CASCADE",
            ),
            sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{fact}_documents")),
        )
    op.create_table(
        "stored_document_shape",
        sa.Column("shape", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("shape", name=op.f("pk_stored_document_shape")),
    )


def downgrade() -> None:
    op.drop_table("stored_document_shape")
    for fact in reversed(DOCUMENTED):
        op.drop_table(f"{fact}_documents")
