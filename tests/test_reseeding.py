"""Right answers while the data changes: a seed that runs while the API serves.

A request reads one snapshot of the data (one transaction: REPEATABLE READ on PostgreSQL, a read
transaction on SQLite's WAL), and a reseed of a changed file keeps the id of every fact whose
curated entry keeps its slug: so no request fails or mixes two versions, and paging goes on
across a reseed without repeating or skipping an item.
"""

import shutil
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from sqlalchemy import Engine, select

from api.database import create_db_engine
from api.loader import load, seed_files
from api.models import Event, Statement
from api.schema_version import upgrade
from api.settings import PROJECT_ROOT, Settings
from tests.conftest import LiveServer, with_params
from tests.database_state import assert_search_words_count_what_the_index_holds

SEED = PROJECT_ROOT / "seed"
LISTS = [
    "/statements?from=2024-06-01",
    "/timeline?from=2024-06-01",
    "/events?from=2024-06-01",
    "/positions",
    "/actors",
]


def seed_variant(folder: Path, marker: str) -> list[Path]:
    """The real seed, with every event's title and every statement's setting marked `marker`
    (words that the search texts of the event and its statements then hold): a changed file
    whose facts keep their slugs."""
    shutil.copytree(SEED, folder)
    path = next(p for p in seed_files(folder) if p.name != "actors.yaml")
    document = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    for event in document["events"]:
        event["title"] = f"{event['title']} ({marker})"
    for statement in document["statements"]:
        statement["setting"] = marker
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), "utf-8")
    return seed_files(folder)


@pytest.fixture
def versions(tmp_path: Path) -> list[list[Path]]:
    return [seed_variant(tmp_path / f"v{n}", f"version {n}") for n in (1, 2)]


@pytest.fixture
def engine(database_url: str, versions: list[list[Path]]) -> Iterator[Engine]:
    engine = create_db_engine(database_url)
    upgrade(engine)
    load(engine, versions[0])
    yield engine
    engine.dispose()


def ids(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        found = dict(connection.execute(select(Statement.slug, Statement.id)).all())
        found |= {f"event:{s}": i for s, i in connection.execute(select(Event.slug, Event.id))}
    return found


def key(item: dict[str, Any]) -> Any:
    """What identifies an item of any list (a timeline entry by its fact)."""
    if "type" in item:
        return (item["type"], item[item["type"]]["slug"])
    return item.get("id", item.get("slug"))


def walk(client: httpx.Client, path: str, limit: int = 7) -> list[Any]:
    keys: list[Any] = []
    response = client.get(with_params(path, limit=limit))
    while True:
        assert response.status_code == 200, response.text
        page = response.json()
        keys += [key(item) for item in page["items"]]
        if not page["next"]:
            return keys
        response = client.get(page["next"])


def test_a_reseed_of_a_changed_file_keeps_every_id(
    engine: Engine, versions: list[list[Path]]
) -> None:
    before = ids(engine)
    [result] = [r for r in load(engine, versions[1]) if r.status != "unchanged"]
    assert result.status == "replaced"
    assert ids(engine) == before


def test_a_reseed_keeps_the_rows_of_each_search_word_counted(
    engine: Engine, versions: list[list[Path]]
) -> None:
    """Each changed title and setting takes a word from some rows and gives one to others; a
    reset empties the tables first (api.loader keeps search_words' numbers with the data)."""
    load(engine, versions[1])
    assert_search_words_count_what_the_index_holds(engine)
    load(engine, versions[0], reset=True)
    assert_search_words_count_what_the_index_holds(engine)


def test_a_search_asked_before_a_reseed_finds_the_words_the_new_data_holds(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    """A server remembers what the data's words say of a search's (api.search.expand; on
    PostgreSQL, where asking is a round trip): `zorbl` is asked for as the whole word while it
    begins no other, and as a prefix once the data holds `zorblat`. A reseed in between must
    not leave the search asking for a word the data no longer holds."""
    load(engine, seed_variant(tmp_path / "whole", "zorbl"))
    with (
        LiveServer(Settings(database_url=database_url, cache_seconds=0)) as server,
        httpx.Client(base_url=server.url, timeout=10) as client,
    ):
        before = client.get("/statements", params={"q": "zorbl"}).json()
        load(engine, seed_variant(tmp_path / "begun", "zorblat"))
        after = client.get("/statements", params={"q": "zorbl"}).json()
    assert before["total"] > 0
    assert [key(item) for item in after["items"]] == [key(item) for item in before["items"]]


def test_paging_across_a_reseed_neither_repeats_nor_skips(
    engine: Engine, database_url: str, versions: list[list[Path]]
) -> None:
    with (
        LiveServer(Settings(database_url=database_url, cache_seconds=0)) as server,
        httpx.Client(base_url=server.url, timeout=10) as client,
    ):
        for n, path in enumerate(LISTS):
            expected = walk(client, path, limit=500)
            first = client.get(with_params(path, limit=10)).json()
            load(engine, versions[(n + 1) % 2])  # a changed file, between two pages
            seen = [key(item) for item in first["items"]]
            response = client.get(first["next"])
            while True:
                page = response.json()
                seen += [key(item) for item in page["items"]]
                if not page["next"]:
                    break
                response = client.get(page["next"])
            repeated = [key for key, n in Counter(map(str, seen)).items() if n > 1]
            assert repeated == [], path
            assert seen == expected, path


def test_serving_while_seeds_run_answers_every_request_from_one_snapshot(
    engine: Engine, database_url: str, versions: list[list[Path]]
) -> None:
    """Four readers page through lists while the file is reseeded in a loop: every request
    answers 200, every walk finds every item once, and every page shows one version. It runs
    until each list was walked three times and three seeds replaced the data (60 s at most)."""
    seconds = 60.0
    errors: list[str] = []
    mixed: list[str] = []
    walks = Counter[str]()
    with LiveServer(Settings(database_url=database_url, cache_seconds=0)) as server:
        with httpx.Client(base_url=server.url, timeout=10) as client:
            expected = {path: walk(client, path, limit=500) for path in LISTS}
        deadline = time.monotonic() + seconds
        reseeds = Counter[str]()

        def running() -> bool:
            enough = reseeds["done"] >= 3 and all(walks[path] >= 3 for path in LISTS)
            return not enough and time.monotonic() < deadline

        def reseed() -> None:
            while running():
                [changed] = load(engine, versions[(reseeds["done"] + 1) % 2])[-1:]
                assert changed.status == "replaced"
                reseeds["done"] += 1

        def read(offset: int) -> None:
            with httpx.Client(base_url=server.url, timeout=10) as client:
                turn = offset
                while running():
                    path = LISTS[turn % len(LISTS)]
                    turn += 1
                    try:
                        found = walk(client, path)
                    except AssertionError as error:
                        errors.append(f"{path}: {str(error)[:300]}")
                        continue
                    if found != expected[path]:
                        errors.append(f"{path}: {len(found)} items, expected {len(expected[path])}")
                    walks[path] += 1
                    page = client.get("/events", params={"limit": 500}).json()["items"]
                    marks = {e["title"].rsplit("(", 1)[-1] for e in page}
                    if len(marks) > 1:
                        mixed.append(str(marks))

        threads = [threading.Thread(target=reseed)] + [
            threading.Thread(target=read, args=(n,)) for n in range(4)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=seconds + 60)
    assert errors == []
    assert mixed == []
    assert reseeds["done"] >= 3 and all(walks[path] >= 3 for path in LISTS), (reseeds, walks)
