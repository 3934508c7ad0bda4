"""Lists sorted by name come in the same order on both databases, whatever the server's locale.

Names and slugs are compared byte by byte (collation "C" on PostgreSQL, BINARY on SQLite). Under
an ICU collation that ignores spaces, as some servers are set up, an order left to the database
would move "a senior diplomat…" from first among the a's to after "arab americans".
"""

import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from api.database import create_db_engine
from api.loader import load, seed_files
from api.schema_version import upgrade
from api.settings import PROJECT_ROOT, Settings
from api.text import fold
from tests.conftest import POSTGRES_ADMIN_URL, LiveServer, new_database_url, require_postgres

ICU_IGNORING_SPACES = "en-US-u-ka-shifted"


def _database_with_a_locale_that_ignores_spaces() -> Iterator[str]:
    name = f"eventdb_icu_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(
            text(
                f'CREATE DATABASE "{name}" TEMPLATE template0 LOCALE_PROVIDER icu '
                f"ICU_LOCALE '{ICU_IGNORING_SPACES}' LOCALE 'C.UTF-8'"
            )
        )
    try:
        yield make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def served(backend: str, tmp_path: Path) -> Iterator[httpx.Client]:
    if backend == "postgresql":
        require_postgres()
        urls = _database_with_a_locale_that_ignores_spaces()
    else:
        urls = new_database_url(backend, tmp_path)
    url = next(urls)
    engine = create_db_engine(url)
    upgrade(engine)
    load(engine, seed_files(PROJECT_ROOT / "seed"))
    engine.dispose()
    with (
        LiveServer(Settings(database_url=url, cache_seconds=0)) as server,
        httpx.Client(base_url=server.url) as client,
    ):
        yield client
    next(urls, None)


def test_actors_come_in_the_byte_order_of_their_folded_names(served: httpx.Client) -> None:
    names = [a["name"] for a in served.get("/actors", params={"limit": 500}).json()["items"]]
    assert names == sorted(names, key=lambda name: fold(name).encode())
    a_names = [n for n in names if fold(n).startswith("a")]
    assert a_names[0] == "a senior diplomat familiar with the negotiations"


def test_paging_actors_by_name_serves_each_once_in_the_same_order(served: httpx.Client) -> None:
    everything = [a["slug"] for a in served.get("/actors", params={"limit": 500}).json()["items"]]
    paged: list[str] = []
    page = served.get("/actors", params={"limit": 4}).json()
    while True:
        paged += [a["slug"] for a in page["items"]]
        if not page["next"]:
            break
        page = served.get(page["next"]).json()
    assert paged == everything
