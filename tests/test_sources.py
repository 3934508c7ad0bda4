"""A database of several sources: they share the actor registry, one can corroborate another's
quote (`same_as`), every list filters by source, and reseeding one leaves the other alone.

The second source is a made-up wire report written for these tests
(tests/data/second-source/wire-report.txt), loaded beside the seeded article.
"""

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from sqlalchemy import Engine

from api.database import create_db_engine
from api.loader import SeedError, load
from api.schema_version import upgrade
from api.settings import PROJECT_ROOT, Settings
from tests.conftest import BACKENDS, LiveServer, new_database_url
from tests.database_state import snapshot

SEED = PROJECT_ROOT / "seed"
WIRE = PROJECT_ROOT / "tests" / "data" / "second-source" / "wire-report.yaml"
WIRE_SLUG = "test-wire-2024-06-11-doha"
ARTICLE = "wapo-2024-06-10-blinken"
FILES = [SEED / "actors.yaml", SEED / f"{ARTICLE}.yaml", WIRE]


def _load_both(url: str) -> Engine:
    engine = create_db_engine(url)
    upgrade(engine)
    load(engine, FILES)
    return engine


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """Both sources, in a database of the test's own (it may change it)."""
    engine = _load_both(database_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module", params=BACKENDS)
def client(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[httpx.Client]:
    """The API on both sources, shared by the tests that only read."""
    urls = new_database_url(str(request.param), tmp_path_factory.mktemp("sources"))
    url = next(urls)
    _load_both(url).dispose()
    with (
        LiveServer(Settings(database_url=url, cache_seconds=0)) as server,
        httpx.Client(base_url=server.url, timeout=10) as http,
    ):
        yield http
    next(urls, None)


def items(client: httpx.Client, path: str, **params: Any) -> list[dict[str, Any]]:
    response = client.get(path, params={"limit": 500, **params})
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()["items"]
    return found


def test_two_sources_quote_and_place_the_same_actor(client: httpx.Client) -> None:
    said = items(client, "/statements", speaker="blinken")
    assert {s["evidence"]["source"]["slug"] for s in said} == {ARTICLE, WIRE_SLUG}
    took_part = items(client, "/events", actor="antony-blinken")
    assert "test-wire-blinken-arrives-in-doha" in {e["slug"] for e in took_part}
    blinken = client.get("/actors/antony-blinken").json()
    assert blinken["evidence"]["source"]["slug"] == ARTICLE  # introduced first in the earliest
    assert blinken["counts"]["statements"] == len(said)


def test_a_corroborated_quote_names_the_other_source_s_statement_both_ways(
    client: httpx.Client,
) -> None:
    article = client.get("/statements/blinken-press-hamas-to-say-yes").json()
    wire = client.get("/statements/test-wire-blinken-press-hamas").json()
    assert article["same_as"] == [
        {"id": wire["id"], "slug": wire["slug"], "source": wire["evidence"]["source"]}
    ]
    assert wire["same_as"] == [
        {"id": article["id"], "slug": article["slug"], "source": article["evidence"]["source"]}
    ]


@pytest.mark.parametrize(
    "path", ["/statements", "/events", "/timeline", "/actors", "/positions", "/terms", "/proposals"]
)
def test_every_list_filters_by_source(client: httpx.Client, path: str) -> None:
    everything = items(client, path)
    from_wire = items(client, path, source=WIRE_SLUG)
    from_article = items(client, path, source=ARTICLE)
    if path in ("/positions", "/terms", "/proposals"):  # the wire report holds none
        assert from_wire == [] and len(from_article) == len(everything)
    elif path == "/actors":  # an actor may be introduced by both
        assert {a["slug"] for a in from_wire} == {"antony-blinken", "qatar", "egypt", "hamas"}
    else:
        assert from_wire and len(from_wire) + len(from_article) == len(everything)
    both = items(client, path, source=f"{ARTICLE},{WIRE_SLUG}")
    assert len(both) == len(everything)


def test_a_source_links_to_its_facts(client: httpx.Client) -> None:
    source = client.get(f"/sources/{WIRE_SLUG}").json()
    assert source["facts"]["statements"] == f"/statements?source={WIRE_SLUG}"
    listed = client.get(source["facts"]["statements"]).json()["items"]
    assert {s["slug"] for s in listed} == {
        "test-wire-blinken-press-hamas",
        "test-wire-hamas-will-answer",
    }


def test_an_alias_two_actors_share_names_neither_and_answers_422_with_both(
    client: httpx.Client,
) -> None:
    answer = client.get("/statements", params={"speaker": "the guarantor"})
    assert answer.status_code == 422
    [error] = answer.json()["errors"]
    assert error["suggestions"] == ["egypt", "qatar"]
    assert "could be any of" in error["message"]


def test_an_unknown_source_answers_422_with_the_closest(client: httpx.Client) -> None:
    response = client.get("/statements", params={"source": "test-wire-2024"})
    assert response.status_code == 422
    assert WIRE_SLUG in response.json()["errors"][0]["suggestions"]


def test_reseeding_one_file_leaves_the_other_s_rows_alone(engine: Engine, tmp_path: Path) -> None:
    before = snapshot(engine)
    folder = tmp_path / "second-source"
    shutil.copytree(WIRE.parent, folder)
    changed = folder / WIRE.name
    document = yaml.safe_load(changed.read_text(encoding="utf-8"))
    document["statements"][1]["text"] = "Hamas would reply within days."
    changed.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), "utf-8")

    results = load(engine, [SEED / "actors.yaml", changed])

    assert [(r.source, r.status) for r in results] == [(WIRE_SLUG, "replaced")]
    after = snapshot(engine)
    changed_tables = {name for name in after if after[name] != before[name]}
    # The wire's statement, its stored document, the seed's hash, and the new words ("reply",
    # "within", "days") that search can now find.
    assert changed_tables == {"statements", "statement_documents", "sources", "search_words"}
    [reworded] = [row[0] for row in after["statements"] if "reply within days" in str(row)]
    old_documents: dict[int, str] = dict(before["statement_documents"])
    new_documents: dict[int, str] = dict(after["statement_documents"])
    assert {i for i in new_documents if new_documents[i] != old_documents.get(i)} == {reworded}
    assert [r for r in after["sources"] if WIRE_SLUG not in str(r)] == [
        r for r in before["sources"] if WIRE_SLUG not in str(r)
    ]
    [old, new] = [
        {row[0]: row for row in rows if not str(row[1]).startswith("test-wire")}
        for rows in (before["statements"], after["statements"])
    ]
    assert old == new  # the article's statements, untouched


def test_a_statement_taken_out_of_one_source_leaves_the_other_s_documents(
    engine: Engine, tmp_path: Path
) -> None:
    """The wire's corroborating quote is removed: it is gone, and the article's statement no
    longer names it in `same_as`, though only the wire's file was reseeded (stored documents,
    api/stored_documents.py)."""
    folder = tmp_path / "second-source"
    shutil.copytree(WIRE.parent, folder)
    changed = folder / WIRE.name
    document = yaml.safe_load(changed.read_text(encoding="utf-8"))
    document["statements"] = [
        s for s in document["statements"] if s["slug"] != "test-wire-blinken-press-hamas"
    ]
    changed.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), "utf-8")

    load(engine, [SEED / "actors.yaml", changed])

    url = engine.url.render_as_string(hide_password=False)
    with (
        LiveServer(Settings(database_url=url, cache_seconds=0)) as server,
        httpx.Client(base_url=server.url, timeout=10) as http,
    ):
        assert http.get("/statements/test-wire-blinken-press-hamas").status_code == 404
        article = http.get("/statements/blinken-press-hamas-to-say-yes").json()
        assert article["same_as"] == []
        said = items(http, "/statements", speaker="blinken")
        assert "test-wire-blinken-press-hamas" not in {s["slug"] for s in said}


def test_same_as_must_name_a_statement_of_another_source(engine: Engine, tmp_path: Path) -> None:
    folder = tmp_path / "second-source"
    shutil.copytree(WIRE.parent, folder)
    wrong = folder / WIRE.name
    document = yaml.safe_load(wrong.read_text(encoding="utf-8"))
    document["statements"][0]["same_as"] = "no-such-statement"
    wrong.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), "utf-8")
    before = snapshot(engine)
    with pytest.raises(
        SeedError, match="statements\\[0\\] 'test-wire-blinken-press-hamas': same_as"
    ):
        load(engine, [SEED / "actors.yaml", wrong])
    assert snapshot(engine) == before
