"""What the query modules share: the columns of evidence, dates and references, lists of values
as one parameter, and turning the slugs of a filter into ids (or a 422 with suggestions)."""

import difflib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

import orjson
from sqlalchemy import (
    ARRAY,
    BigInteger,
    ColumnElement,
    FromClause,
    Select,
    Table,
    Text,
    bindparam,
    cast,
    func,
    literal_column,
    select,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.sql.selectable import TableValuedAlias

from api.documents import Document

# The largest code point: `key >= p AND key < p || LAST` holds the keys that start with p.
LAST = chr(0x10FFFF)
# Candidates read to suggest close values for one that matches nothing: a bounded number, from
# index ranges, whatever the size of the table.
SUGGESTION_CANDIDATES = 200


@dataclass(frozen=True)
class DateRange:
    start: date | None
    end: date | None


def values_of(dialect: str, name: str, kind: str = "int") -> TableValuedAlias:
    """A list given as one parameter `name`, as a table with a column `value`: a fixed
    statement for any number of values (json_each on SQLite, unnest on PostgreSQL)."""
    if dialect == "postgresql":
        array = ARRAY(BigInteger) if kind == "int" else ARRAY(Text)
        return func.unnest(cast(bindparam(name), array)).table_valued("value").render_derived()
    return func.json_each(bindparam(name)).table_valued("value")


def id_in(column: ColumnElement[Any], dialect: str, name: str) -> ColumnElement[bool]:
    """`column` is one of the ids of the list parameter `name`."""
    return column.in_(select(values_of(dialect, name).c.value))


def written(document: Any) -> bytes:
    """A document as the API writes it: JSON indented by two spaces, as curl shows it."""
    return orjson.dumps(document, option=orjson.OPT_INDENT_2)


# How deep a stored document is kept: as an item of a list answer ({"items": [here]}), where
# nearly all of them are copied. A raw newline is never inside a JSON string, so each one starts
# a line, and a document moves to another depth by changing the indentation after each.
ITEM_DEPTH = 2
ITEM_INDENT = "  " * ITEM_DEPTH


@dataclass(frozen=True, slots=True)
class StoredDocument:
    """A fact's stored document (api.stored_documents): its JSON exactly as the API writes it
    as an item of a list, each line after the first indented by ITEM_INDENT. A JSON answer
    copies it as it is: parsing and writing it again was a sixth of a page's time, and
    indenting it again a tenth of a timeline's. CSV and the reading room parse it
    (`document`)."""

    json: str

    @classmethod
    def of(cls, document: Any) -> "StoredDocument":
        return cls(written(document).decode().replace("\n", "\n" + ITEM_INDENT))

    def document(self) -> Document:
        return orjson.loads(self.json)  # type: ignore[no-any-return]

    def at(self, depth: int) -> str:
        """The JSON as a value `depth` levels deep in an answer `written`."""
        if depth == ITEM_DEPTH:
            return self.json
        if depth > ITEM_DEPTH:  # each line already has ITEM_INDENT: add to it (twice as fast)
            return self.json.replace("\n", "\n" + "  " * (depth - ITEM_DEPTH))
        return self.json.replace("\n" + ITEM_INDENT, "\n" + "  " * depth)

    def member(self, name: str) -> str:
        """The JSON of this document's member `name`, as written here. Its lines are indented as
        those of a member of any other document kept at this depth (`member_of` copies it)."""
        key = _member_start(name)
        start = self.json.index(key) + len(key)
        end = self.json.find(_NEXT_MEMBER, start)
        return self.json[start : end if end >= 0 else -len(_END)]

    def member_of(self, head: str, name: str) -> "StoredDocument":
        """A document of the members `head` (each `member_written`, so it ends in a comma), then
        this one as the member `name`: written as one, with only this one moved one level down."""
        return StoredDocument("{" + head + _member_start(name) + self.at(ITEM_DEPTH + 1) + _END)


def member_written(name: str, value: str) -> str:
    """A member as a stored document writes it, from its value's JSON text (a scalar, or another
    stored document's `member`), with the comma that separates it from the next."""
    return _member_start(name) + value + ","


# A raw newline is never inside a JSON string, and the lines of a member's value are indented
# deeper than the member: where each member of a stored document starts, and where it ends.
@cache
def _member_start(name: str) -> str:
    return f"\n{ITEM_INDENT}  {orjson.dumps(name).decode()}: "


_NEXT_MEMBER = f',\n{ITEM_INDENT}  "'
_END = f"\n{ITEM_INDENT}}}"


def nested_list(stored: Sequence[StoredDocument], depth: int) -> orjson.Fragment:
    """A list of stored documents as one value `depth` levels deep (see `StoredDocument`): a
    page's items copied, re-indented only when the list is not where items are kept."""
    if not stored:
        return orjson.Fragment("[]")
    indent = "\n" + "  " * (depth + 1)
    items = (item.at(depth + 1) for item in stored)
    return orjson.Fragment("[" + indent + ("," + indent).join(items) + "\n" + "  " * depth + "]")


# An item of a list: a document built for the request, or one read as stored.
Item = Document | StoredDocument


def stored_rows(documents: Table) -> Callable[[FromClause], Select[Any]]:
    """The id and stored document (api.stored_documents) of each fact of a page (`page.c.id`)."""

    def rows(page: FromClause) -> Select[Any]:
        return (
            select(page.c.id, documents.c.body)
            .select_from(page)
            .join(documents, documents.c.id == page.c.id)
        )

    return rows


def stored_document(row: Any) -> StoredDocument:
    """A row of `stored_rows`, as its document."""
    return StoredDocument(row[1])


def evidence_columns(table: FromClause, source: FromClause) -> list[ColumnElement[Any]]:
    """api.documents.EVIDENCE_FIELDS of a fact row and its joined source."""
    return [
        source.c.slug,
        source.c.title,
        table.c.evidence_start,
        table.c.evidence_end,
        table.c.evidence_text,
        table.c.sentence_start,
        table.c.sentence_end,
        table.c.sentence_text,
    ]


def date_columns(table: FromClause) -> list[ColumnElement[Any]]:
    """api.documents.DATE_FIELDS."""
    return [table.c.date_start, table.c.date_end, table.c.date_precision, table.c.date_text]


def actor_ref_columns(actor: FromClause) -> list[ColumnElement[Any]]:
    """api.documents.ACTOR_REF_FIELDS of a joined actor."""
    return [actor.c.slug, actor.c.name, actor.c.kind]


def event_ref_columns(event: FromClause) -> list[ColumnElement[Any]]:
    """api.documents.EVENT_REF_FIELDS of a joined event."""
    return [event.c.slug, event.c.kind, event.c.title]


def prefixes_of(value: str) -> list[str]:
    """Where to look for values close to one that matches nothing: its first letters, and the
    first letters of each of its words (a bounded number of index ranges)."""
    value = value.strip().lower()
    words = [w for w in value.replace("-", " ").split() if w][:4]
    return list(dict.fromkeys([value[:3], *(w[:3] for w in words)]))


def closest(value: str, candidates: Sequence[str], n: int = 5) -> list[str]:
    unique = list(dict.fromkeys(candidates))
    close = difflib.get_close_matches(value, unique, n=n, cutoff=0.6)
    close += [
        c for c in unique if value and value in c.replace("-", " ").split() and c not in close
    ]
    return close[:n]


# Related lists, as JSON built by the database ----------------------------------------------------

JsonSpec = dict[str, "ColumnElement[Any] | JsonSpec"]


def json_object(dialect: str, spec: JsonSpec) -> ColumnElement[Any]:
    """A JSON object built by the database: {"slug": column, "actor": {...}}."""
    arguments: list[ColumnElement[Any]] = []
    for name, value in spec.items():
        arguments.append(literal_column(f"'{name}'"))
        arguments.append(json_object(dialect, value) if isinstance(value, dict) else value)
    if dialect == "postgresql":
        return func.json_build_object(*arguments)
    return func.json_object(*arguments)


def json_list(
    dialect: str,
    item: JsonSpec,
    source: FromClause,
    where: Sequence[ColumnElement[bool]],
    order: Sequence[ColumnElement[Any]],
    outer: FromClause,
) -> ColumnElement[Any]:
    """A JSON array of `item`, one per row of `source` that meets `where` (which refers to the
    row of `outer`, the page), in `order`: the related rows of a page in the page's own
    statement, rather than one more statement per kind of related row."""
    element = json_object(dialect, item)
    if dialect == "postgresql":
        aggregated = func.json_agg(aggregate_order_by(element, *order))
        return (
            select(func.coalesce(aggregated, literal_column("'[]'::json")))
            .select_from(source)
            .where(*where)
            .scalar_subquery()
        )
    rows = (
        select(element.label("item"))
        .select_from(source)
        .where(*where)
        .order_by(*order)
        .correlate(outer)
        .subquery()
    )
    # json(): the items keep their JSON type through the subquery, so they nest as objects.
    return select(func.json_group_array(func.json(rows.c.item))).scalar_subquery()


def evidence_json(table: FromClause, source: FromClause) -> JsonSpec:
    """api.documents.evidence, built by the database."""
    c = table.c
    return {
        "source": {"slug": source.c.slug, "title": source.c.title},
        "start": c.evidence_start,
        "end": c.evidence_end,
        "text": c.evidence_text,
        "sentence": {"start": c.sentence_start, "end": c.sentence_end, "text": c.sentence_text},
    }


def actor_ref_json(actor: FromClause) -> JsonSpec:
    return {"slug": actor.c.slug, "name": actor.c.name, "kind": actor.c.kind}
