"""Bring a table's rows to what the seed files say, keeping the id of every row whose natural key
(a slug, or what identifies a row without one) is still there.

A reseed of a changed file therefore changes only the rows that changed: a fact keeps its id,
so saved links (`/statements/60`) and cursors keep working, and both databases give the same ids
(new rows take the next ids after the largest, in file order, on either database).
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Table,
    delete,
    func,
    insert,
    select,
    tuple_,
    update,
)

Row = dict[str, Any]


@dataclass
class Plan:
    """What a table needs: rows to insert, to update (by id), and the keys of rows to delete."""

    table: Table
    key: tuple[str, ...]
    inserts: list[Row] = field(default_factory=list)
    updates: list[Row] = field(default_factory=list)
    deletes: list[Row] = field(default_factory=list)  # the rows as they are
    replaced: list[Row] = field(default_factory=list)  # the rows `updates` change, as they are
    ids: dict[tuple[Any, ...], int] = field(default_factory=dict)  # every wanted row's id

    @property
    def changed(self) -> int:
        return len(self.inserts) + len(self.updates) + len(self.deletes)


def plan(
    connection: Connection,
    table: Table,
    key: Sequence[str],
    wanted: Sequence[Row],
    scope: ColumnElement[bool] | None,
    next_id: int | None = None,
) -> Plan:
    """Compare `wanted` with the rows of `table` in `scope` (the rows these seed files own).

    Rows are matched on `key`; a matched row keeps its id. With an `id` column, new rows get
    ids from `next_id` (default: one past the largest in the table)."""
    key = tuple(key)
    result = Plan(table, key)
    query = select(table)
    if scope is not None:
        query = query.where(scope)
    existing = {
        tuple(row[k] for k in key): dict(row) for row in connection.execute(query).mappings()
    }
    has_id = "id" in table.c
    if has_id and next_id is None:
        next_id = (connection.scalar(select(func.max(table.c.id))) or 0) + 1
    for row in wanted:
        row_key = tuple(row[k] for k in key)
        old = existing.pop(row_key, None)
        if old is None:
            if has_id and "id" not in row:
                assert next_id is not None
                row = {**row, "id": next_id}
                next_id += 1
            result.inserts.append(row)
        else:
            if has_id:
                row = {**row, "id": old["id"]}
            if any(old[name] != value for name, value in row.items()):
                result.updates.append(row)
                result.replaced.append(old)
        if has_id:
            result.ids[row_key] = row["id"]
    result.deletes = list(existing.values())
    return result


def apply_deletes(connection: Connection, plans: Sequence[Plan]) -> None:
    """Deletes, children first (`plans` in that order)."""
    for found in plans:
        table = found.table
        for chunk in _chunks(found.deletes):
            if "id" in table.c:  # by id: a key may hold a null, which IN never matches
                connection.execute(delete(table).where(table.c.id.in_([r["id"] for r in chunk])))
            else:
                keys = [tuple(r[k] for k in found.key) for r in chunk]
                columns = [table.c[name] for name in found.key]
                connection.execute(delete(table).where(tuple_(*columns).in_(keys)))


def apply_writes(connection: Connection, plans: Sequence[Plan]) -> None:
    """Updates and inserts, parents first (`plans` in that order)."""
    for found in plans:
        table = found.table
        for row in found.updates:
            if "id" in table.c:
                condition = table.c.id == row["id"]
            else:
                condition = tuple_(*(table.c[k] for k in found.key)) == tuple(
                    row[k] for k in found.key
                )
            connection.execute(update(table).where(condition).values(**row))
        if found.inserts:
            # One INSERT for all rows: every row names every column (SQLAlchemy builds the
            # statement from the first row's keys).
            names = list(dict.fromkeys(name for row in found.inserts for name in row))
            rows = [{name: row.get(name) for name in names} for row in found.inserts]
            connection.execute(insert(table), rows)


def _chunks(rows: list[Row], size: int = 500) -> list[list[Row]]:
    return [rows[i : i + size] for i in range(0, len(rows), size)]
