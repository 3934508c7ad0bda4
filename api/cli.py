"""The `eventdb` command: migrate, seed, export and serve the database."""

import csv
import time
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from api.settings import Settings

app = typer.Typer(
    help="eventdb: a REST API over a structured, evidence-linked database of news events.",
    no_args_is_help=True,
    add_completion=False,
)

DatabaseUrl = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        help="SQLAlchemy URL, e.g. sqlite:///eventdb.sqlite3 or postgresql://user@host/db. "
        "Default: $EVENTDB_DATABASE_URL, else eventdb.sqlite3 in the working directory.",
        show_default=False,
    ),
]


def _fail(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)


def _settings(database_url: str | None) -> Settings:
    return Settings(database_url=database_url) if database_url else Settings()


@app.command()
def migrate(database_url: DatabaseUrl = None) -> None:
    """Create or upgrade the schema to the latest migration."""
    from api.database import create_db_engine
    from api.schema_version import upgrade

    engine = create_db_engine(_settings(database_url).database_url)
    upgrade(engine)
    typer.echo("schema is at the latest migration")


@app.command()
def seed(
    files: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Seed files to load. Default: every *.yaml in seed/.", show_default=False
        ),
    ] = None,
    database_url: DatabaseUrl = None,
    reset: Annotated[bool, typer.Option("--reset", help="Empty every table first.")] = False,
) -> None:
    """Migrate if needed, then load the seed files in one transaction (a no-op if loaded)."""
    from sqlalchemy.exc import OperationalError

    from api.database import create_db_engine
    from api.loader import SeedError, load, seed_files
    from api.schema_version import upgrade

    started = time.perf_counter()
    settings = _settings(database_url)
    paths = files or seed_files(settings.seed_dir)
    if not paths:
        typer.echo(f"error: no seed files in {settings.seed_dir}", err=True)
        raise typer.Exit(2)
    engine = create_db_engine(settings.database_url)
    try:
        upgrade(engine)
        results = load(engine, paths, reset=reset)
    except SeedError as error:
        typer.echo(f"error: nothing was written.\n{error}", err=True)
        raise typer.Exit(1) from error
    except OperationalError as error:
        typer.echo(f"error: cannot use the database: {error.orig}", err=True)
        raise typer.Exit(1) from error
    for result in results:
        counts = ", ".join(f"{n} {table}" for table, n in result.counts.items())
        typer.echo(f"{result.source}: {result.status}" + (f" ({counts})" if counts else ""))
    typer.echo(f"done in {time.perf_counter() - started:.2f} s")


@app.command()
def check(
    files: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Seed files to check. Default: every *.yaml in seed/.", show_default=False
        ),
    ] = None,
) -> None:
    """Check seed files without a database: their schema, references, slugs, dates and
    evidence (found exactly once). Silent when they are right; exit 1 naming the file, the
    item and the field when not."""
    from api.loader import SeedError, seed_files
    from api.loader import check as check_files

    paths = files or seed_files(Settings().seed_dir)
    if not paths:
        _fail(f"no seed files in {Settings().seed_dir}")
    try:
        check_files(paths)
    except SeedError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from error


@app.command()
def schemas(
    folder: Annotated[
        Path | None,
        typer.Argument(help="Folder to write into. Default: seed/.", show_default=False),
    ] = None,
) -> None:
    """Write the JSON Schemas of the seed files (actors.schema.json, source.schema.json), for
    editors that validate YAML as it is typed."""
    import orjson

    from api.seedfile import SCHEMA_FILES, json_schema

    folder = folder or Settings().seed_dir
    for name, model in SCHEMA_FILES.items():
        path = folder / name
        path.write_bytes(orjson.dumps(json_schema(model), option=orjson.OPT_INDENT_2) + b"\n")
        typer.echo(f"wrote {path}")


@app.command()
def synth(
    statements: Annotated[int, typer.Option(help="How many statements to generate.", min=1)],
    database_url: DatabaseUrl = None,
    seed: Annotated[
        int, typer.Option(help="Random seed: the same seed gives the same corpus.")
    ] = 1,
) -> None:
    """Fill an empty database with a synthetic corpus, in bulk, for benchmarks."""
    from api.database import create_db_engine
    from api.schema_version import upgrade
    from api.synth import synthesize

    started = time.perf_counter()
    engine = create_db_engine(_settings(database_url).database_url)
    upgrade(engine)
    try:
        result = synthesize(engine, statements, seed)
    except ValueError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from error
    counts = ", ".join(f"{n} {table}" for table, n in result.counts.items())
    typer.echo(f"synthesized {counts} in {time.perf_counter() - started:.1f} s")


@app.command()
def export(
    out: Annotated[
        Path, typer.Argument(help="Folder to write eventdb.json and one CSV per table.")
    ],
    database_url: DatabaseUrl = None,
) -> None:
    """Write the whole database as JSON (eventdb.json) and each table as CSV."""
    import orjson
    from sqlalchemy import inspect, select
    from sqlalchemy.engine import make_url

    from api.database import create_db_engine
    from api.models import Base

    url = _settings(database_url).database_url
    sqlite_file = make_url(url).database if make_url(url).get_backend_name() == "sqlite" else None
    if sqlite_file and not Path(sqlite_file).exists():
        _fail(f"{sqlite_file} does not exist: give the database with --database-url")
    if out.exists() and not out.is_dir():
        _fail(f"{out} is a file: give a folder to write the export into")
    engine = create_db_engine(url)
    if not inspect(engine).has_table("sources"):
        _fail("the database has no eventdb tables: run `eventdb seed` (or `eventdb migrate`) first")
    out.mkdir(parents=True, exist_ok=True)
    everything: dict[str, list[dict[str, object]]] = {}
    with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            query = select(table).order_by(*table.primary_key.columns)
            rows = [dict(row._mapping) for row in connection.execute(query)]
            everything[table.name] = rows
            with (out / f"{table.name}.csv").open("w", newline="", encoding="utf-8") as file:
                writer = csv.DictWriter(file, fieldnames=[column.name for column in table.columns])
                writer.writeheader()
                # A JSON column (actors.titles) as JSON, not as a Python repr.
                writer.writerows(
                    {
                        name: orjson.dumps(value).decode()
                        if isinstance(value, list | dict)
                        else value
                        for name, value in row.items()
                    }
                    for row in rows
                )
    (out / "eventdb.json").write_bytes(
        orjson.dumps(everything, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS) + b"\n"
    )
    summary = ", ".join(f"{len(rows)} {name}" for name, rows in everything.items())
    typer.echo(f"wrote {out}/eventdb.json and {len(everything)} CSV files ({summary})")


@app.command()
def serve(
    database_url: DatabaseUrl = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[
        int | None,
        typer.Option(
            help="Worker processes. Default: $EVENTDB_WORKERS, else the machine's cores.",
            show_default=False,
            min=1,
        ),
    ] = None,
    access_log: Annotated[bool, typer.Option(help="Log every request.")] = True,
    seed: Annotated[
        bool,
        typer.Option(
            help="On SQLite, migrate and load the seed files that changed first. --no-seed "
            "serves the database as it is (a synthetic corpus, a copy)."
        ),
    ] = True,
) -> None:
    """Serve the API with uvicorn; on SQLite, the database is migrated and seeded first."""
    import os

    from api.main import prepare_database
    from api.serving import UVICORN_PROTOCOLS, run

    settings = _settings(database_url)
    if seed:
        prepare_database(settings)
    # Each worker process builds the app from the environment (api.main:create_app).
    os.environ["EVENTDB_DATABASE_URL"] = settings.database_url
    run(
        "api.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers or settings.workers,
        access_log=access_log,
        log_level="info",
        **UVICORN_PROTOCOLS,
    )
