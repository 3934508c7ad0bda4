"""The schema's version: Alembic's migrations run from code (`eventdb migrate`, `seed`, `serve`)."""

from functools import cache

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

from api import stored_documents
from api.database import exclusive_writer
from api.settings import PROJECT_ROOT


def alembic_config() -> Config:
    return Config(toml_file=str(PROJECT_ROOT / "pyproject.toml"))


@cache
def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine) -> None:
    """Bring the schema to head, and the stored documents to this code's shape (every fact with
    its document); a no-op when both are there already. Concurrent runs queue."""
    config = alembic_config()
    with exclusive_writer(engine), engine.connect() as connection:
        try:
            if current_revision(connection) != head_revision():
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
            if not stored_documents.complete(connection):
                stored_documents.refresh(connection)
            connection.commit()
        finally:
            connection.rollback()  # a failed migration must not hide its error behind this one
