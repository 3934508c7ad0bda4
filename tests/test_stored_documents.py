"""Stored documents (api/stored_documents.py): each statement's and event's JSON document is
written with the data, and always says what the data says, after a seed, a reseed that renames
an actor, a migration, or a change of the documents' shape."""

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from sqlalchemy import Engine, delete, func, select, update

from api.database import create_db_engine
from api.loader import load, seed_files
from api.schema_version import upgrade
from api.settings import PROJECT_ROOT
from api.stored_documents import DOCUMENTED, SHAPE_TABLE, body, refresh, shape, shape_is_current
from tests.test_migrations import downgrade

SEED = PROJECT_ROOT / "seed"

Bodies = dict[tuple[str, int], str]


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = create_db_engine(database_url)
    upgrade(engine)
    load(engine, seed_files(SEED))
    yield engine
    engine.dispose()


def assembled(engine: Engine) -> Bodies:
    """Every document as the data assembles it now."""
    found: Bodies = {}
    with engine.connect() as connection:
        for documented in DOCUMENTED:
            every = select(documented.facts.c.id).subquery("page")
            rows = connection.execute(documented.assembled_rows(engine.dialect.name)(every))
            for row in rows:
                found[(documented.facts.name, row[0])] = body(documented.assembled_document(row))
    return found


def stored(engine: Engine) -> Bodies:
    with engine.connect() as connection:
        return {
            (documented.facts.name, fact_id): text
            for documented in DOCUMENTED
            for fact_id, text in connection.execute(
                select(documented.documents.c.id, documented.documents.c.body)
            )
        }


def test_every_statement_and_event_has_the_document_its_data_assembles(engine: Engine) -> None:
    documents = stored(engine)
    assert {table for table, _ in documents} == {"statements", "events"}
    assert documents == assembled(engine)


def test_a_reseed_that_renames_an_actor_rewrites_the_documents_that_name_them(
    engine: Engine, tmp_path: Path
) -> None:
    shutil.copytree(SEED, tmp_path / "seed")
    registry = tmp_path / "seed" / "actors.yaml"
    actors = yaml.safe_load(registry.read_text(encoding="utf-8"))
    blinken = next(a for a in actors["actors"] if a["slug"] == "antony-blinken")
    blinken["name"] = "Antony J. Blinken"
    registry.write_text(yaml.safe_dump(actors, allow_unicode=True, sort_keys=False), "utf-8")
    before = stored(engine)

    load(engine, seed_files(tmp_path / "seed"))

    after = stored(engine)
    assert after == assembled(engine)
    renamed = {key for key in after if after[key] != before[key]}
    assert renamed and all('"Antony J. Blinken"' in after[key] for key in renamed)
    assert not any('"Antony Blinken"' in text for text in after.values())


def test_a_refresh_when_nothing_changed_writes_nothing(engine: Engine) -> None:
    with engine.begin() as connection:
        assert refresh(connection) == 0


def test_documents_of_another_shape_are_rewritten_when_the_database_is_migrated(
    engine: Engine,
) -> None:
    """Stored by code that assembled them otherwise: migrating rewrites them all."""
    documented = DOCUMENTED[0]
    with engine.begin() as connection:
        connection.execute(update(SHAPE_TABLE).values(shape="an older shape"))
        connection.execute(update(documented.documents).values(body="{}"))

    upgrade(engine)

    assert stored(engine) == assembled(engine)
    with engine.connect() as connection:
        assert shape_is_current(connection)
        assert connection.scalar(select(SHAPE_TABLE.c.shape)) == shape()


def test_a_database_migrated_from_before_stored_documents_gets_them(engine: Engine) -> None:
    downgrade(engine, "0003")

    upgrade(engine)

    documents = stored(engine)
    with engine.connect() as connection:
        statements = connection.scalar(select(func.count()).select_from(DOCUMENTED[0].facts))
    assert len([key for key in documents if key[0] == "statements"]) == statements
    assert documents == assembled(engine)


def test_a_missing_document_is_written_again_when_the_database_is_migrated(
    engine: Engine,
) -> None:
    """An interrupted `synth` (or a hand-made change) can leave a fact without its document,
    which every list would leave out."""
    documented = DOCUMENTED[1]
    with engine.begin() as connection:
        first = select(func.min(documented.documents.c.id)).scalar_subquery()
        assert (
            connection.execute(
                delete(documented.documents).where(documented.documents.c.id == first)
            ).rowcount
            == 1
        )

    upgrade(engine)

    assert stored(engine) == assembled(engine)
