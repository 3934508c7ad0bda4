"""What a database holds, for tests that check a command wrote (or left) exactly that."""

from typing import Any

from sqlalchemy import Engine, func, select

from api.models import Base

Rows = dict[str, list[tuple[Any, ...]]]


def table_counts(engine: Engine) -> dict[str, int]:
    """The number of rows of every table."""
    with engine.connect() as connection:
        return {
            table.name: connection.scalar(select(func.count()).select_from(table)) or 0
            for table in Base.metadata.sorted_tables
        }


def snapshot(engine: Engine) -> Rows:
    """Every row of every table, in primary key order."""
    with engine.connect() as connection:
        return {
            table.name: [
                tuple(row)
                for row in connection.execute(select(table).order_by(*table.primary_key.columns))
            ]
            for table in Base.metadata.sorted_tables
        }
