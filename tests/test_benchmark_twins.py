"""The benchmark's questions ask Datasette for the rows eventdb answers.

benchmarks/run.py compares eventdb's requests/s with Datasette's on twin URLs
(benchmarks/mixes.py): each of eventdb's URLs and its Datasette twin must ask for the same rows,
or the comparison is of two different questions. (Datasette's `_search` matched the full-text
index's rowid with the table's: since the index keeps a row under its key in list order,
migration 0007, it answered `[]` to every search, and the benchmark compared that with pages of
fifty statements.) The same corpus is served by eventdb from each database; Datasette reads
its SQLite copy, as in the benchmark.
"""

import asyncio
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from datasette.app import Datasette  # type: ignore[import-untyped, import-not-found, unused-ignore]
from mixes import DATASETTE_DATABASE, QUESTIONS, Pool, build_pools

from api.database import create_db_engine
from api.schema_version import upgrade
from api.settings import Settings
from api.synth import synthesize
from tests.conftest import LiveServer, new_database_url

STATEMENTS = 3_000
PAIRS = 15  # of each question, the most popular


@pytest.fixture(scope="module")
def sqlite_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The synthetic corpus in SQLite, in a file named as Datasette names its database."""
    folder = tmp_path_factory.mktemp("twins")
    url = f"sqlite:///{folder / 'built.sqlite3'}"
    engine = create_db_engine(url)
    upgrade(engine)
    synthesize(engine, STATEMENTS)
    engine.dispose()
    path = folder / f"{DATASETTE_DATABASE}.sqlite3"
    shutil.copy(folder / "built.sqlite3", path)
    return path


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def eventdb(
    request: pytest.FixtureRequest, sqlite_corpus: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[httpx.Client]:
    """eventdb serving the same corpus (`synth` is seeded: the same rows on both databases)."""
    database = None
    if request.param == "sqlite":
        url = f"sqlite:///{sqlite_corpus.parent / 'built.sqlite3'}"
    else:
        database = new_database_url("postgresql", tmp_path_factory.mktemp("twins-pg"))
        engine = create_db_engine(url := next(database))
        upgrade(engine)
        synthesize(engine, STATEMENTS)
        engine.dispose()
    with (
        LiveServer(Settings(database_url=url, cache_seconds=0)) as server,
        httpx.Client(base_url=server.url, timeout=30) as client,
    ):
        yield client
    if database is not None:
        next(database, None)  # drops it


@pytest.fixture(scope="module")
def pools(sqlite_corpus: Path) -> dict[str, Pool]:
    return {pool.question: pool for pool in build_pools(sqlite_corpus, PAIRS, 1)}


def datasette_rows(corpus: Path, paths: list[str]) -> list[Any]:
    datasette = Datasette(immutables=[str(corpus)])

    async def ask() -> list[Any]:
        answers = []
        for path in paths:
            response = await datasette.client.get(path)
            assert response.status_code == 200, (path, response.text[:300])
            answers.append(response.json())
        return answers

    return asyncio.run(ask())


def identity(question: str, item: dict[str, Any]) -> Any:
    """What names an item of eventdb's answer the way a row of Datasette's names it."""
    if question == "timeline of an actor":
        return item["type"], item[item["type"]]["slug"]
    return item["slug"] if question == "events in a date range" else item["id"]


def row_identity(question: str, row: dict[str, Any]) -> Any:
    if question == "timeline of an actor":
        return row["type"], row["slug"]
    return row["slug"] if question == "events in a date range" else row["id"]


@pytest.mark.parametrize("question", QUESTIONS)
def test_each_benchmark_question_asks_datasette_for_the_rows_eventdb_answers(
    eventdb: httpx.Client, sqlite_corpus: Path, pools: dict[str, Pool], question: str
) -> None:
    """The same rows; where a page is cut among items of one day, newest first, each breaks
    the tie its own way (Datasette by id ascending): then the same number of rows."""
    pool = pools[question]
    theirs = datasette_rows(sqlite_corpus, pool.datasette)
    asked_for_rows = 0
    for path, rows in zip(pool.ours, theirs, strict=True):
        answer = eventdb.get(path)
        assert answer.status_code == 200, (path, answer.text[:300])
        items = [answer.json()] if question == "single item" else answer.json()["items"]
        ours = [identity(question, item) for item in items]
        found = [row_identity(question, row) for row in rows]
        assert len(ours) == len(found), (path, len(ours), len(found))
        if "sort=-date" not in path:
            assert sorted(ours, key=str) == sorted(found, key=str), path
        asked_for_rows += bool(found)
    assert asked_for_rows >= PAIRS // 2, "most twins should find rows"
