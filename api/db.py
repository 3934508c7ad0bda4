"""Engines and sessions: the one place that knows how to talk to SQLite and PostgreSQL."""

from collections.abc import Iterator
from typing import Any

from fastapi import Request
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.orm import Session, sessionmaker


def normalize_url(url: str) -> str:
    """Accept the URLs people paste (postgres://, postgresql://) and use the psycopg 3 driver."""
    parsed = make_url(url)
    if parsed.drivername in ("postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def create_db_engine(url: str, pool_timeout: float = 5.0, connect_timeout: int = 5) -> Engine:
    """`pool_timeout`: seconds to wait for a free pooled connection; `connect_timeout`: for
    PostgreSQL to accept a new one. Past either, the request fails (the API answers 503)."""
    url = normalize_url(url)
    if make_url(url).get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        _use_sqlite_transactions(engine)
        return engine
    return create_engine(
        url,
        pool_pre_ping=True,  # a connection the database closed is replaced, not used
        pool_timeout=pool_timeout,
        connect_args={"connect_timeout": connect_timeout},
    )


def _use_sqlite_transactions(engine: Engine) -> None:
    """Let SQLAlchemy, not the sqlite3 module, open transactions, so that a seed is one real
    transaction; a connection marked `sqlite_begin="IMMEDIATE"` takes the write lock at once,
    so two seeds started together queue instead of both reading "empty" and both writing."""

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Connection) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "")
        connection.exec_driver_sql(f"BEGIN {mode}".strip())


def get_session(request: Request) -> Iterator[Session]:
    """The one session dependency: a read-only unit of work per request."""
    factory: sessionmaker[Session] = request.app.state.sessionmaker
    with factory() as session:
        yield session
