"""What /readyz asks the database: the migration its schema is at, and the shape of its stored
documents (api.stored_documents)."""

from sqlalchemy import Column, MetaData, String, Table, select

from api.database import Reader
from api.models import StoredDocumentShape, table_of

ALEMBIC_VERSION = Table("alembic_version", MetaData(), Column("version_num", String(32)))
_REVISION = select(ALEMBIC_VERSION.c.version_num)
_SHAPE = select(table_of(StoredDocumentShape).c.shape)


async def schema_revision(reader: Reader) -> str | None:
    rows = await reader.last_rows(_REVISION)
    return str(rows[0][0]) if rows else None


async def stored_shape(reader: Reader) -> str | None:
    rows = await reader.last_rows(_SHAPE)
    return str(rows[0][0]) if rows else None
