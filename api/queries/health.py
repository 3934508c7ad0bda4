"""What /readyz asks the database: the migration its schema is at."""

from sqlalchemy import Column, MetaData, String, Table, select

from api.database import Reader

ALEMBIC_VERSION = Table("alembic_version", MetaData(), Column("version_num", String(32)))
_REVISION = select(ALEMBIC_VERSION.c.version_num)


async def schema_revision(reader: Reader) -> str | None:
    rows = await reader.rows(_REVISION)
    return str(rows[0][0]) if rows else None
