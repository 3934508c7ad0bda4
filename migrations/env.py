"""Alembic environment: the database URL comes from the app's own settings (or the caller)."""

from alembic import context
from sqlalchemy import Connection

from api.database import create_db_engine
from api.models import Base
from api.settings import get_settings

# Full-text search objects live outside the ORM metadata (an FTS5 virtual table and its shadow
# tables on SQLite; a generated tsvector column and its GIN index on PostgreSQL); the migrations
# create them by hand.
FULL_TEXT_PREFIXES = (
    "statements_fts",
    "events_fts",
    "ix_statements_search",
    "ix_events_search",
    "search_vector",
)


def include_name(name: str | None, type_: str, _parents: object) -> bool:
    return not (name or "").startswith(FULL_TEXT_PREFIXES)


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        include_name=include_name,
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        run(connection)
        return
    engine = create_db_engine(get_settings().database_url)
    with engine.connect() as connection:
        run(connection)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("eventdb migrations run online only: pass a database URL")
run_online()
