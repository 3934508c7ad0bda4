"""Full-text search with one meaning on both databases.

The loader stores `search_text` as tokens (api.text.search_tokens): folded words spelled in
`[a-z0-9]`, in the order they are written. SQLite indexes it with FTS5 and PostgreSQL with a GIN
index on to_tsvector('simple', …) (the generated column `search_vector`); neither stems nor
drops stop words, and neither has any splitting of its own left to do, so both see the same words
and answer a query with the same rows. PostgreSQL's index also keeps each pair of words that
follow each other as one lexeme, 'a b' (migration 0008), which a phrase asks for: GIN knows which
rows hold a word, not where, and the rows that hold both words of a common phrase are many more
than those that hold the phrase. A query is given to PostgreSQL as a tsquery, not parsed again.

A query is a list of words and "quoted phrases": every one must match; a bare word also matches
as a prefix (`hostage` finds "hostages"). A hyphenated word matches written either way: the
loader keeps each hyphenated word of the data in `search_compounds` ("ceasefire" → "cease fire"),
so `ceasefire` also looks for the phrase "cease fire", and `cease-fire` also for "ceasefire";
inside a phrase each word keeps its place (`"ceasefire deal"` finds "cease-fire deal", and
`"deal ceasefire"` does not). The loader also keeps every word of the search texts in
`search_words`: a word of the query that begins no other word is asked for as itself.

SQLite's full-text indexes keep each row under a key in list order (`KEY`, migration 0007): its
sort_date's day number, then its id. FTS5 reads a search's matches in key order, from any key,
so a list filtered by its search alone walks the index itself (`ordered_walk`), as fast for a
word in every row as for a word in fifty. They also keep each pair of words that follow each
other as one token, `_a_b` (migration 0009), which a phrase asks for, as PostgreSQL's pairs.

On PostgreSQL, where asking the data's words is a round trip (and makes the read a transaction,
two more), a process remembers what they said of a search's words; the page's statement reads
them again and says whether they are still so, and when they are not, the read is run again
with the words asked first, as for the names of filters (`lexicon_check`, api.queries.filters).

`search_words` also keeps how many statements and events hold each word (migration 0010): a
search of one word finds at least the rows of the commonest word it names, so PostgreSQL, whose
index cannot stop counting at 1,001, skips the count past 1,000 (`held_past_the_limit`).
"""

import itertools
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cache
from typing import Any, Literal

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Date,
    Integer,
    Select,
    bindparam,
    cast,
    exists,
    func,
    literal,
    literal_column,
    null,
    select,
    text,
    union_all,
)
from sqlalchemy.dialects.postgresql import TSQUERY, aggregate_order_by
from sqlalchemy.sql.elements import TextClause

from api.database import Reader
from api.errors import InvalidParameter
from api.models import SEARCH_WORD_LENGTH, SearchCompound, SearchWord, table_of
from api.paging import COUNT_LIMIT, Walk
from api.queries.common import LAST, values_of
from api.text import token, words

_PHRASE = re.compile(r"[\"“”](.*?)(?:[\"“”]|$)")
_CHUNK = re.compile(r"\S+")
_HYPHEN = re.compile(r"[^\W_][-\u2010\u2011][^\W_]")
# A word or a phrase becomes at most this many alternatives (spellings of its compounds).
MAX_ALTERNATIVES = 16
# On SQLite, a search with other filters that matches more rows than this walks the list's
# date index (or the other filter's), keeping the rows that match; one that matches fewer
# fetches its rows and sorts them. Either way a page reads at most about this many rows,
# whatever the size of the corpus.
MANY_MATCHES = 5_000
# The lengths of prefix that SQLite's full-text indexes keep merged (migration 0003). A search
# whose every prefix has such a length (or that has none) can be asked of one row at a time.
INDEXED_PREFIXES = frozenset({2, 3, 4})
# Asking the full-text index about each row that the date index walks costs about 130 µs a row,
# and a page walks 51 ÷ (the share of rows that match) rows; building the set of every match
# costs about 0.35 µs a match (both measured on the 1M corpus). Asking row by row pays when
# more rows match than PROBE_FACTOR times √(rows of the table): 140,000 of 1M, never at 10k.
PROBE_FACTOR = 140
# On PostgreSQL, sorting a search's matches pays against walking the date index and testing each
# row (51 ÷ the share of rows that match, about 5 µs a row, where a match costs about 1.5 µs)
# when fewer rows match than this times √(rows of the table): about 13,000 of 1M.
SORT_FACTOR = 13
# On PostgreSQL, a clause of a search whose rows outnumber this many times the rows its rarer
# clauses leave is checked on each of those, not read from the full-text index: GIN reads every
# row of a word (of every word a prefix begins) to intersect them. `baba talu` at 1M read 992,008
# rows for 823 matches, 148 ms; checked on talu's 857, 4.4 ms.
CHECK_FACTOR = 10
# A row's key in SQLite's full-text index: its sort_date's day number, then its id (below 2**32).
KEY = "((CAST(julianday({row}.sort_date) AS INTEGER) << 32) | {row}.id)"
ID_OF_KEY = "rowid & 4294967295"

# The parameter of a search's words, in the database's syntax (`match_expression`).
SEARCH_PARAMETER = "q_match"
# PostgreSQL: the clauses checked on each row the others find ("sifted").
CHECKED_PARAMETER = "q_checked"
# PostgreSQL: the words of a search of one clause (whole, and begun), whose rows bound its total.
HELD_WORDS_PARAMETER = "q_words"
HELD_PREFIXES_PARAMETER = "q_prefixes"
# The words a search asks the data's words about (`expand`), and PostgreSQL: what the process
# remembers the data said of them, which the page's statement checks (`lexicon_check`).
LEXICON_WORDS_PARAMETER = "lexicon_words"
LEXICON_PREFIXES_PARAMETER = "lexicon_prefixes"
LEXICON_SUMMARY_PARAMETER = "lexicon_summary"
# PostgreSQL's parser reads digits, `e` and a digit as a number and splits a token that goes on
# after it ("1e5abc": 1e5, abc), so such a word of search_words is none of its index's.
_SPLIT = re.compile(r"[0-9]+e[0-9]")
# The tables whose search_text full-text search indexes.
SEARCHED = ("statements", "events")

# One place of a phrase: its spellings, each a run of tokens ("cease-fire": cease fire | ceasefire).
Place = tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Phrase:
    """Tokens that must follow each other; with `prefix`, the last may be the start of a word."""

    tokens: tuple[str, ...]
    prefix: bool

    def fts5(self) -> str:
        """A word; a phrase of two words as their pair's token (migration 0009); a longer one as
        its pairs and its words in a row."""
        last = "*" if self.prefix else ""
        if len(self.tokens) == 1:
            return f'"{self.tokens[0]}"{last}'
        pairs = [f'"_{first}_{second}"' for first, second in itertools.pairwise(self.tokens)]
        pairs[-1] += last
        if len(pairs) == 1:
            return pairs[0]
        return "(" + " AND ".join([*pairs, '"' + " ".join(self.tokens) + '"' + last]) + ")"

    def fts5_prefixes(self) -> list[str]:
        """The starts of tokens FTS5 is asked for (`fts5`): the last word, the last pair, or
        both."""
        if not self.prefix:
            return []
        pair = ["_" + "_".join(self.tokens[-2:])] if len(self.tokens) > 1 else []
        return pair + ([self.tokens[-1]] if len(self.tokens) != 2 else [])

    def tsquery(self) -> str:
        """A word; a phrase of two words as their pair (migration 0008); a longer one as its
        pairs and its words in a row (each of its pairs may be in a row without the others)."""
        last = ":*" if self.prefix else ""
        if len(self.tokens) == 1:
            return f"({self.tokens[0]}{last})"
        pairs = [f"'{first} {second}'" for first, second in itertools.pairwise(self.tokens)]
        pairs[-1] += last
        if len(pairs) == 1:
            return f"({pairs[0]})"
        in_a_row = " <-> ".join(self.tokens) + last
        return f"({' & '.join(pairs)} & ({in_a_row}))"


@dataclass(frozen=True)
class Clause:
    """One word or quoted phrase of the query: any of its spellings must match."""

    places: tuple[Place, ...]
    prefix: bool

    def phrases(self) -> list[Phrase]:
        found = []
        for choice in itertools.islice(itertools.product(*self.places), MAX_ALTERNATIVES):
            found.append(Phrase(tuple(t for spelling in choice for t in spelling), self.prefix))
        return list(dict.fromkeys(found))


@dataclass(frozen=True)
class SearchQuery:
    clauses: tuple[Clause, ...]
    # Words of the query that begin no other word of the data (`expand`).
    whole: frozenset[str] = frozenset()

    @classmethod
    def parse(cls, raw: str, parameter: str = "q") -> "SearchQuery":
        clauses = [_clause(phrase, prefix=False) for phrase in _PHRASE.findall(raw)]
        for chunk in _CHUNK.findall(_PHRASE.sub(" ", raw)):
            if _HYPHEN.search(chunk):
                clauses.append(_clause(chunk, prefix=True))
            else:
                clauses += [_clause(word, prefix=True) for word in words(chunk)]
        found = tuple(clause for clause in clauses if clause.places)
        if not found:
            raise InvalidParameter.one(
                parameter, f"{parameter}={raw!r} has no letters or digits to search for."
            )
        return cls(found)

    def phrases(self, clause: Clause) -> list[Phrase]:
        """A clause's phrases. A last word that begins no other word of the data is asked for
        as itself: the same rows, and either index can skip through its list where a prefix
        merges the lists of every word it begins. FTS5 can tell whether one row holds it
        (building the set of 66,213 matches of `babamolo` took 12 ms at 100k statements; asked
        row by row, 3.7 ms); PostgreSQL's GIN index skips to the rows of the query's rarer
        words (counting `davono babamolo` at 1M statements: 64 to 94 ms as prefixes, 13 ms)."""
        return [
            Phrase(p.tokens, False) if p.prefix and p.tokens[-1] in self.whole else p
            for p in clause.phrases()
        ]

    def prefix_words(self) -> list[str]:
        """The words asked for as the beginning of words."""
        return [p.tokens[-1] for clause in self.clauses for p in self.phrases(clause) if p.prefix]

    def asked_row_by_row(self) -> bool:
        """Can FTS5 tell whether one row matches without merging the lists of every word that
        begins with one of its prefixes? Yes for whole words and for indexed prefixes."""
        return all(
            len(prefix) in INDEXED_PREFIXES
            for clause in self.clauses
            for phrase in self.phrases(clause)
            for prefix in phrase.fts5_prefixes()
        )

    def single_words(self) -> tuple[list[str], list[str]]:
        """A query of one clause: its spellings that are one word, asked whole, and asked as the
        beginning of words: it matches every row that holds any of them. None of a query of
        several clauses, which may match fewer rows than any of its words; nor a word as long
        as SEARCH_WORD_LENGTH, which search_words may keep cut (and PostgreSQL indexes no word
        of over 2,047 characters); nor one that PostgreSQL splits (`_SPLIT`)."""
        if len(self.clauses) != 1:
            return [], []
        whole: list[str] = []
        begun: list[str] = []
        for phrase in self.phrases(self.clauses[0]):
            [*other_words, word] = phrase.tokens
            if not other_words and len(word) < SEARCH_WORD_LENGTH and not _SPLIT.match(word):
                (begun if phrase.prefix else whole).append(word)
        return whole, begun

    def plain_tokens(self) -> list[str]:
        """Tokens that a compound of the data might spell as one word."""
        return [
            place[0][0]
            for clause in self.clauses
            for place in clause.places
            if len(place) == 1 and len(place[0]) == 1
        ]


def indexed_words(search_texts: Iterable[str]) -> set[str]:
    """The words full-text search indexes for these search texts, as search_words keeps them."""
    return {word[:SEARCH_WORD_LENGTH] for text_ in search_texts for word in text_.split()}


def _clause(text_: str, prefix: bool) -> Clause:
    """A hyphenated word is one place with two spellings; any other word is a place."""
    places: list[Place] = []
    for chunk in _CHUNK.findall(text_):
        tokens = tuple(token(word) for word in words(chunk))
        if len(tokens) > 1 and _HYPHEN.search(chunk):
            places.append((tokens, ("".join(tokens),)))
        else:
            places += [((t,),) for t in tokens]
    return Clause(tuple(places), prefix)


@cache
def _compounds_statement(dialect: str) -> Select[Any]:
    """Compounds of the data that a word of the query spells (or begins) as one word."""
    word = values_of(dialect, LEXICON_WORDS_PARAMETER, "text")
    compound = table_of(SearchCompound)
    return (
        select(word.c.value, compound.c.joined, compound.c.parts)
        .select_from(word)
        .join(
            compound,
            (compound.c.joined >= word.c.value) & (compound.c.joined < word.c.value + "{"),
        )
        # The same 64 however the statement is planned: alone, or checked in a page's statement
        # (`lexicon_check`), whose summary of them must be the one remembered.
        .order_by(word.c.value, compound.c.joined)
        .limit(64)
    )


@cache
def _whole_words_statement(dialect: str) -> Select[Any]:
    """Of the words asked (:lexicon_prefixes), those that are words of the data and begin no
    other."""
    word = values_of(dialect, LEXICON_PREFIXES_PARAMETER, "text")
    known = table_of(SearchWord).c.word
    return (
        select(word.c.value)
        .select_from(word)
        .where(
            exists(select(known).where(known == word.c.value)),
            ~exists(select(known).where(known > word.c.value, known < word.c.value + LAST)),
        )
    )


@cache
def _lexicon_statement(dialect: str) -> CompoundSelect[Any]:
    """Both questions `expand` asks of the data's words, in one statement (on PostgreSQL a
    statement is a round trip): the compounds that :lexicon_words spell or begin (`joined`,
    `parts`), then those of :lexicon_prefixes that are whole words (`joined` NULL)."""
    compounds = _compounds_statement(dialect).subquery()
    whole = _whole_words_statement(dialect).subquery()
    return union_all(
        select(compounds.c.value, compounds.c.joined, compounds.c.parts),
        select(whole.c.value, null(), null()),
    )


def _asked_whole(query: SearchQuery) -> list[str]:
    """The prefixes of a query that may be whole words (a word as long as SEARCH_WORD_LENGTH
    may be the start of a longer one, which search_words keeps cut to that length)."""
    return sorted({w for w in query.prefix_words() if len(w) < SEARCH_WORD_LENGTH})


@dataclass(frozen=True)
class LexiconCheck:
    """PostgreSQL: the data's words a search was spelled with, as the process remembered them
    (`expand`); the page's statement reads them again, and says whether they are still so."""

    words: list[str]
    prefixes: list[str]
    summary: str  # `lexicon_summary` of the rows remembered

    def bind(self, params: dict[str, Any]) -> None:
        params[LEXICON_WORDS_PARAMETER] = self.words
        params[LEXICON_PREFIXES_PARAMETER] = self.prefixes
        params[LEXICON_SUMMARY_PARAMETER] = self.summary


def lexicon_summary(rows: Iterable[Iterable[Any]]) -> str:
    """The rows of `_lexicon_statement` as one string, as `lexicon_check` writes them: each row's
    values but NULL joined by "|", the rows sorted (by code point: COLLATE "C") and joined by
    ",". The words are tokens of [a-z0-9], and `parts` tokens separated by spaces."""
    return ",".join(sorted("|".join(str(v) for v in row if v is not None) for row in rows))


@cache
def lexicon_check() -> ColumnElement[bool]:
    """PostgreSQL: do the data's words still say of :lexicon_words and :lexicon_prefixes what
    the process remembers (:lexicon_summary)? A page's statement checks it, as it checks the
    names of its filters (api.queries.filters): when they do not, the read is run again, with
    the words asked first."""
    rows = _lexicon_statement("postgresql").subquery("lexicon_rows")
    entry = func.concat_ws("|", rows.c.value, rows.c.joined, rows.c.parts)
    ordered = aggregate_order_by(literal(","), entry.collate("C"))
    summary = select(func.coalesce(func.string_agg(entry, ordered), "")).scalar_subquery()
    return summary == bindparam(LEXICON_SUMMARY_PARAMETER)


def lexicon_checks(checked: bool) -> list[ColumnElement[bool]]:
    """The check of a list's statement whose search was spelled as remembered (`checked`)."""
    return [lexicon_check()] if checked else []


async def _lexicon(
    reader: Reader, plain: list[str], prefixes: list[str]
) -> tuple[list[Any], LexiconCheck | None]:
    """The rows of `_lexicon_statement`. PostgreSQL, where it is a round trip and makes the read
    a transaction (two more): those the process remembers, when it has them and the read
    leaves names to its statements (`Reader.resolves_names`), with the check of them that the
    page's statement makes."""
    postgresql = reader.dialect == "postgresql"
    key = (_lexicon_statement, tuple(plain), tuple(prefixes))
    remembered = reader.memo.get(key) if postgresql else None
    # Asked only when there is something to check: a read that leaves a check to its statements
    # is run again when the client made a mistake (`Reader.resolves_names`).
    if remembered is not None and reader.resolves_names():
        return remembered, LexiconCheck(plain, prefixes, lexicon_summary(remembered))
    rows = await reader.rows(
        _lexicon_statement(reader.dialect),
        **{LEXICON_WORDS_PARAMETER: plain, LEXICON_PREFIXES_PARAMETER: prefixes},
    )
    if postgresql:
        reader.memo.put(key, rows)
    return rows, None


async def expand(reader: Reader, query: SearchQuery) -> tuple[SearchQuery, LexiconCheck | None]:
    """The query with each word that a hyphenated word of the data spells as one ("ceasefire")
    also spelled as its parts ("cease fire"), where the words are; and knowing which of its
    prefixes are whole words of the data that begin no other (SearchQuery.phrases). With the
    check a page makes of what the process remembered of the data's words, if it did."""
    plain = sorted({t for t in query.plain_tokens() if len(t) > 1})
    prefixes = _asked_whole(query)
    if not plain and not prefixes:
        return query, None
    rows, check = await _lexicon(reader, plain, prefixes)
    query = _spelled_as_compounds(query, [row for row in rows if row[1] is not None])
    whole = {row[0] for row in rows if row[1] is None}
    # A word spelled over a compound's parts ends in a new prefix ("ceasefi": cease fi).
    more = [word for word in _asked_whole(query) if word not in prefixes]
    if more:
        found = await reader.rows(
            _whole_words_statement(reader.dialect), **{LEXICON_PREFIXES_PARAMETER: more}
        )
        whole |= {row[0] for row in found}
    return replace(query, whole=frozenset(whole)), check


def _spelled_as_compounds(query: SearchQuery, compounds: list[Any]) -> SearchQuery:
    """`query` with its words also spelled over the parts of `compounds` (word, joined, parts)."""
    by_word: dict[str, list[tuple[str, str]]] = {}
    for word, joined, parts in compounds:
        by_word.setdefault(word, []).append((joined, parts))
    if not by_word:
        return query
    clauses = []
    for clause in query.clauses:
        last = len(clause.places) - 1
        places = []
        for i, place in enumerate(clause.places):
            spellings = list(place)
            if len(place) == 1 and len(place[0]) == 1:
                word = place[0][0]
                as_prefix = clause.prefix and i == last
                for joined, parts in by_word.get(word, []):
                    split = _split(word, parts.split(), as_prefix)
                    if split and (as_prefix or joined == word):
                        spellings.append(split)
            places.append(tuple(dict.fromkeys(spellings)))
        clauses.append(Clause(tuple(places), clause.prefix))
    return SearchQuery(tuple(clauses))


def _split(word: str, parts: list[str], as_prefix: bool) -> tuple[str, ...] | None:
    """`word` spelled over the parts of a compound: "ceasefi" over (cease, fire) is (cease, fi).
    None when it is not spelled so, or fits in the first part (where a bare prefix finds it)."""
    spelled: list[str] = []
    rest = word
    for part in parts:
        if not rest:
            break
        piece = rest[: len(part)]
        if not part.startswith(piece):
            return None
        spelled.append(piece)
        rest = rest[len(piece) :]
    if rest or len(spelled) < 2 or (not as_prefix and spelled != parts):
        return None
    return tuple(spelled)


def match_expression(dialect: str, query: SearchQuery) -> str:
    """The query in the database's own syntax (FTS5 MATCH, or a tsquery)."""
    if dialect == "postgresql":
        return " & ".join(tsquery_clauses(query))
    return " AND ".join(
        "(" + " OR ".join(p.fts5() for p in query.phrases(clause)) + ")" for clause in query.clauses
    )


def tsquery_clauses(query: SearchQuery) -> list[str]:
    """Each clause of the query as a tsquery: PostgreSQL's query is all of them."""
    return [
        "(" + " | ".join(p.tsquery() for p in query.phrases(clause)) + ")"
        for clause in query.clauses
    ]


def _fts_matches(table: str, *columns: ColumnElement[Any]) -> Select[Any]:
    fts = f"{table}_fts"
    return (
        select(*columns)
        .select_from(text(fts))
        .where(literal_column(fts).op("MATCH")(bindparam(SEARCH_PARAMETER)))
    )


# How SQLite finds a search's rows (`search_plan`): "ordered", a list filtered by its search
# alone, walks the full-text index in list order (`ordered_walk`). With other filters: "few"
# matches are fetched by id and sorted; of "many", each row that the list's walk reads is looked
# up in the full-text index; "merged": more than a few, but a prefix no index keeps merged, or
# too few rows match for looking up row by row to pay (`row_by_row_pays`), so the set of every
# match is built once. PostgreSQL: a list searched alone for words of few rows takes its
# "matches" from the full-text index and sorts them (`matched_walk`), or, when some of its words
# are in many rows, takes the matches of the others and checks those on each ("sifted",
# `sifted`); any other search is "planned" by PostgreSQL with its words.
SearchWay = Literal["ordered", "few", "many", "merged", "matches", "sifted", "planned"]


def condition(dialect: str, table: str, way: SearchWay) -> ColumnElement[bool]:
    """A WHERE clause on :q_match (index-backed on both databases)."""
    if dialect == "postgresql":
        vector: ColumnElement[Any] = literal_column(f"{table}.search_vector")
        found = vector.op("@@")(cast(bindparam(SEARCH_PARAMETER), TSQUERY))
        if way != "sifted":
            return found
        # The function behind @@, which no index answers: checked on the rows found.
        return found & func.ts_match_vq(vector, cast(bindparam(CHECKED_PARAMETER), TSQUERY))
    if way == "many":
        # One lookup per row: 8 ms for a page of a search that matches 962,358 of the 1M
        # statements, where building the set of every match took 336 ms.
        row = literal_column("rowid") == literal_column(KEY.format(row=table))
        return exists(_fts_matches(table, literal_column("1")).where(row))
    if way == "merged":
        # The set of every match, built from the index's keys as it reads them (in order, where
        # ids would come unordered: 29 ms instead of 97 for `bala` and one speaker at 1M), which
        # SQLite cannot use to look rows up by id, then sort them.
        key: ColumnElement[int] = literal_column(KEY.format(row=table))
        return key.in_(_fts_matches(table, literal_column("rowid")))
    return literal_column(f"{table}.id").in_(_fts_matches(table, literal_column(ID_OF_KEY)))


@cache
def ordered_walk(table: str) -> Walk:
    """The rows of a list filtered by its search alone (SQLite): the full-text index's matches,
    in its key order, which is the list's."""
    key: ColumnElement[int] = literal_column("rowid", Integer)
    return Walk(_fts_matches(table, literal_column(ID_OF_KEY).label("id")), (key,))


@cache
def matched_walk(table: str, way: SearchWay) -> Walk:
    """The rows of a list filtered by its search alone, for words of few rows (PostgreSQL):
    the full-text index's matches, sorted. The planner would rather walk the date index and
    test each row, which it costs as nothing: a word in 3,889 of the 1M statements read 11,875
    rows for a page, 20 ms, where these take 9.5 (146 to 3.9 ms for a word of 2,900)."""
    found = (
        select(literal_column("id", Integer), literal_column("sort_date", Date))
        .select_from(text(table))
        .where(condition("postgresql", table, way))
        .cte("matches")
        # Found once for the page and its count, and planned apart from the page's order.
        .prefix_with("MATERIALIZED")
    )
    return Walk(select(found.c.id), (found.c.sort_date, found.c.id))


def walk_alone(table: str, way: SearchWay | None) -> Walk | None:
    """The walk of a list filtered by its search alone when the full-text index is walked
    itself ("ordered" on SQLite, "matches" or "sifted" on PostgreSQL); None when the list's own
    walks are."""
    if way == "ordered":
        return ordered_walk(table)
    if way in ("matches", "sifted"):
        return matched_walk(table, way)
    return None


@cache
def held_past_the_limit(
    dialect: str, table: str, way: SearchWay | None
) -> ColumnElement[bool] | None:
    """PostgreSQL, for a searched list: does a word of :q_words, or a word that begins with one
    of :q_prefixes, have more than COUNT_LIMIT rows of `table` (search_words' numbers, migration
    0010)? A search of one clause (`SearchQuery.single_words`) matches at least as many rows:
    its count is not needed, which for a common word built the set of all its rows
    (api.paging.Listing). SQLite counts a search's first 1,001 matches and stops."""
    if dialect != "postgresql" or way is None:
        return None
    words = table_of(SearchWord)
    many = words.c[f"in_{table}"] > COUNT_LIMIT
    whole = values_of("postgresql", HELD_WORDS_PARAMETER, "text")
    begun = values_of("postgresql", HELD_PREFIXES_PARAMETER, "text")
    begins = (words.c.word >= begun.c.value) & (words.c.word < begun.c.value + LAST)
    return exists(
        select(literal_column("1"))
        .select_from(whole)
        .join(words, words.c.word == whole.c.value)
        .where(many)
    ) | exists(
        select(literal_column("1"))
        .select_from(begun)
        .join(words, begins)
        .where(
            many,
            func.length(words.c.word) < SEARCH_WORD_LENGTH,
            ~words.c.word.regexp_match(f"^{_SPLIT.pattern}"),
        )
    )


@cache
def _estimated(table: str, clauses: int) -> TextClause:
    """PostgreSQL's estimates of the rows each of a search's clauses (:q0, :q1, …) matches
    (from its statistics of the words), then of the table's rows: one plan of them all."""
    each = [
        f"SELECT 1 FROM {table} WHERE {table}.search_vector @@ CAST(:q{i} AS tsquery)"
        for i in range(clauses)
    ]
    return text("EXPLAIN (FORMAT JSON) " + " UNION ALL ".join([*each, f"SELECT 1 FROM {table}"]))


async def _estimates(reader: Reader, table: str, clauses: list[str]) -> tuple[list[float], float]:
    """Each clause's estimate and the table's rows, from one plan, as the process remembers
    them (Reader.memo: estimates choose how a search runs, never what it finds), else explained:
    a popular search was explained on every request, a round trip and a plan (0.3 ms of 1.4 at
    100k)."""
    key = (_estimated, table, tuple(clauses))
    remembered = reader.memo.get(key)
    if remembered is not None:
        return remembered  # type: ignore[no-any-return]
    ((explained,),) = await reader.rows(
        _estimated(table, len(clauses)), **{f"q{i}": c for i, c in enumerate(clauses)}
    )
    *each, rows = (plan["Plan Rows"] for plan in explained[0]["Plan"]["Plans"])
    reader.memo.put(key, (each, rows))
    return each, rows


def sifted(estimates: list[float], rows: float) -> list[bool]:
    """PostgreSQL: which clauses of a search (of `estimates` rows each) are read from the
    full-text index, and which (False) checked on the rows those leave. The rarest is read; each
    other, rarer first, unless its rows outnumber CHECK_FACTOR times the rows left."""
    read = [False] * len(estimates)
    left = rows
    for rank, i in enumerate(sorted(range(len(estimates)), key=lambda i: estimates[i])):
        if rank == 0 or estimates[i] <= CHECK_FACTOR * left:  # the rarest, whatever the figures
            read[i] = True
            left = left * estimates[i] / max(rows, 1)
    return read


def sorting_pays(matches: float, rows: float) -> bool:
    """PostgreSQL: is a page of a search found faster by sorting its matches than by walking
    the date index and testing each row?"""
    return matches <= SORT_FACTOR * math.sqrt(rows)


@cache
def _first_hits(table: str, from_the_last: bool) -> Select[Any]:
    """How many of the first :cap matches in key order (or from the last key down) there are,
    and the key the last of them reaches."""
    rowid: ColumnElement[int] = literal_column("rowid")
    hits = _fts_matches(table, rowid).order_by(rowid.desc() if from_the_last else rowid)
    bounded = hits.limit(bindparam("cap")).subquery()
    reached = func.min(bounded.c.rowid) if from_the_last else func.max(bounded.c.rowid)
    return select(func.count(), reached)


@cache
def _keys(table: str) -> Select[Any]:
    """The smallest and largest key of the full-text index, and the table's largest id."""
    rowid: ColumnElement[int] = literal_column("rowid")
    every = select(rowid).select_from(text(f"{table}_fts"))
    return select(
        every.order_by(rowid).limit(1).scalar_subquery(),
        every.order_by(rowid.desc()).limit(1).scalar_subquery(),
        select(func.max(literal_column("id"))).select_from(text(table)).scalar_subquery(),
    )


def estimated_matches(
    sample: int, first_reach: int, last_reach: int, keys: tuple[int, int], rows: int
) -> int:
    """How many of `rows` rows match, from `sample` matches counted from the first key up
    (they reach key `first_reach`) and from the last key down (to `last_reach`), `keys` the
    smallest and largest: the sparser end's share of the keys, so that a word common only in
    old (or only in new) rows is not taken for a common one, which row by row would cost a
    probe for nearly every row."""
    smallest, largest = keys
    covered = max(first_reach - smallest + 1, largest - last_reach + 1, 1)
    return min(rows, sample * (largest - smallest + 1) // covered)


def row_by_row_pays(matches: int, rows: int) -> bool:
    """Is a page found faster by asking about each row than by building the set of matches?"""
    return matches > PROBE_FACTOR * math.sqrt(rows)


@dataclass(frozen=True)
class SearchPlan:
    match: str  # the search in the database's syntax, for :q_match
    way: SearchWay  # how its rows are found
    checked: str | None = None  # "sifted": the clauses checked on each match, for :q_checked
    # PostgreSQL: the words whose rows bound the list's total (`held_past_the_limit`), when the
    # search is the list's only filter.
    held: tuple[list[str], list[str]] | None = None
    lexicon: LexiconCheck | None = None  # PostgreSQL: the words' spellings, as remembered

    def bind(self, params: dict[str, Any]) -> SearchWay:
        """Put the plan's values in a request's `params`; returns the list's way to search."""
        if self.lexicon is not None:
            self.lexicon.bind(params)
        params[SEARCH_PARAMETER] = self.match
        if self.checked is not None:
            params[CHECKED_PARAMETER] = self.checked
        if self.held is not None:
            params[HELD_WORDS_PARAMETER], params[HELD_PREFIXES_PARAMETER] = self.held
        return self.way


async def search_plan(reader: Reader, table: str, raw: str, alone: bool) -> SearchPlan:
    """The search `raw` in the database's syntax, and how its rows are found: `alone`, when it
    is the list's only filter."""
    query, lexicon = await expand(reader, SearchQuery.parse(raw))
    match = match_expression(reader.dialect, query)
    if reader.dialect == "postgresql":
        held = query.single_words() if alone else ([], [])
        if alone:
            clauses = tsquery_clauses(query)
            estimates, rows = await _estimates(reader, table, clauses)
            # As PostgreSQL estimates a whole tsquery: its clauses' shares, multiplied.
            if sorting_pays(rows * math.prod(e / max(rows, 1) for e in estimates), rows):
                # Found by the full-text index whatever the words: the plan made once serves
                # (planning it anew was about 1 ms of a 3 ms request at 100k statements).
                read = sifted(estimates, rows)
                if all(read):
                    return SearchPlan(match, "matches", held=held, lexicon=lexicon)
                found = " & ".join(c for c, r in zip(clauses, read, strict=True) if r)
                checked = " & ".join(c for c, r in zip(clauses, read, strict=True) if not r)
                return SearchPlan(found, "sifted", checked, held, lexicon)
        # Only the words' values tell how many rows they match (few: fetch them from the
        # full-text index and sort; many: walk the date index and keep the matches).
        await reader.plan_with_values()
        return SearchPlan(match, "planned", held=held, lexicon=lexicon)
    if alone:
        return SearchPlan(match, "ordered")
    sample = MANY_MATCHES + 1
    ((found, first_reach),) = await reader.rows(
        _first_hits(table, False), q_match=match, cap=sample
    )
    if found <= MANY_MATCHES:
        return SearchPlan(match, "few")
    if not query.asked_row_by_row():
        return SearchPlan(match, "merged")
    # Estimated from both ends, not counted: counting up to 140,001 matches at 1M statements
    # took 13 to 18 ms, more than the page.
    ((smallest, largest, rows),) = await reader.rows(_keys(table))
    ((_, last_reach),) = await reader.rows(_first_hits(table, True), q_match=match, cap=sample)
    matches = estimated_matches(sample, first_reach, last_reach, (smallest, largest), rows or 0)
    return SearchPlan(match, "many" if row_by_row_pays(matches, rows or 0) else "merged")
