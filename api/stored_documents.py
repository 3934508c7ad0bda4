"""Each statement's and event's JSON document, written with the data and read by id.

A statement's document is assembled from eight tables (its speaker, event, source, terms,
mentions and the statements that report the same words); an event's, from six. Assembled on
every request, that was half the time of a page. The data changes only when it is written
(`eventdb seed`, `synth`), so that is when the documents are assembled, with the same query and
converter the API used to run per request, and stored beside the facts. The seed loader writes
them in the seed's transaction, so a reader's snapshot holds the facts and their documents as
one; `synth`, which fills an empty database in bulk, writes them once its facts are in.

`refresh` compares every document with what the data says now and rewrites the ones that differ,
so a renamed actor rewrites the documents that name them, and nothing else. The documents' shape
is a fingerprint of the code that assembles them (`shape`): when it is not the stored one,
`eventdb migrate` (as `seed` and `serve`) compares and rewrites every document, so a change to a
converter or to an assembling query never leaves documents of the old shape behind. It also
writes them when some are missing (`complete`).
"""

import hashlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import Connection, FromClause, Select, Table, delete, func, insert, select

from api import documents as documents_module
from api.database import compiled
from api.documents import Document
from api.models import EventDocument, StatementDocument, StoredDocumentShape, table_of
from api.queries import events, statements
from api.queries.common import ITEM_INDENT, StoredDocument, written

# Facts assembled per statement: a bounded amount of memory whatever the size of the table.
CHUNK = 2_000
SHAPE_TABLE = table_of(StoredDocumentShape)


@dataclass(frozen=True)
class Documented:
    facts: Table
    documents: Table
    assembled_rows: Callable[[str], Callable[[FromClause], Select[Any]]]
    assembled_document: Callable[[Any], Document]


DOCUMENTED = (
    Documented(
        statements.STATEMENTS,
        table_of(StatementDocument),
        statements.assembled_rows,
        statements.assembled_document,
    ),
    Documented(
        events.EVENTS, table_of(EventDocument), events.assembled_rows, events.assembled_document
    ),
)


def body(document: Document) -> str:
    """A document as stored: as the API writes it (api.queries.common.StoredDocument)."""
    return StoredDocument.of(document).json


@cache
def shape() -> str:
    """A fingerprint of what makes a document: the SQL that assembles it on both databases, and
    the code that converts its rows (api.documents)."""
    digest = hashlib.sha256(inspect.getsource(documents_module).encode())
    digest.update(inspect.getsource(body).encode())
    digest.update(inspect.getsource(written).encode())
    # How deep it is kept (how a page copies it is not its shape).
    digest.update(inspect.getsource(StoredDocument.of).encode() + ITEM_INDENT.encode())
    for documented in DOCUMENTED:
        page = select(documented.facts.c.id).subquery("page")
        for dialect in ("sqlite", "postgresql"):
            statement = compiled(documented.assembled_rows(dialect)(page), dialect)
            digest.update(statement.sql.encode())
            digest.update(repr(sorted(statement.constants.items())).encode())  # bound words
        digest.update(inspect.getsource(documented.assembled_document).encode())
    return digest.hexdigest()[:16]


def shape_is_current(connection: Connection) -> bool:
    return connection.scalar(select(SHAPE_TABLE.c.shape)) == shape()


def complete(connection: Connection) -> bool:
    """Is every fact's document there, in this code's shape? A page joins its facts to their
    documents: a fact without one would be left out of every list. (Only an interrupted
    `synth`, or a hand-made change, leaves one out.)"""
    if not shape_is_current(connection):
        return False
    return all(
        connection.scalar(select(func.count()).select_from(d.facts))
        == connection.scalar(select(func.count()).select_from(d.documents))
        for d in DOCUMENTED
    )


def refresh(connection: Connection) -> int:
    """Bring every stored document to what the data says now; returns how many were written."""
    written = sum(_refresh(connection, documented) for documented in DOCUMENTED)
    if not shape_is_current(connection):
        connection.execute(delete(SHAPE_TABLE))
        connection.execute(insert(SHAPE_TABLE).values(shape=shape()))
    return written


def _refresh(connection: Connection, documented: Documented) -> int:
    facts, documents = documented.facts, documented.documents
    assemble = documented.assembled_rows(connection.dialect.name)
    top = connection.scalar(select(func.max(facts.c.id))) or 0
    written = 0
    for low in range(0, top + 1, CHUNK):
        high = low + CHUNK
        page = select(facts.c.id).where(facts.c.id >= low, facts.c.id < high).subquery("page")
        wanted = {
            row[0]: body(documented.assembled_document(row))
            for row in connection.execute(assemble(page))
        }
        stored = dict(
            connection.execute(
                select(documents.c.id, documents.c.body).where(
                    documents.c.id >= low, documents.c.id < high
                )
            ).all()
        )
        stale = [fact_id for fact_id, text in stored.items() if wanted.get(fact_id) != text]
        if stale:
            connection.execute(delete(documents).where(documents.c.id.in_(stale)))
        new = [{"id": i, "body": text} for i, text in wanted.items() if stored.get(i) != text]
        if new:
            connection.execute(insert(documents), new)
        written += len(new)
    # Documents of facts past the largest id (deleted from the end of the table).
    connection.execute(delete(documents).where(documents.c.id > top))
    return written
