"""Running the Alembic migrations from code (`eventdb migrate`, `eventdb seed`, `/readyz`)."""

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text

from api.settings import PROJECT_ROOT

# Any fixed number works: concurrent `eventdb migrate` runs on PostgreSQL queue on it.
MIGRATION_LOCK_KEY = 6_021_023


def alembic_config() -> Config:
    return Config(toml_file=str(PROJECT_ROOT / "pyproject.toml"))


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine) -> None:
    """Bring the schema to head; a no-op when it is there already."""
    config = alembic_config()
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
            connection.commit()
        try:
            if current_revision(connection) != head_revision():
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
            connection.commit()
        finally:
            connection.rollback()  # a failed migration must not hide its error behind this one
            if engine.dialect.name == "postgresql":
                connection.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY}
                )
                connection.commit()
