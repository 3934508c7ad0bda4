"""Full-text search with one meaning on both databases.

The loader stores `search_text` already folded (api.text.fold): plain words separated by spaces.
SQLite indexes it with FTS5 and PostgreSQL with a GIN index on to_tsvector('simple', ...)
(stored in the generated column `search_vector`), and
neither stems nor drops stop words, so both split the text into exactly the same words and
answer a query with the same rows. A query is a list of words and "quoted phrases": every one
must match; a bare word also matches as a prefix (`hostage` finds "hostages").
"""

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, func, literal_column, select, text
from sqlalchemy.orm import Session

from api.errors import Problem
from api.text import words

_PHRASE = re.compile(r"[\"“”](.*?)(?:[\"“”]|$)")


@dataclass(frozen=True)
class SearchQuery:
    prefixes: tuple[str, ...]
    phrases: tuple[tuple[str, ...], ...]

    @classmethod
    def parse(cls, raw: str) -> "SearchQuery":
        phrases = [tuple(words(phrase)) for phrase in _PHRASE.findall(raw)]
        prefixes = words(_PHRASE.sub(" ", raw))
        query = cls(tuple(prefixes), tuple(phrase for phrase in phrases if phrase))
        if not query.prefixes and not query.phrases:
            raise Problem(422, "Empty search", f"q={raw!r} has no letters or digits to search for.")
        return query

    def fts5(self) -> str:
        parts = [f'"{word}"*' for word in self.prefixes]
        parts += ['"' + " ".join(phrase) + '"' for phrase in self.phrases]
        return " AND ".join(parts)

    def tsquery(self) -> str:
        parts = [f"{word}:*" for word in self.prefixes]
        parts += ["(" + " <-> ".join(phrase) + ")" for phrase in self.phrases]
        return " & ".join(parts)


# On SQLite, a search that matches more rows than this walks the list's date index and keeps the
# rows found in the full-text index; one that matches fewer fetches its rows and sorts them.
# Either way a page reads at most about this many rows, whatever the size of the corpus.
MANY_MATCHES = 5_000


def matches(session: Session, table: str, query: SearchQuery) -> ColumnElement[bool]:
    """A WHERE clause: the row's text matches the query (index-backed on both databases)."""
    if session.get_bind().dialect.name == "postgresql":
        simple: ColumnElement[Any] = literal_column("'simple'::regconfig")
        vector: ColumnElement[Any] = literal_column(f"{table}.search_vector")
        return vector.op("@@")(func.to_tsquery(simple, query.tsquery()))
    fts_table = f"{table}_fts"
    hits: Select[Any] = (
        select(literal_column("rowid"))
        .select_from(text(fts_table))
        .where(literal_column(fts_table).op("MATCH")(query.fts5()))
    )
    found = session.scalar(
        select(func.count()).select_from(hits.limit(MANY_MATCHES + 1).subquery())
    )
    if (found or 0) > MANY_MATCHES:
        # `+id` keeps SQLite from looking each match up by id (then sorting them all).
        return literal_column(f"+{table}.id").in_(hits)
    return literal_column(f"{table}.id").in_(hits)
