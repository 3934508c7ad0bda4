"""Every filter of every list, against the seeded article, on both databases."""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy import ScalarSelect, select

from api.database import Database, Reader, create_db_engine
from api.errors import InvalidParameter
from api.models import Statement, Term, table_of
from api.queries.actors import actor_ids
from api.queries.filters import ACTORS_BY_NAME, Resolver, SlugsOf, slugs_to_ids
from api.text import fold, search_tokens


def items(client: httpx.Client, path: str, **params: Any) -> list[dict[str, Any]]:
    response = client.get(path, params={"limit": 500, **params})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["total"] == len(body["items"])
    result: list[dict[str, Any]] = body["items"]
    return result


def slugs(found: list[dict[str, Any]]) -> set[str]:
    return {item["slug"] for item in found}


# Actors -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["sisi", "El-Sisi", "EL SISI", "abdel fatah el-sisi", "El-Sísi"])
def test_an_actor_is_found_by_any_alias_in_any_case_with_or_without_accents(
    client: httpx.Client, name: str
) -> None:
    events = items(client, "/events", actor=name)
    assert "blinken-meets-sisi" in slugs(events)


@pytest.mark.parametrize(
    "name", ["antony-blinken", "Antony Blinken", "blinken", "the top U.S. diplomat"]
)
def test_a_speaker_is_found_by_slug_name_or_alias(client: httpx.Client, name: str) -> None:
    found = items(client, "/statements", speaker=name)
    assert found
    assert {s["speaker"]["slug"] for s in found} == {"antony-blinken"}


def test_actors_q_matches_part_of_a_name_or_an_alias(client: httpx.Client) -> None:
    assert "abdel-fatah-el-sisi" in slugs(items(client, "/actors", q="sisi"))
    assert "antony-blinken" in slugs(items(client, "/actors", q="top u.s. diplomat"))


def test_actors_kind_filters_by_kind(client: httpx.Client) -> None:
    anonymous = items(client, "/actors", kind="anonymous_source")
    assert "senior-diplomat" in slugs(anonymous)
    assert {a["kind"] for a in anonymous} == {"anonymous_source"}


def test_actors_affiliation_lists_who_belongs_to_an_actor(client: httpx.Client) -> None:
    found = items(client, "/actors", affiliation="the United States")
    assert "antony-blinken" in slugs(found)
    assert {a["affiliation"]["slug"] for a in found} == {"united-states"}


def test_an_actor_shows_aliases_affiliation_and_counts_that_match_the_lists(
    client: httpx.Client,
) -> None:
    actor = client.get("/actors/antony-blinken").json()
    assert "The top U.S. diplomat" in {alias["name"] for alias in actor["aliases"]}
    assert actor["affiliation"]["slug"] == "united-states"
    assert actor["counts"]["statements"] == len(
        items(client, "/statements", speaker="antony-blinken")
    )
    assert actor["counts"]["events"] == len(items(client, "/events", actor="antony-blinken"))
    assert actor["counts"]["positions"] == len(items(client, "/positions", actor="antony-blinken"))


# Events -----------------------------------------------------------------------------------


def test_events_kind_filters_by_kind_and_meetings_are_events_of_kind_meeting(
    client: httpx.Client,
) -> None:
    meetings = items(client, "/events", kind="meeting")
    assert {e["kind"] for e in meetings} == {"meeting"}
    assert items(client, "/meetings") == meetings


def test_events_actor_and_role_find_who_hosted_whom(client: httpx.Client) -> None:
    hosted = items(client, "/meetings", actor="sisi", role="host")
    assert slugs(hosted) == {"blinken-meets-sisi"}
    assert items(client, "/meetings", actor="sisi", role="visitor") == []


def test_events_role_alone_filters_on_any_participant(client: httpx.Client) -> None:
    for event in items(client, "/events", role="abstained"):
        assert "abstained" in {p["role"] for p in event["participants"]}


def test_events_location_matches_part_of_the_place_in_any_case(client: httpx.Client) -> None:
    in_cairo = items(client, "/events", location="cairo")
    assert "blinken-meets-sisi" in slugs(in_cairo)
    assert all("cairo" in e["location"].lower() for e in in_cairo)


def test_a_vote_shows_its_tally_and_abstentions(client: httpx.Client) -> None:
    vote = client.get("/events/unsc-vote").json()
    assert (vote["outcome"]["votes_for"], vote["outcome"]["votes_against"]) == (14, 0)
    assert vote["outcome"]["abstentions"] == 1
    assert {"russia"} == {
        p["actor"]["slug"] for p in vote["participants"] if p["role"] == "abstained"
    }


def test_a_day_range_finds_the_events_of_that_day(client: httpx.Client) -> None:
    monday = items(client, "/events", **{"from": "2024-06-10", "to": "2024-06-10"})
    assert {"blinken-meets-sisi", "blinken-meets-netanyahu", "unsc-vote"} <= slugs(monday)
    assert "israeli-hostage-raid" not in slugs(monday)


def test_a_week_precision_fact_matches_any_range_that_overlaps_its_week(
    client: httpx.Client,
) -> None:
    wednesday = items(client, "/events", **{"from": "2024-06-05", "to": "2024-06-05"})
    talks = next(e for e in wednesday if e["slug"] == "burns-talks-with-mediators")
    assert talks["date"] == {
        "start": "2024-06-03",
        "end": "2024-06-09",
        "precision": "week",
        "as_written": "last week",
    }


def test_an_open_ended_fact_matches_every_range_after_its_start(client: httpx.Client) -> None:
    later = items(client, "/events", **{"from": "2024-07-01"})
    assert "biden-trump-debate" in slugs(later)
    assert "biden-trump-debate" not in slugs(items(client, "/events", to="2024-06-10"))


def test_undated_facts_match_no_date_range_but_are_listed_without_one(client: httpx.Client) -> None:
    undated = {e["slug"] for e in items(client, "/events") if e["date"]["precision"] == "unknown"}
    assert undated
    assert not undated & slugs(
        items(client, "/events", **{"from": "1900-01-01", "to": "2100-01-01"})
    )


@pytest.mark.parametrize(
    ("words", "event"),
    [
        ("security council", "unsc-vote"),  # its title
        ("rare success", "unsc-vote"),  # its description
        ("cairo", "blinken-meets-sisi"),  # its location
        ("gadi eisenkot", "eisenkot-resignation"),  # a participant's name
        ("eisenkot", "eisenkot-resignation"),
        ("hezbollah", "blinken-meets-netanyahu"),  # an actor it is about
        ("lebanon", "israel-hezbollah-violence"),
    ],
)
def test_events_q_searches_title_description_location_participants_and_mentions(
    client: httpx.Client, words: str, event: str
) -> None:
    assert event in slugs(items(client, "/events", q=words))


# Statements -------------------------------------------------------------------------------


def test_everything_blinken_said_on_monday(client: httpx.Client) -> None:
    found = items(
        client, "/statements", speaker="blinken", **{"from": "2024-06-10", "to": "2024-06-10"}
    )
    assert "blinken-press-hamas-to-say-yes" in slugs(found)
    assert all(s["date"]["start"] <= "2024-06-10" for s in found)
    assert "blinken-ball-in-hamas-court" not in slugs(found)  # undated: "has said repeatedly"


def test_direct_true_gives_verbatim_quotes_and_false_gives_reported_claims(
    client: httpx.Client,
) -> None:
    direct = items(client, "/statements", direct="true")
    reported = items(client, "/statements", direct="false")
    assert direct and reported
    assert {s["mode"] for s in direct} == {"direct"}
    assert {s["mode"] for s in reported} == {"reported"}
    assert len(direct) + len(reported) == len(items(client, "/statements"))
    for quote in direct:
        assert quote["text"] in quote["evidence"]["text"]


def test_statements_event_gives_what_was_said_at_an_event(client: httpx.Client) -> None:
    found = items(client, "/statements", event="blinken-cairo-remarks")
    assert found
    assert {s["event"]["slug"] for s in found} == {"blinken-cairo-remarks"}


def test_statements_term_gives_what_was_said_about_a_term(client: httpx.Client) -> None:
    found = items(client, "/statements", term="written-guarantee-from-israel")
    assert found
    for statement in found:
        assert "written-guarantee-from-israel" in {t["slug"] for t in statement["terms"]}


def test_statements_anonymous_separates_anonymous_sources_from_named_speakers(
    client: httpx.Client,
) -> None:
    anonymous = items(client, "/statements", anonymous="true")
    named = items(client, "/statements", anonymous="false")
    assert anonymous and named
    assert all(s["anonymous"] and s["speaker"]["kind"] == "anonymous_source" for s in anonymous)
    assert not any(s["anonymous"] for s in named)
    assert len(anonymous) + len(named) == len(items(client, "/statements"))


def test_a_statement_is_found_by_id_and_by_slug(client: httpx.Client) -> None:
    by_slug = client.get("/statements/blinken-press-hamas-to-say-yes").json()
    assert client.get(f"/statements/{by_slug['id']}").json() == by_slug
    assert by_slug["speaker"] == {
        "slug": "antony-blinken",
        "name": "Antony Blinken",
        "kind": "person",
    }


# Full-text search -------------------------------------------------------------------------


def _python_search(database_url: str, query: str) -> set[str]:
    """The documented meaning of `q` for bare words: every word is a prefix of a word of the
    statement's indexed text (each database indexes the same tokens: this is their oracle)."""
    wanted = search_tokens(query).split()
    engine = create_db_engine(database_url)
    with engine.connect() as connection:
        indexed = connection.execute(select(Statement.slug, Statement.search_text)).all()
    engine.dispose()
    return {
        slug
        for slug, tokens in indexed
        if all(any(token.startswith(w) for token in tokens.split()) for w in wanted)
    }


@pytest.mark.parametrize(
    "query",
    [
        "hostage",
        "permanent cease",
        "HAMAS",
        "yes",
        "Hamas’s court",
        "Hamas's court",
        "sisi",
        "written guarantee",
    ],
)
def test_search_means_the_same_on_both_databases(
    client: httpx.Client, seeded_database_url: str, query: str
) -> None:
    expected = _python_search(seeded_database_url, query)
    assert expected
    assert slugs(items(client, "/statements", q=query)) == expected


def test_a_hyphenated_word_is_found_written_as_one_word(client: httpx.Client) -> None:
    joined = slugs(items(client, "/statements", q="ceasefire"))
    assert joined
    assert joined == slugs(items(client, "/statements", q="cease-fire"))


def test_search_ignores_curly_versus_straight_quotes(client: httpx.Client) -> None:
    curly = slugs(items(client, "/statements", q="ball is in Hamas’s court"))
    straight = slugs(items(client, "/statements", q="ball is in Hamas's court"))
    assert curly == straight
    assert "blinken-ball-in-hamas-court" in curly


def test_a_quoted_phrase_matches_the_words_together(client: httpx.Client) -> None:
    phrase = slugs(items(client, "/statements", q='"say yes"'))
    assert "blinken-press-hamas-to-say-yes" in phrase
    loose = slugs(items(client, "/statements", q="yes say"))
    assert phrase <= loose


# Proposals, terms, positions, timeline, sources -------------------------------------------


def test_a_proposal_lists_its_phases_and_terms_in_order(client: httpx.Client) -> None:
    proposal = client.get("/proposals/gaza-ceasefire-proposal").json()
    assert [p["number"] for p in proposal["phases"]] == [1, 2, 3]
    numbers = [t["number"] for t in proposal["terms"]]
    assert numbers == list(range(1, len(numbers) + 1))
    assert proposal["proposed_by"]["slug"] == "joe-biden"


def test_proposals_take_a_date_range_and_precision_as_every_dated_list_does(
    client: httpx.Client,
) -> None:
    may_31 = {"from": "2024-05-31", "to": "2024-05-31"}
    assert slugs(items(client, "/proposals", **may_31)) == {"gaza-ceasefire-proposal"}
    assert slugs(items(client, "/proposals", **{"from": "2024-06-01"})) == set()
    assert slugs(items(client, "/proposals", precision="unknown")) == {"us-hamas-separate-deal"}
    assert slugs(items(client, "/proposals", precision="day,unknown")) == slugs(
        items(client, "/proposals")
    )


def test_proposals_status_gives_the_proposals_that_stand_there(client: httpx.Client) -> None:
    on_the_table = items(client, "/proposals", status="under_negotiation")
    assert slugs(on_the_table) == {"gaza-ceasefire-proposal"}
    either = items(client, "/proposals", status="under_negotiation,proposed")
    assert slugs(either) == {"gaza-ceasefire-proposal", "us-hamas-separate-deal"}


def test_a_status_outside_the_vocabulary_answers_422_naming_it(client: httpx.Client) -> None:
    response = client.get("/proposals", params={"status": "signed"})
    assert response.status_code == 422
    assert [e["parameter"] for e in response.json()["errors"]] == ["status"]


def test_terms_phase_gives_what_was_agreed_in_one_phase(client: httpx.Client) -> None:
    phase_one = items(client, "/terms", proposal="gaza-ceasefire-proposal", phase=1)
    assert "six-week-ceasefire" in slugs(phase_one)
    assert {t["phase"]["number"] for t in phase_one} == {1}


def test_terms_kind_filters_by_kind(client: httpx.Client) -> None:
    assurances = items(client, "/terms", kind="assurance")
    assert assurances and {t["kind"] for t in assurances} == {"assurance"}


def test_positions_filter_by_term_and_stance(client: httpx.Client) -> None:
    found = items(client, "/positions", term="permanent-ceasefire", stance="rejects")
    assert {p["actor"]["slug"] for p in found} == {"benjamin-netanyahu"}
    assert all(p["term"]["slug"] == "permanent-ceasefire" for p in found)


def test_positions_filter_by_actor_and_proposal(client: httpx.Client) -> None:
    found = items(client, "/positions", actor="Russia", proposal="gaza-ceasefire-proposal")
    assert [p["stance"] for p in found] == ["abstains"]


def test_a_position_is_found_by_its_id_as_the_list_shows_it(client: httpx.Client) -> None:
    listed = items(client, "/positions")
    for position in (listed[0], listed[-1]):
        response = client.get(f"/positions/{position['id']}")
        assert response.status_code == 200
        assert response.json() == position


def test_a_conditional_position_says_its_condition(client: httpx.Client) -> None:
    found = items(client, "/positions", actor="haniyeh", stance="conditional")
    assert found and all(p["condition"] for p in found)


def test_the_timeline_of_an_actor_merges_its_events_and_statements_in_date_order(
    client: httpx.Client,
) -> None:
    timeline = items(client, "/timeline", actor="blinken")
    types = {entry["type"] for entry in timeline}
    assert types == {"event", "statement"}
    dated = [entry["date"]["start"] for entry in timeline if entry["date"]["start"]]
    assert dated == sorted(dated)
    events = {e["slug"] for e in items(client, "/events", actor="blinken")}
    said = {s["slug"] for s in items(client, "/statements", speaker="blinken")}
    assert {entry[entry["type"]]["slug"] for entry in timeline} == events | said


def test_the_timeline_takes_a_date_range(client: httpx.Client) -> None:
    timeline = items(client, "/timeline", **{"from": "2024-06-08", "to": "2024-06-09"})
    assert timeline
    assert all(e["date"]["start"] <= "2024-06-09" for e in timeline)


def test_a_source_has_its_metadata_and_full_text(client: httpx.Client) -> None:
    source = client.get("/sources/wapo-2024-06-10-blinken").json()
    assert source["publisher"] == "The Washington Post"
    assert source["published"] == "2024-06-10"
    assert source["length"] == len(source["text"]) == 9831
    assert "text" not in items(client, "/sources")[0]


@pytest.mark.parametrize(
    "path", ["/actors", "/events", "/statements", "/terms", "/positions", "/proposals"]
)
def test_every_fact_carries_evidence_that_is_exactly_the_source_text(
    client: httpx.Client, path: str
) -> None:
    text = client.get("/sources/wapo-2024-06-10-blinken").json()["text"]

    def check(value: Any) -> int:
        checked = 0
        if isinstance(value, dict):
            if {"source", "start", "end", "text"} <= value.keys():
                assert text[value["start"] : value["end"]] == value["text"]
                return 1
            checked += sum(check(v) for v in value.values())
        elif isinstance(value, list):
            checked += sum(check(v) for v in value)
        return checked

    found = items(client, path)
    assert found and all(item["evidence"] for item in found)
    assert check(found) >= len(found)


def test_a_range_from_the_first_possible_day_finds_every_dated_fact(client: httpx.Client) -> None:
    dated = {e["slug"] for e in items(client, "/events") if e["date"]["start"]}
    assert slugs(items(client, "/events", **{"from": "0001-01-01"})) == dated


@pytest.mark.parametrize("name", ["US", "U.S.", "us", "the United States"])
def test_the_united_states_is_found_however_it_is_abbreviated(
    client: httpx.Client, name: str
) -> None:
    found = items(client, "/actors", affiliation=name)
    assert "antony-blinken" in slugs(found)


def test_actors_are_sorted_by_name_ignoring_case(client: httpx.Client) -> None:
    names = [actor["name"] for actor in items(client, "/actors")]
    assert names == sorted(names, key=lambda name: fold(name))


def test_a_position_shows_who_made_the_statement_it_rests_on(client: httpx.Client) -> None:
    found = items(client, "/positions", actor="sinwar")
    claims = [p["statement"] for p in found if p["statement"]]
    assert claims
    assert all(claim["speaker"]["slug"] for claim in claims)
    assert "some-us-officials" in {claim["speaker"]["slug"] for claim in claims}


# What a statement or an event is about -----------------------------------------------------


@pytest.mark.parametrize(
    ("path", "name", "slug"),
    [
        ("/statements", "sinwar", "yehiya-sinwar"),
        ("/events", "hamas", "hamas"),
        ("/timeline", "Netanyahu", "benjamin-netanyahu"),
    ],
)
def test_about_finds_the_facts_that_name_an_actor(
    client: httpx.Client, path: str, name: str, slug: str
) -> None:
    found = items(client, path, about=name)
    assert found
    for item in found:
        fact = item[item["type"]] if path == "/timeline" else item
        assert slug in {m["actor"]["slug"] for m in fact["about"]}


def test_about_finds_a_claim_that_calls_the_actor_by_a_description(client: httpx.Client) -> None:
    """ "The militant leader … may prefer to die a martyr's death": about Sinwar, not by name."""
    claim = client.get("/statements/us-officials-sinwar-martyr").json()
    [sinwar] = [m for m in claim["about"] if m["actor"]["slug"] == "yehiya-sinwar"]
    assert sinwar["evidence"]["text"] == "The militant leader"
    assert "us-officials-sinwar-martyr" in slugs(items(client, "/statements", about="Sinwar"))


def test_every_mention_quotes_the_source_where_it_names_the_actor(client: httpx.Client) -> None:
    text = client.get("/sources/wapo-2024-06-10-blinken").json()["text"]
    mentions = [m for s in items(client, "/statements") for m in s["about"]]
    mentions += [m for e in items(client, "/events") for m in e["about"]]
    assert len(mentions) > 100
    for mention in mentions:
        evidence = mention["evidence"]
        assert text[evidence["start"] : evidence["end"]] == evidence["text"]


# Names as the article writes them -------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("senior diplomat", "senior-diplomat"),
        ("four officials", "four-officials"),
        ("a senior diplomat familiar with the negotiations", "senior-diplomat"),
        ("El-Sisi", "abdel-fatah-el-sisi"),
        ("the Israeli leader", "benjamin-netanyahu"),
    ],
)
def test_a_run_of_whole_words_of_one_actor_s_name_names_that_actor(
    client: httpx.Client, name: str, slug: str
) -> None:
    found = client.get(f"/actors/{name}", follow_redirects=False)
    assert found.status_code == 308
    assert found.headers["location"] == f"/actors/{slug}"


@pytest.mark.parametrize(("name", "slug"), [("senior diplomat", "senior-diplomat")])
def test_a_speaker_as_the_article_writes_it_finds_what_they_said(
    client: httpx.Client, name: str, slug: str
) -> None:
    found = items(client, "/statements", speaker=name)
    assert found and {s["speaker"]["slug"] for s in found} == {slug}


def test_a_run_of_words_several_actors_share_answers_422_naming_them(client: httpx.Client) -> None:
    response = client.get("/statements", params={"speaker": "Israeli"})
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert "could be any of" in error["message"]
    assert {"israel", "israeli-war-cabinet", "benjamin-netanyahu"} <= set(error["suggestions"])


# Precision ------------------------------------------------------------------------------------


def test_precision_day_keeps_only_the_facts_of_that_day(client: httpx.Client) -> None:
    saturday = {"from": "2024-06-08", "to": "2024-06-08"}
    overlapping = items(client, "/timeline", **saturday)
    that_day = items(client, "/timeline", **saturday, precision="day")
    assert that_day and len(that_day) < len(overlapping)
    assert {entry["date"]["precision"] for entry in that_day} == {"day"}
    assert all(entry["date"]["start"] <= "2024-06-08" <= entry["date"]["end"] for entry in that_day)


@pytest.mark.parametrize("path", ["/statements", "/events", "/positions", "/timeline"])
def test_precision_takes_several_values(client: httpx.Client, path: str) -> None:
    week_or_month = items(client, path, precision="week,month")
    assert {i["date"]["precision"] for i in week_or_month} <= {"week", "month"}
    alone = len(items(client, path, precision="week")) + len(items(client, path, precision="month"))
    assert len(week_or_month) == alone


# Evidence in context --------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/statements", "/events", "/positions", "/terms", "/actors"])
def test_every_evidence_comes_with_the_whole_sentence_it_sits_in(
    client: httpx.Client, path: str
) -> None:
    text = client.get("/sources/wapo-2024-06-10-blinken").json()["text"]
    for item in items(client, path):
        evidence = item["evidence"]
        sentence = evidence["sentence"]
        assert text[sentence["start"] : sentence["end"]] == sentence["text"]
        assert sentence["start"] <= evidence["start"] < evidence["end"] <= sentence["end"]
        assert sentence["text"].strip() == sentence["text"]


# Names resolved in the statement that uses them ---------------------------------------------

NAMES = [
    "antony-blinken",  # a slug
    "Antony Blinken",  # a name
    "El-Sísi",  # an alias, with an accent
    "senior diplomat",  # an alias
    "top us diplomat",  # a run of words of one actor's alias, and of no whole name
    "Israeli",  # a run of words several actors share
    "Israel",  # a whole name, before the runs of words of others that hold it
    "cairo",  # a run of words of one actor's name
    "nobody at all",  # no actor
    "",  # nothing
]


def _resolved_in_sql(url: str, resolver: Resolver, values: list[str]) -> tuple[bool, set[int]]:
    """What a statement makes of `values`: whether each names one row, and the ids it names."""
    engine = create_db_engine(url)
    dialect = engine.dialect.name
    one = len(values) == 1
    param: Any = values[0] if one else values
    if dialect == "sqlite" and not one:
        param = orjson.dumps(param).decode()  # a list as SQLite reads it (json_each)
    ids = resolver.ids(dialect, "values", one)
    named = select(ids) if isinstance(ids, ScalarSelect) else ids
    resolved = select(resolver.resolved(dialect, "values", one))
    with engine.connect() as connection:
        found = {id for (id,) in connection.execute(named, {"values": param}) if id is not None}
        (all_named,) = connection.execute(resolved, {"values": param}).one()
    engine.dispose()
    return bool(all_named), found


LookUp = Callable[[Reader], Awaitable[list[int]]]


def _looked_up(url: str, look_up: LookUp) -> tuple[bool, set[int]]:
    async def read(reader: Reader) -> tuple[bool, set[int]]:
        try:
            return True, set(await look_up(reader))
        except InvalidParameter:
            return False, set()

    async def run() -> tuple[bool, set[int]]:
        database = Database(url)
        try:
            return await database.read(read)
        finally:
            await database.aclose()

    return asyncio.run(run())


@pytest.mark.parametrize(
    "values",
    [[name] for name in NAMES]
    + [["blinken", "top us diplomat"], ["Israel", "cairo"], ["blinken", "Israeli"]],
)
def test_a_statement_resolves_actors_names_as_looking_them_up_first_does(
    seeded_database_url: str, values: list[str]
) -> None:
    """PostgreSQL's pages resolve names in their own statement (api.queries.filters); a name
    that does not resolve there is looked up again, which must then say why."""
    in_sql = _resolved_in_sql(seeded_database_url, ACTORS_BY_NAME, [fold(v) for v in values])
    looked_up = _looked_up(seeded_database_url, lambda r: actor_ids(r, values, "actor"))
    assert (in_sql[0], in_sql[1] if in_sql[0] else set()) == looked_up


@pytest.mark.parametrize(
    "values",
    [
        ["six-week-ceasefire"],
        ["no-such-term"],
        ["six-week-ceasefire", "hostages-for-prisoners"],
        ["six-week-ceasefire", "no-such-term"],
    ],
)
def test_a_statement_resolves_slugs_as_looking_them_up_first_does(
    seeded_database_url: str, values: list[str]
) -> None:
    terms = table_of(Term)
    in_sql = _resolved_in_sql(seeded_database_url, SlugsOf(terms), values)
    looked_up = _looked_up(
        seeded_database_url, lambda r: slugs_to_ids(r, terms, values, "term", "/terms")
    )
    assert (in_sql[0], in_sql[1] if in_sql[0] else set()) == looked_up
