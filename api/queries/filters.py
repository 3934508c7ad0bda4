"""Filters that take several values ("any of"), and the slugs and names of a filter turned
into ids.

A filter of rows named by slugs (`?term=ceasefire`) or actors by any of their names
(`?speaker=Blinken`) is resolved in one of two ways. By default, each value is looked up first
(`slugs_to_ids`, `actor_ids`), and one that names nothing, or several actors, is a 422 that says
why. On PostgreSQL, where a statement is a round trip, a read first binds the values themselves
(`Named`): the statements that use them resolve them, and the page's statement says whether
each value named exactly one row; if one did not, the read is run again the first way
(`Reader.resolves_names`).
"""

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal, Protocol

from sqlalchemy import (
    ColumnElement,
    ScalarSelect,
    Select,
    Table,
    bindparam,
    case,
    distinct,
    exists,
    func,
    or_,
    select,
)

from api.database import Reader
from api.errors import InvalidParameter, NotFound, ParameterError
from api.models import ActorName, Base, table_of
from api.queries.common import (
    LAST,
    SUGGESTION_CANDIDATES,
    closest,
    prefixes_of,
    values_of,
)

NAMES = table_of(ActorName)


class Resolver(Protocol):
    """How the values of a `Named` filter become ids, in SQL."""

    def ids(self, dialect: str, name: str, one: bool) -> ScalarSelect[Any] | Select[Any]:
        """The id the value :name names (`one`), or the ids of the list :name."""

    def resolved(self, dialect: str, name: str, one: bool) -> ColumnElement[bool]:
        """Whether each value names exactly one row."""


@dataclass(frozen=True)
class Named:
    """A filter bound as the values the request gave, resolved to ids where they are used."""

    resolver: Resolver
    one: bool


# How a filter was given: one value ("one": it binds as itself, and an equality walks an index
# in the list's order), several ("many": a list), or values that name rows (`Named`).
Bound = Literal["one", "many"] | Named | None


def single(bound: Bound) -> bool:
    """Whether the filter has one value, which an index on its column can walk in list order."""
    return bound == "one" or (isinstance(bound, Named) and bound.one)


def bind(params: dict[str, Any], name: str, values: Sequence[Any]) -> Bound:
    params[name] = values[0] if len(values) == 1 else list(values)
    return "one" if len(values) == 1 else "many"


def bind_named(
    params: dict[str, Any], name: str, values: Sequence[str], resolver: Resolver
) -> Named:
    bind(params, name, values)
    return Named(resolver, len(values) == 1)


def any_of(
    column: ColumnElement[Any], dialect: str, name: str, bound: Bound, kind: str = "int"
) -> ColumnElement[bool]:
    if isinstance(bound, Named):
        ids = bound.resolver.ids(dialect, name, bound.one)
        return column == ids if isinstance(ids, ScalarSelect) else column.in_(ids)
    if bound == "one":
        return column == bindparam(name)
    return column.in_(select(values_of(dialect, name, kind).c.value))


def each_of(dialect: str, name: str, bound: Bound, kind: str = "int") -> Select[Any]:
    """The values of a filter of several (`name`), each once, as the column `value`."""
    if isinstance(bound, Named):
        ids = bound.resolver.ids(dialect, name, one=False)
        assert isinstance(ids, Select), "the ids of a list are rows"
        named = ids.subquery("named_ids")
        return select(named.c[0].label("value")).distinct()
    return select(values_of(dialect, name, kind).c.value).distinct()


def resolved_checks(dialect: str, shape: Any) -> list[ColumnElement[bool]]:
    """Of a shape (a dataclass of Bound, each field named as its parameter), whether each value
    of its `Named` filters names exactly one row."""
    return [
        bound.resolver.resolved(dialect, field.name, bound.one)
        for field in dataclasses.fields(shape)
        if isinstance(bound := getattr(shape, field.name), Named)
    ]


@dataclass(frozen=True)
class SlugsOf:
    """Rows of `table` by their slugs."""

    table: Table

    def ids(self, dialect: str, name: str, one: bool) -> ScalarSelect[Any] | Select[Any]:
        t = self.table
        if one:
            return select(t.c.id).where(t.c.slug == bindparam(name)).scalar_subquery()
        slugs = values_of(dialect, name, "text")
        return select(t.c.id).join(slugs, t.c.slug == slugs.c.value)

    def resolved(self, dialect: str, name: str, one: bool) -> ColumnElement[bool]:
        t = self.table
        if one:
            return exists().where(t.c.slug == bindparam(name))
        slugs = values_of(dialect, name, "text")
        return ~exists(select(slugs.c.value).where(~exists().where(t.c.slug == slugs.c.value)))


@dataclass(frozen=True)
class ActorsByName:
    """Actors by any of their names, as `api.queries.actors.actor_ids` finds them: a whole name
    or alias before a run of a name's words; a value that several actors share names none."""

    def _actor(self, key: ColumnElement[Any]) -> ScalarSelect[Any]:
        """The one actor the folded name `key` names, else NULL."""
        named, exactly = NAMES.alias("named"), NAMES.alias("named_exactly")
        # Of this key only: a key of a list (`ids`) is a column of a query two levels up.
        exact_exists = (
            exists().where(exactly.c.key == key, exactly.c.exact).correlate_except(exactly)
        )
        return (
            select(
                case(
                    (func.count(distinct(named.c.actor_id)) == 1, func.min(named.c.actor_id)),
                )
            )
            .where(named.c.key == key, or_(named.c.exact, ~exact_exists))
            .scalar_subquery()
        )

    def ids(self, dialect: str, name: str, one: bool) -> ScalarSelect[Any] | Select[Any]:
        if one:
            return self._actor(bindparam(name))
        keys = values_of(dialect, name, "text")
        return select(self._actor(keys.c.value)).select_from(keys)

    def resolved(self, dialect: str, name: str, one: bool) -> ColumnElement[bool]:
        if one:
            return self._actor(bindparam(name)).is_not(None)
        keys = values_of(dialect, name, "text")
        return ~exists(select(keys.c.value).where(self._actor(keys.c.value).is_(None)))


ACTORS_BY_NAME = ActorsByName()


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


async def bind_slugs(
    reader: Reader,
    params: dict[str, Any],
    name: str,
    values: Sequence[str],
    table: Table,
    listing: str,
) -> Bound:
    """The filter `name` of rows of `table` by their slugs (see the module's docstring)."""
    if reader.resolves_names():
        return bind_named(params, name, values, SlugsOf(table))
    return bind(params, name, await slugs_to_ids(reader, table, values, name, listing))
