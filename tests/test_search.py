"""Full-text search finds what is written, and means the same on both databases.

Python decides where every word begins and ends (api.text): the databases only ever index and
match tokens of ASCII letters and digits separated by spaces. These tests hold both ends of that
promise: every character of Unicode folds into such tokens, each database splits them exactly at
the spaces, and the API finds initials, hyphenated words and phrases as they are written.
"""

import asyncio
import itertools
import re
import sys
import unicodedata
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, text

from api.database import Database, create_db_engine
from api.schema_version import upgrade
from api.search import SearchQuery, expand, match_expression
from api.text import search_tokens
from tests.database_state import assert_search_words_count_what_the_index_holds

TOKENS = re.compile(r"([a-z0-9]+( [a-z0-9]+)*)?")
# Every assigned character of Unicode (and the private use area of the BMP).
EVERY_CHARACTER = [
    char
    for char in map(chr, range(sys.maxunicode + 1))
    if unicodedata.category(char) not in ("Cn", "Cs")
    and (char <= "\uffff" or unicodedata.category(char) != "Co")
]


def test_every_character_of_unicode_folds_into_ascii_tokens() -> None:
    odd = [
        c for c in EVERY_CHARACTER if not TOKENS.fullmatch(search_tokens(f"written{c}guarantee"))
    ]
    assert odd == []


def _distinct_tokens() -> list[str]:
    """What the index holds for "written?guarantee", for every character."""
    return sorted({search_tokens(f"written{c}guarantee") for c in EVERY_CHARACTER})


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = create_db_engine(database_url)
    upgrade(engine)
    yield engine
    engine.dispose()


def _split_by_the_database(engine: Engine, strings: list[str]) -> dict[str, list[str]]:
    """How the database's own full-text tokenizer (as the migrations configure it) splits each
    string into words."""
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            rows = connection.execute(
                text(
                    "SELECT s, array(SELECT lexeme FROM unnest(to_tsvector('simple', s))) "
                    "FROM unnest(CAST(:strings AS text[])) AS s"
                ),
                {"strings": strings},
            )
            return {s: sorted(lexemes) for s, lexemes in rows}
        definition = connection.scalar(
            text("SELECT sql FROM sqlite_master WHERE name = 'statements_fts'")
        )
        tokenize = re.search(r"tokenize='((?:[^']|'')*)'", definition or "")  # '' is a quote
        assert tokenize, definition
        connection.execute(
            text(f"CREATE VIRTUAL TABLE temp.probe USING fts5(s, tokenize='{tokenize[1]}')")
        )
        connection.execute(
            text("INSERT INTO temp.probe(rowid, s) VALUES (:id, :s)"),
            [{"id": i, "s": s} for i, s in enumerate(strings)],
        )
        connection.execute(text("CREATE VIRTUAL TABLE temp.words USING fts5vocab(probe, instance)"))
        found: dict[int, list[str]] = {}
        for term, doc in connection.execute(text("SELECT term, doc FROM temp.words")):
            found.setdefault(doc, []).append(term)
        return {s: sorted(found.get(i, [])) for i, s in enumerate(strings)}


def test_each_database_splits_the_tokens_exactly_at_the_spaces(engine: Engine) -> None:
    strings = _distinct_tokens()
    split = _split_by_the_database(engine, strings)
    differ = {s: words for s, words in split.items() if words != sorted(set(s.split()))}
    assert differ == {}


# What the API finds --------------------------------------------------------------------------


def total(client: httpx.Client, **params: Any) -> int:
    response = client.get("/statements", params={"limit": 1, **params})
    assert response.status_code == 200, response.text
    return int(response.json()["total"])


def slugs(client: httpx.Client, **params: Any) -> set[str]:
    response = client.get("/statements", params={"limit": 500, **params})
    return {item["slug"] for item in response.json()["items"]}


@pytest.mark.parametrize("query", ["us", "U.S.", "US", '"U.S.-sponsored"', '"a U.S."'])
def test_initials_are_one_word_and_leave_their_neighbours_alone(
    client: httpx.Client, query: str
) -> None:
    """The article's "14-0, a U.S.-sponsored resolution": "a" and "us" stay two words."""
    assert total(client, q=query) > 0
    assert slugs(client, q='"a us sponsored"') == slugs(client, q='"a U.S.-sponsored"')


def test_a_phrase_across_a_hyphenated_word_matches_it_written_either_way(
    client: httpx.Client,
) -> None:
    hyphenated = slugs(client, q='"cease-fire deal"')
    assert hyphenated
    assert slugs(client, q='"ceasefire deal"') == hyphenated


def test_a_phrase_keeps_its_order_across_a_hyphenated_word(client: httpx.Client) -> None:
    assert total(client, q='"deal ceasefire"') == 0
    assert total(client, q='"deal cease-fire"') == 0


@pytest.mark.parametrize(
    ("written", "asked"), [("cease-fire", "ceasefire"), ("ceasefire", "ceasefi")]
)
def test_a_hyphenated_word_is_found_by_its_letters_run_together_or_their_start(
    client: httpx.Client, written: str, asked: str
) -> None:
    assert slugs(client, q=asked) == slugs(client, q=written) != set()


@pytest.mark.parametrize(
    ("query", "finds"),
    [
        ("Sinwar", "us-officials-sinwar-martyr"),  # calls him "the militant leader"
        ("Cairo", "blinken-press-hamas-to-say-yes"),  # said to reporters in Cairo
        ("optimists", "bullish-officials-israelis-will-accept"),  # the speaker's name
        ("reporters", "blinken-press-hamas-to-say-yes"),  # the statement's setting
    ],
)
def test_search_finds_what_a_reader_remembers(client: httpx.Client, query: str, finds: str) -> None:
    """Not only the words said: the speaker's names, whom it is about, where it was said, and the
    sentence it was reported in."""
    assert finds in slugs(client, q=query)


def test_the_speaker_filter_finds_the_reattributed_claim(client: httpx.Client) -> None:
    found = slugs(client, speaker="optimists")
    assert "bullish-officials-israelis-will-accept" in found


def words_the_index_holds(engine: Engine) -> set[str]:
    """Every word the database's full-text indexes hold (not their pairs of words)."""
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            query = (
                "SELECT word FROM ts_stat('SELECT search_vector FROM statements "
                "UNION ALL SELECT search_vector FROM events') WHERE word NOT LIKE '% %'"
            )
            return set(connection.scalars(text(query)))
        found: set[str] = set()
        for table in ("statements", "events"):
            connection.execute(
                text(
                    f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.{table}_words "
                    f"USING fts5vocab(main, {table}_fts, 'row')"
                )
            )
            words = f"SELECT term FROM temp.{table}_words WHERE term NOT GLOB '_*'"
            found |= set(connection.scalars(text(words)))
        return found


def test_search_words_count_the_rows_that_hold_each_word(seeded_database_url: str) -> None:
    """A search for one word finds at least the rows of its commonest word: past 1,000, its
    total is known without counting (api.search.rows_held). A number too high would say
    "1,000+" of a search that finds fewer."""
    engine = create_db_engine(seeded_database_url)
    try:
        assert_search_words_count_what_the_index_holds(engine)
    finally:
        engine.dispose()


def test_search_words_hold_every_word_the_full_text_indexes_hold(seeded_database_url: str) -> None:
    """A query's word that begins no word of search_words but itself is asked for as itself
    (api.search): a word of the index missing from search_words would be missed."""
    engine = create_db_engine(seeded_database_url)
    try:
        indexed = words_the_index_holds(engine)
        with engine.connect() as connection:
            kept = set(connection.scalars(text("SELECT word FROM search_words")))
    finally:
        engine.dispose()
    assert len(indexed) > 500
    assert indexed <= kept


def test_a_word_that_begins_no_other_is_asked_for_as_itself_on_both_databases(
    seeded_database_url: str,
) -> None:
    """Its rows are the same either way, and both indexes skip through a word's list where a
    prefix merges the lists of every word it begins (api.search.SearchQuery.phrases)."""
    engine = create_db_engine(seeded_database_url)
    try:
        with engine.connect() as connection:
            words = list(connection.scalars(text("SELECT word FROM search_words ORDER BY word")))
    finally:
        engine.dispose()
    pairs = list(itertools.pairwise(words))
    alone = next(w for w, after in pairs if len(w) > 4 and not after.startswith(w))
    begins_another = next(w for w, after in pairs if after.startswith(w))
    database = Database(seeded_database_url)

    async def expressions() -> list[str]:
        async def read(reader: Any) -> list[str]:
            found = []
            for word in (alone, begins_another):
                query, _ = await expand(reader, SearchQuery.parse(word))
                found.append(match_expression(reader.dialect, query))
            return found

        try:
            return await database.read(read)
        finally:
            await database.aclose()

    as_itself, as_prefix = asyncio.run(expressions())
    assert "*" not in as_itself and alone in as_itself
    assert "*" in as_prefix


def search_texts(url: str) -> list[list[str]]:
    """Every statement's search text, as its words."""
    engine = create_db_engine(url)
    try:
        with engine.connect() as connection:
            found = connection.scalars(text("SELECT search_text FROM statements"))
            return [search_text.split() for search_text in found]
    finally:
        engine.dispose()


def test_a_word_asked_finds_every_statement_with_a_word_it_begins(
    client: httpx.Client, seeded_database_url: str
) -> None:
    """Whole words of the data (asked for as themselves) and their beginnings (asked for as
    prefixes) find exactly the statements whose search text holds a word that starts so."""
    texts = search_texts(seeded_database_url)
    vocabulary = sorted({word for words in texts for word in words if len(word) > 3})
    for word in vocabulary[:: len(vocabulary) // 25]:
        for asked in (word, word[:-2]):
            expected = sum(any(w.startswith(asked) for w in words) for words in texts)
            assert total(client, q=asked) == expected, asked


def test_a_quoted_phrase_finds_every_statement_that_holds_its_words_in_a_row(
    client: httpx.Client, seeded_database_url: str
) -> None:
    """Phrases of two words (one lexeme of PostgreSQL's index, migration 0008) and of three (its
    pairs, then the words' places), in their order or the other way round, find exactly the
    statements whose search text holds those words one after the other."""
    texts = search_texts(seeded_database_url)

    def holds(words: list[str], phrase: list[str]) -> bool:
        return any(words[i : i + len(phrase)] == phrase for i in range(len(words)))

    asked = 0
    for words in texts[:: max(1, len(texts) // 12)]:
        for length in (2, 3):
            if len(words) < length + 2:
                continue
            phrase = words[2 : 2 + length]
            for ordered in (phrase, phrase[::-1]):
                expected = sum(holds(other, ordered) for other in texts)
                assert total(client, q=f'"{" ".join(ordered)}"') == expected, ordered
                asked += 1
    assert asked > 20


def test_a_search_of_a_common_word_and_a_rare_one_finds_every_statement_with_both(
    client: httpx.Client, seeded_database_url: str
) -> None:
    """On PostgreSQL the common word is checked on the rows of the rare one, not read from the
    full-text index ("sifted", api.search); on both databases the rows are the same."""
    texts = search_texts(seeded_database_url)
    counts: dict[str, int] = {}
    for words in texts:
        for word in set(words):
            counts[word] = counts.get(word, 0) + 1
    common = max(counts, key=lambda word: counts[word])
    rare = sorted(word for word, count in counts.items() if count <= 2 and len(word) > 3)
    for word in rare[:: max(1, len(rare) // 12)]:
        for asked in (f"{common} {word}", f"{word} {common[:3]}"):
            first, second = asked.split()
            expected = sum(
                any(w.startswith(first) for w in words) and any(w.startswith(second) for w in words)
                for words in texts
            )
            assert total(client, q=asked) == expected, asked
