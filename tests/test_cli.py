"""The `eventdb` command, run as a user runs it: a real process, real files, a real database.

Every test runs on SQLite and on PostgreSQL, seeding tests/data/portville-harbor.yaml (see
tests/test_seed_loader.py for what it holds).
"""

import csv
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from sqlalchemy import Engine, inspect, select

from api.database import create_db_engine
from api.main import prepare_database
from api.models import Actor, Base
from api.schema_version import current_revision, head_revision
from api.seedfile import SCHEMA_FILES, json_schema
from api.settings import PROJECT_ROOT, Settings
from tests.conftest import EVENTDB
from tests.database_state import snapshot, table_counts

DATA = Path(__file__).parent / "data"
FIXTURE = DATA / "portville-harbor.yaml"
TABLES = [table.name for table in Base.metadata.sorted_tables]


def eventdb(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `eventdb ARGS` in `cwd`, with EVENTDB_* taken from `env` only."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("EVENTDB_")}
    return subprocess.run(
        [EVENTDB, *args],
        cwd=cwd,
        env=environment | (env or {}),
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """The working directory of the command: empty, and not where the test database lives."""
    path = tmp_path / "workdir"
    path.mkdir()
    return path


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on the test's database, to look at what the command wrote."""
    engine = create_db_engine(database_url)
    yield engine
    engine.dispose()


def test_seed_loads_a_file_and_prints_its_counts(
    database_url: str, engine: Engine, workdir: Path, tmp_path: Path
) -> None:
    run = eventdb("seed", "--database-url", database_url, str(FIXTURE), cwd=workdir)

    assert run.returncode == 0, run.stderr
    assert (
        "portville-harbor-talks: loaded (4 introductions, 3 aliases, 3 events, 3 participants, "
        "1 proposals, 2 phases, 3 terms, 3 statements, 1 statement_terms, 2 mentions, "
        "3 positions)"
    ) in run.stdout
    assert table_counts(engine)["actors"] == 4


def test_seeding_the_same_file_again_prints_unchanged(
    database_url: str, engine: Engine, workdir: Path, tmp_path: Path
) -> None:
    first = eventdb("seed", "--database-url", database_url, str(FIXTURE), cwd=workdir)
    assert first.returncode == 0, first.stderr
    before = snapshot(engine)

    second = eventdb("seed", "--database-url", database_url, str(FIXTURE), cwd=workdir)

    assert second.returncode == 0, second.stderr
    assert "portville-harbor-talks: unchanged\n" in second.stdout
    assert snapshot(engine) == before


def test_a_bad_file_exits_1_names_the_mistake_and_writes_nothing(
    database_url: str, engine: Engine, workdir: Path, tmp_path: Path
) -> None:
    assert (
        eventdb("seed", "--database-url", database_url, str(FIXTURE), cwd=workdir).returncode == 0
    )
    before = snapshot(engine)
    shutil.copytree(DATA, tmp_path / "bad")
    bad = tmp_path / "bad" / FIXTURE.name
    document = yaml.safe_load(bad.read_text(encoding="utf-8"))
    document["statements"][1]["speaker"] = "sam-okafor-jr"
    bad.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")

    run = eventdb("seed", "--database-url", database_url, str(bad), cwd=workdir)

    assert run.returncode == 1
    assert "nothing was written" in run.stderr
    assert "statements[1] 'okafor-wants-toll-halved': speaker" in run.stderr
    assert "sam-okafor-jr" in run.stderr
    assert run.stdout == ""
    assert snapshot(engine) == before


def test_seed_uses_the_database_url_from_the_environment(
    database_url: str, engine: Engine, workdir: Path, tmp_path: Path
) -> None:
    run = eventdb("seed", str(FIXTURE), cwd=workdir, env={"EVENTDB_DATABASE_URL": database_url})

    assert run.returncode == 0, run.stderr
    assert table_counts(engine)["sources"] == 1
    assert list(workdir.iterdir()) == []  # no default eventdb.sqlite3 was created


def test_export_writes_every_table_as_json_and_as_csv(
    database_url: str, engine: Engine, workdir: Path, tmp_path: Path
) -> None:
    assert (
        eventdb("seed", "--database-url", database_url, str(FIXTURE), cwd=workdir).returncode == 0
    )
    out = tmp_path / "export"

    run = eventdb("export", "--database-url", database_url, str(out), cwd=workdir)

    assert run.returncode == 0, run.stderr
    counts = table_counts(engine)
    assert all(counts.values())  # every table has rows, so every count below means something
    everything = json.loads((out / "eventdb.json").read_text(encoding="utf-8"))
    assert sorted(everything) == sorted(TABLES)
    assert {name: len(rows) for name, rows in everything.items()} == counts
    assert sorted(path.name for path in out.glob("*.csv")) == sorted(f"{t}.csv" for t in TABLES)
    for table in Base.metadata.sorted_tables:
        with (out / f"{table.name}.csv").open(newline="", encoding="utf-8") as file:
            header, *rows = list(csv.reader(file))
        assert header == [column.name for column in table.columns], table.name
        assert len(rows) == counts[table.name], table.name


def test_export_writes_a_list_column_as_json_in_csv(
    database_url: str, workdir: Path, tmp_path: Path
) -> None:
    assert (
        eventdb("seed", "--database-url", database_url, str(FIXTURE), cwd=workdir).returncode == 0
    )
    out = tmp_path / "export"

    assert eventdb("export", "--database-url", database_url, str(out), cwd=workdir).returncode == 0

    with (out / "actors.csv").open(newline="", encoding="utf-8") as file:
        ids = {row["slug"]: row["id"] for row in csv.DictReader(file)}
    with (out / "introductions.csv").open(newline="", encoding="utf-8") as file:
        titles = {row["actor_id"]: row["titles"] for row in csv.DictReader(file)}
    assert json.loads(titles[ids["lena-ortiz"]]) == ["Mayor of Portville"]
    assert json.loads(titles[ids["harbor-commission"]]) == []


def test_export_keeps_the_article_text_intact(
    database_url: str, engine: Engine, workdir: Path, tmp_path: Path
) -> None:
    assert (
        eventdb("seed", "--database-url", database_url, str(FIXTURE), cwd=workdir).returncode == 0
    )
    out = tmp_path / "export"

    assert eventdb("export", "--database-url", database_url, str(out), cwd=workdir).returncode == 0

    article = (DATA / "portville-harbor.txt").read_text(encoding="utf-8")
    [from_json] = json.loads((out / "eventdb.json").read_text(encoding="utf-8"))["sources"]
    with (out / "sources.csv").open(newline="", encoding="utf-8") as file:
        [from_csv] = list(csv.DictReader(file))
    assert from_json["text"] == from_csv["text"] == article


def test_migrate_twice_is_harmless(database_url: str, engine: Engine, workdir: Path) -> None:
    first = eventdb("migrate", "--database-url", database_url, cwd=workdir)
    assert first.returncode == 0, first.stderr

    second = eventdb("migrate", "--database-url", database_url, cwd=workdir)

    assert second.returncode == 0, second.stderr
    assert "schema is at the latest migration" in second.stdout
    with engine.connect() as connection:
        assert current_revision(connection) == head_revision()
    assert set(inspect(engine).get_table_names()) >= set(TABLES)


def test_export_of_a_database_that_does_not_exist_says_so_and_creates_nothing(
    workdir: Path, tmp_path: Path
) -> None:
    missing = tmp_path / "missing.sqlite3"
    run = eventdb(
        "export", str(tmp_path / "out"), "--database-url", f"sqlite:///{missing}", cwd=workdir
    )
    assert run.returncode == 1
    assert "does not exist" in run.stderr and "Traceback" not in run.stderr
    assert not missing.exists() and not (tmp_path / "out").exists()


def test_export_of_a_database_without_the_schema_says_to_seed_it(
    database_url: str, workdir: Path, tmp_path: Path
) -> None:
    if database_url.startswith("sqlite"):
        Path(database_url.removeprefix("sqlite:///")).touch()
    run = eventdb("export", str(tmp_path / "out"), "--database-url", database_url, cwd=workdir)
    assert run.returncode == 1
    assert "eventdb seed" in run.stderr and "Traceback" not in run.stderr


def test_serving_sqlite_loads_a_seed_file_that_changed_since_the_last_start(tmp_path: Path) -> None:
    seed_dir = tmp_path / "seed"
    shutil.copytree(DATA, seed_dir)
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'served.sqlite3'}", seed_dir=seed_dir)
    prepare_database(settings)
    path = seed_dir / "actors.yaml"  # the registry
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("name: Lena Ortiz\n", "name: Lena Ortiz-Vega\n"), encoding="utf-8")

    prepare_database(settings)

    engine = create_db_engine(settings.database_url)
    with engine.connect() as connection:
        names = set(connection.scalars(select(Actor.name)))
    engine.dispose()
    assert "Lena Ortiz-Vega" in names and "Lena Ortiz" not in names


# Checking seed files without a database


def test_check_is_silent_and_exits_0_when_the_seed_is_right(workdir: Path) -> None:
    run = eventdb("check", cwd=workdir)  # the project's own seed/
    assert (run.returncode, run.stdout, run.stderr) == (0, "", "")


def test_check_exits_1_naming_the_file_the_item_and_the_field(
    workdir: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "seed"
    shutil.copytree(DATA, folder)
    path = folder / FIXTURE.name
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("speaker: sam-okafor", "speaker: sam-okafor-jr", 1), "utf-8")

    run = eventdb("check", str(path), cwd=workdir)

    assert run.returncode == 1
    assert f"{path}: statements[1] 'okafor-wants-toll-halved': speaker: " in run.stderr
    assert "Traceback" not in run.stderr
    assert list(workdir.iterdir()) == []  # no database was created


def test_the_json_schemas_in_seed_are_those_of_the_loader() -> None:
    """An editor validates a seed file as it is typed against seed/*.schema.json: they must be
    the loader's own (`eventdb schemas` writes them)."""
    for name, model in SCHEMA_FILES.items():
        written = json.loads((PROJECT_ROOT / "seed" / name).read_text(encoding="utf-8"))
        assert written == json_schema(model), f"seed/{name} is stale: run `eventdb schemas`"


def test_every_seed_file_names_its_json_schema_for_editors() -> None:
    for path in (PROJECT_ROOT / "seed").glob("*.yaml"):
        schema = "actors" if path.name == "actors.yaml" else "source"
        first_line = path.read_text(encoding="utf-8").splitlines()[0]
        assert first_line == f"# yaml-language-server: $schema=./{schema}.schema.json"
