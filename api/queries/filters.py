"""Filters that take several values ("any of"), and slugs of a filter turned into ids."""

from collections.abc import Sequence
from functools import cache
from typing import Any, Literal

from sqlalchemy import ColumnElement, Select, Table, bindparam, select

from api.database import Reader
from api.errors import InvalidParameter, NotFound, ParameterError
from api.models import Base, table_of
from api.queries.common import (
    LAST,
    SUGGESTION_CANDIDATES,
    closest,
    prefixes_of,
    values_of,
)

# How many values a filter was given: "one" binds as itself (an equality walks an index in the
# list's order), "many" as a list.
Bound = Literal["one", "many"] | None


def bind(params: dict[str, Any], name: str, values: Sequence[Any]) -> Bound:
    params[name] = values[0] if len(values) == 1 else list(values)
    return "one" if len(values) == 1 else "many"


def any_of(
    column: ColumnElement[Any], dialect: str, name: str, bound: Bound, kind: str = "int"
) -> ColumnElement[bool]:
    if bound == "one":
        return column == bindparam(name)
    return column.in_(select(values_of(dialect, name, kind).c.value))


FilterColumn = tuple[str, ColumnElement[Any], str]  # a filter's name, its column, its values' kind


def any_of_each(dialect: str, shape: Any, columns: list[FilterColumn]) -> list[ColumnElement[bool]]:
    """`any_of` for each filter of `columns` that `shape` (a dataclass of Bound) binds."""
    return [
        any_of(column, dialect, name, bound, kind)
        for name, column, kind in columns
        if (bound := getattr(shape, name))
    ]


@cache
def _slug_statements(table: Table, dialect: str) -> tuple[Select[Any], Select[Any]]:
    """The ids of the given slugs, and the slugs that begin with the given prefixes."""
    slugs = values_of(dialect, "slugs", "text")
    prefixes = values_of(dialect, "prefixes", "text")
    found = select(table.c.slug, table.c.id).join(slugs, table.c.slug == slugs.c.value)
    close = (
        select(table.c.slug)
        .join(
            prefixes,
            (table.c.slug >= prefixes.c.value) & (table.c.slug < prefixes.c.value + LAST),
        )
        .limit(SUGGESTION_CANDIDATES)
    )
    return found, close


async def closest_slugs(reader: Reader, table: Table, value: str) -> list[str]:
    """The slugs of `table` closest to a value that names no row (read from index ranges)."""
    _, close_statement = _slug_statements(table, reader.dialect)
    candidates = await reader.rows(close_statement, prefixes=prefixes_of(value))
    return closest(value, [slug for (slug,) in candidates])


async def not_found(
    reader: Reader, model: type[Base], slug: str, what: str, listing: str
) -> NotFound:
    """The 404 of a slug that names no row of `model`, with the closest slugs that do."""
    close = await closest_slugs(reader, table_of(model), slug)
    hint = f" Did you mean: {', '.join(close)}?" if close else f" See {listing} for them all."
    return NotFound(f"No {what} is called {slug!r}.{hint}", suggestions=close)


async def slugs_to_ids(
    reader: Reader, table: Table, values: Sequence[str], parameter: str, listing: str
) -> list[int]:
    """The ids of the rows with these slugs; a slug that names nothing is a 422 with the closest
    slugs (never an empty list that looks like "nothing was said about it")."""
    found_statement, _ = _slug_statements(table, reader.dialect)
    found: dict[str, int] = dict(await reader.rows(found_statement, slugs=list(values)))
    unknown = [value for value in values if value not in found]
    if unknown:
        errors = []
        for value in unknown:
            close = await closest_slugs(reader, table, value)
            hint = f" Did you mean: {', '.join(close)}?" if close else f" See {listing}."
            message = f"{parameter}={value!r} matches nothing.{hint}"
            errors.append(ParameterError(parameter, message, close))
        raise InvalidParameter(*errors)
    return [found[value] for value in values]
