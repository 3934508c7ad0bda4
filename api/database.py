"""The one place that knows how to talk to SQLite and PostgreSQL.

Two ways in:

- `create_db_engine`: a synchronous SQLAlchemy engine, for the command line (migrate, seed,
  synth, export) and the tests that write.
- `Database.read`: how every request reads. A request's read is an `async` function of a
  `Reader`; **its statements see one snapshot of the data** (a seed that commits meanwhile is
  seen whole or not at all: a read of several statements runs in one transaction, a read of one
  needs none), every statement within the deadline (`EVENTDB_STATEMENT_TIMEOUT`).

The request path runs SQL that SQLAlchemy Core compiled once per statement (`compiled`), on the
driver itself: building and compiling a statement, and SQLAlchemy's result processing, cost more
than the query on every request. PostgreSQL is read with psycopg's asyncio connections, so a
query that waits (on a lock, or a slow plan) holds only its own request. SQLite has no such
driver: a statement runs on the event loop, where a 0.1 ms query costs least (a thread pool would
make every row step queue for the GIL), within a small budget (`LOOP_BUDGET`); one that outlasts
it is stopped and run again in a worker thread, with the whole deadline, so that a slow query
never holds the other requests for longer than the budget.
"""

import asyncio
import fcntl
import sqlite3
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol, TypeVar

import anyio.to_thread
import orjson
import psycopg
import psycopg.errors
from psycopg.types.json import set_json_loads
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

T = TypeVar("T")
Row = tuple[Any, ...]
# Called with (sql, parameters) before a request's statement runs (tests and debugging).
Listener = Callable[[str, dict[str, Any]], None]

# Seconds a SQLite statement may hold the event loop before it moves to a worker thread.
LOOP_BUDGET = 0.01
# SQLite statements that outlast LOOP_BUDGET, worked on at once (each in a thread of its own).
SLOW_THREADS = 4
# SQLite's progress handler runs every this many virtual machine instructions (a few µs of work).
PROGRESS_STEPS = 2_000
# Connections out at once, per process; a request past them waits (at most the pool timeout).
# Each is kept for reuse: opening a PostgreSQL connection forks a server process, which costs
# more than most reads.
POOL_SIZE = 16


class DatabaseUnavailable(Exception):
    """The database cannot be reached, or has no schema yet: the API answers 503."""


class QueryTimeout(Exception):
    """A statement ran past the deadline and was stopped: the API answers 503."""


class ValueOutOfRange(Exception):
    """A value of the request is outside what the database can hold: the API answers 422."""


class NamesUnresolved(Exception):
    """A name or slug of the request, resolved in a statement, named no row or several (or a
    search's words were not what the process remembered, api.search): the read is run again
    with each looked up first (`Reader.resolves_names`)."""


# Synchronous engines, for the command line ----------------------------------------------------


def normalize_url(url: str) -> str:
    """Accept the URLs people paste (postgres://, postgresql://) and use the psycopg 3 driver."""
    parsed = make_url(url)
    if parsed.drivername in ("postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def create_db_engine(url: str, connect_timeout: int = 5) -> Engine:
    """`connect_timeout`: seconds for PostgreSQL to accept a new connection."""
    url = normalize_url(url)
    if is_sqlite(url):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        _use_sqlite_transactions(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": connect_timeout})


def _use_sqlite_transactions(engine: Engine) -> None:
    """Let SQLAlchemy, not the sqlite3 module, open transactions, so that a seed is one real
    transaction; a connection marked `sqlite_begin="IMMEDIATE"` takes the write lock at once."""

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


READER_PRAGMAS = (
    "PRAGMA query_only = ON",  # the API only reads
    # An index SQLite builds for one statement costs a scan of the whole table, every time: a
    # page must cost what it holds, so a query with no index to serve it should show in its plan.
    "PRAGMA automatic_index = OFF",
    # Pages read through a memory map, not a read() call each (SQLite caps the size at its
    # build's limit, 2 GB by default): a search that joins 2,676 matches to their statements took
    # 35 ms a request on the 1M corpus without, 11 ms with. The mapped pages are the OS's file
    # cache, shared by every worker, and count in each worker's resident set.
    "PRAGMA mmap_size = 2147483648",
)

# Any fixed number works: every writing process (migrate, seed) takes the same lock.
WRITER_LOCK_KEY = 6_021_024


@contextmanager
def exclusive_writer(engine: Engine) -> Iterator[None]:
    """One writer at a time (`eventdb migrate`, `eventdb seed`): a second one waits here until
    the first is done, then finds its work done. PostgreSQL: an advisory lock; SQLite: a lock
    file beside the database, taken before any connection (two processes that both open a new
    file would otherwise race to create its schema, and one would fail with "database is
    locked")."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": WRITER_LOCK_KEY})
            connection.commit()
            try:
                yield
            finally:
                connection.rollback()
                connection.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": WRITER_LOCK_KEY}
                )
                connection.commit()
        return
    path = engine.url.database
    if not path or path == ":memory:":
        yield
        return
    with open(f"{path}.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


# Statements compiled once ----------------------------------------------------------------------

_DIALECTS = {
    "sqlite": sqlite.dialect(paramstyle="named"),
    "postgresql": postgresql.psycopg.dialect(),  # type: ignore[no-untyped-call]
}


@dataclass(frozen=True)
class CompiledStatement:
    sql: str
    constants: dict[str, Any]  # the values the statement itself binds (limits, vocabulary words)


_compiled: dict[tuple[int, str], tuple[ClauseElement, CompiledStatement]] = {}


def compiled(statement: ClauseElement, dialect: str) -> CompiledStatement:
    """The statement's SQL for the dialect, compiled once: statements are built once per shape
    of a question (see api.queries), so the cache holds a bounded number of them."""
    key = (id(statement), dialect)
    found = _compiled.get(key)
    if found is not None and found[0] is statement:
        return found[1]
    result = statement.compile(dialect=_DIALECTS[dialect])
    assert isinstance(result, SQLCompiler)
    constants = {
        name: bind.effective_value
        for bind, name in result.bind_names.items()
        if not bind.required and bind.effective_value is not None
    }
    entry = CompiledStatement(result.string, constants)
    _compiled[key] = (statement, entry)  # keeps the statement alive, so its id stays unique
    return entry


# Reading ---------------------------------------------------------------------------------------


@dataclass
class Memo:
    """What a process remembers between requests of what its database said, where an answer out
    of date costs time and never a wrong answer: PostgreSQL's estimates of how many rows a
    search's words match (api.search), which choose how the search is run, not what it finds;
    and what the data's words say of a search's words, which the page's statement checks.
    An entry is kept for `seconds` (the statistics of a reseeded database are asked for once it
    expires), and the `size` most recently used at most."""

    seconds: float = 60.0
    size: int = 4096
    entries: OrderedDict[Hashable, tuple[float, Any]] = field(default_factory=OrderedDict)

    def get(self, key: Hashable) -> Any:
        """The value kept under `key`; None if there is none, or it expired."""
        found = self.entries.get(key)
        if found is None or found[0] <= time.monotonic():
            return None
        self.entries.move_to_end(key)
        return found[1]

    def put(self, key: Hashable, value: Any) -> None:
        self.entries[key] = (time.monotonic() + self.seconds, value)
        self.entries.move_to_end(key)
        while len(self.entries) > self.size:
            self.entries.popitem(last=False)


class Reader(Protocol):
    """One request's view of the database: its statements see one snapshot."""

    dialect: str

    @property
    def memo(self) -> Memo:
        """The process's Memo of this database."""

    def resolves_names(self) -> bool:
        """Whether the read binds the names and slugs of its filters as they are, for its
        statements to resolve (api.queries.filters), rather than looking each up first (and a
        search's words as remembered, for its statements to check: api.search). A read that
        does, and finds a mistake of the client's, is run again the other way: an unknown name
        is then reported first, as it is on SQLite."""

    async def rows(self, statement: ClauseElement, **params: Any) -> list[Row]:
        """The statement's rows; more statements may follow, in the same snapshot."""

    async def last_rows(self, statement: ClauseElement, **params: Any) -> list[Row]:
        """The rows of the read's last statement (a statement after it is an error). A read
        whose only statement this is runs it without a transaction: one statement is a
        snapshot by itself, and on PostgreSQL BEGIN and COMMIT are two more round trips (a page
        of events was 13-19% faster without them)."""

    async def plan_with_values(self) -> None:
        """Plan the request's next statements for their values, not once per connection (a
        search on PostgreSQL, whose best plan depends on how many rows its words match)."""


Read = Callable[[Reader], Awaitable[T]]


@dataclass
class _Snapshot:
    """Where a read stands: it runs in a transaction, unless its first statement is its last."""

    statements: int = 0
    ended: bool = False

    def alone(self, last: bool) -> bool:
        """Called before each statement: whether it runs without a transaction."""
        if self.ended:  # it would see another snapshot
            raise RuntimeError("a read ran a statement after its last one")
        self.ended = last
        self.statements += 1
        return last and self.statements == 1


class _Statements:
    """`rows` and `last_rows` of a reader, both its `_rows`."""

    async def rows(self, statement: ClauseElement, **params: Any) -> list[Row]:
        return await self._rows(statement, params, last=False)

    async def last_rows(self, statement: ClauseElement, **params: Any) -> list[Row]:
        return await self._rows(statement, params, last=True)

    async def _rows(
        self, statement: ClauseElement, params: dict[str, Any], last: bool
    ) -> list[Row]:
        raise NotImplementedError


def _plain(value: Any) -> Any:
    """A parameter as the sqlite3 module binds it."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return str(value)  # a vocabulary word (StrEnum) as a plain string
    if isinstance(value, list | tuple):
        return orjson.dumps(value).decode()  # a list is read with json_each (values_of)
    return value


NO_DEADLINE = float("inf")


@dataclass
class _SQLiteConnection:
    connection: sqlite3.Connection
    deadline: float = NO_DEADLINE

    def over_deadline(self) -> bool:
        return time.monotonic() > self.deadline


@dataclass
class SQLiteReader(_Statements):
    holder: _SQLiteConnection
    timeout: float
    limiter: anyio.CapacityLimiter
    listeners: list[Listener]
    memo: Memo
    dialect: str = "sqlite"
    snapshot: _Snapshot = field(default_factory=_Snapshot)

    def resolves_names(self) -> bool:
        """A lookup is no round trip here, and an empty page has no row to say what resolved."""
        return False

    async def _rows(
        self, statement: ClauseElement, params: dict[str, Any], last: bool
    ) -> list[Row]:
        connection = self.holder.connection
        if not self.snapshot.alone(last) and not connection.in_transaction:
            connection.execute("BEGIN")  # the snapshot starts at the first SELECT
        sql = compiled(statement, "sqlite")
        values = {**sql.constants, **{name: _plain(value) for name, value in params.items()}}
        for listen in self.listeners:
            listen(sql.sql, values)
        try:
            return self._execute(sql.sql, values, LOOP_BUDGET, wait_for_locks=False)
        except QueryTimeout:
            pass  # too slow for the event loop: run it again in a thread, with the whole deadline
        return await anyio.to_thread.run_sync(
            self._execute, sql.sql, values, self.timeout, True, limiter=self.limiter
        )

    async def plan_with_values(self) -> None:
        """SQLite plans every statement as it prepares it, knowing its values' types only."""

    def _execute(
        self, sql: str, values: dict[str, Any], seconds: float, wait_for_locks: bool
    ) -> list[Row]:
        """The statement's rows, or QueryTimeout past `seconds`. On the event loop a lock is
        never waited for (the loop would stall): the statement moves to a thread, where it
        waits for the lock until the deadline."""
        connection = self.holder.connection
        self.holder.deadline = time.monotonic() + seconds
        if wait_for_locks:
            connection.execute(f"PRAGMA busy_timeout = {int(seconds * 1000)}")
        try:
            return connection.execute(sql, values).fetchall()
        except sqlite3.OperationalError as error:
            if str(error) == "interrupted" or "locked" in str(error):
                raise QueryTimeout from error
            raise DatabaseUnavailable(str(error)) from error
        except OverflowError as error:  # an integer past SQLite's 64 bits
            raise ValueOutOfRange(str(error)) from error
        finally:
            self.holder.deadline = NO_DEADLINE
            if wait_for_locks:
                connection.execute("PRAGMA busy_timeout = 0")


@dataclass
class PostgresReader(_Statements):
    connection: psycopg.AsyncConnection[Any]
    listeners: list[Listener]
    memo: Memo
    names_in_statements: bool
    dialect: str = "postgresql"
    snapshot: _Snapshot = field(default_factory=_Snapshot)
    names_left: bool = False  # to the statements, by this read
    with_values: bool = False  # the next statements sent with their values (`plan_with_values`)

    def resolves_names(self) -> bool:
        self.names_left = self.names_left or self.names_in_statements
        return self.names_in_statements

    async def _rows(
        self, statement: ClauseElement, params: dict[str, Any], last: bool
    ) -> list[Row]:
        sql = compiled(statement, "postgresql")
        values = {**sql.constants, **params}
        for listen in self.listeners:
            listen(sql.sql, values)
        # Unless it runs alone, psycopg begins the read's transaction (REPEATABLE READ: one
        # snapshot) before the read's first statement.
        alone = self.snapshot.alone(last)
        cursor = (
            psycopg.AsyncClientCursor(self.connection)
            if self.with_values
            else self.connection.cursor()
        )
        try:
            if alone:
                await self.connection.set_autocommit(True)
            await cursor.execute(sql.sql, values)
            return await cursor.fetchall()
        except psycopg.errors.QueryCanceled as error:
            raise QueryTimeout from error
        except (psycopg.errors.UndefinedTable, psycopg.errors.UndefinedColumn) as error:
            raise DatabaseUnavailable("the database has no schema") from error
        except psycopg.errors.DataError as error:
            raise ValueOutOfRange(str(error)) from error
        finally:
            if alone and not self.connection.closed:
                await self.connection.set_autocommit(False)

    async def plan_with_values(self) -> None:
        """The connection plans each statement once (see `_connect_postgres`), which a
        statement whose plan depends on its values cannot use: the read's next statements are
        sent with their values written in (psycopg's client-side binding), which PostgreSQL
        plans for them. It was `SET LOCAL plan_cache_mode`: two more round trips (the SET, and
        the transaction's BEGIN) for a read that could be one statement."""
        self.with_values = True


@dataclass
class _Pool:
    """Connections kept for reuse. A new one is opened when none is idle (at most `size` are
    out at once; past `timeout` seconds of waiting for one, the request answers 503).

    The connection given back last is taken first: a SQLite read runs on the event loop from
    start to end, so one connection serves nearly every request, with its memory map and page
    cache warm. Each SQLite connection maps the file anew: taken in turn, 16 connections made a
    worker's resident set 16 maps of the file's hot pages."""

    size: int
    timeout: float
    idle: list[Any] = field(default_factory=list)
    slots: asyncio.Semaphore | None = None

    async def acquire(self) -> None:
        if self.slots is None:
            self.slots = asyncio.Semaphore(self.size)
        if not self.slots.locked():
            # acquire() returns at once when a slot is free (and none is waited for): without
            # wait_for, whose task cost 5% of a single item's time.
            await self.slots.acquire()
            return
        try:
            await asyncio.wait_for(self.slots.acquire(), self.timeout)
        except TimeoutError as error:
            raise DatabaseUnavailable("no free database connection") from error

    def release(self, connection: Any | None) -> None:
        assert self.slots is not None
        self.slots.release()
        if connection is not None:
            self.idle.append(connection)

    def take_idle(self) -> Any | None:
        return self.idle.pop() if self.idle else None


class Database:
    """Reads for the requests of one process (see the module's docstring)."""

    def __init__(
        self,
        url: str,
        *,
        statement_timeout: float = 5.0,
        pool_timeout: float = 5.0,
        connect_timeout: int = 2,
    ) -> None:
        self.url = normalize_url(url)
        self.dialect = "sqlite" if is_sqlite(self.url) else "postgresql"
        self.statement_timeout = statement_timeout
        self.connect_timeout = connect_timeout
        self.pool = _Pool(POOL_SIZE, pool_timeout)
        self.limiter: anyio.CapacityLimiter | None = None
        self.listeners: list[Listener] = []
        self.memo = Memo()

    async def read(self, read: Read[T]) -> T:
        """`read`'s answer, read in one snapshot (see `Reader.last_rows`). On PostgreSQL, the
        names of its filters are first resolved by the statements that use them (and a
        search's words checked there); if one named no row, or several (or the words changed),
        it is read again with each looked up first, which says why."""
        await self.pool.acquire()
        if self.dialect == "sqlite":
            return await self._read_sqlite(read)
        try:
            return await self._read_postgres(read, names_in_statements=True)
        except NamesUnresolved:
            await self.pool.acquire()
            return await self._read_postgres(read, names_in_statements=False)

    async def aclose(self) -> None:
        while self.pool.idle:
            connection = self.pool.idle.pop()
            if isinstance(connection, _SQLiteConnection):
                connection.connection.close()
            else:
                await connection.close()

    # SQLite

    async def _read_sqlite(self, read: Read[T]) -> T:
        holder: _SQLiteConnection | None = None
        try:
            holder = self.pool.take_idle() or self._connect_sqlite()
            if self.limiter is None:
                self.limiter = anyio.CapacityLimiter(SLOW_THREADS)
            reader = SQLiteReader(
                holder, self.statement_timeout, self.limiter, self.listeners, self.memo
            )
            try:
                return await read(reader)
            finally:
                if holder.connection.in_transaction:
                    holder.connection.execute("ROLLBACK")  # read-only: nothing to keep
        except sqlite3.Error as error:
            if holder is not None:
                holder.connection.close()
                holder = None
            raise DatabaseUnavailable(str(error)) from error
        finally:
            self.pool.release(holder)

    def _connect_sqlite(self) -> _SQLiteConnection:
        path = make_url(self.url).database or ""
        try:
            # mode=rw: a missing file is an error, not a new empty database.
            connection = sqlite3.connect(
                f"file:{path}?mode=rw",
                uri=True,
                isolation_level=None,
                check_same_thread=False,
                timeout=0,  # no waiting for a lock on the event loop (see SQLiteReader)
            )
        except sqlite3.Error as error:
            raise DatabaseUnavailable(str(error)) from error
        for pragma in READER_PRAGMAS:
            connection.execute(pragma)
        holder = _SQLiteConnection(connection)
        connection.set_progress_handler(holder.over_deadline, PROGRESS_STEPS)
        return holder

    # PostgreSQL

    async def _read_postgres(self, read: Read[T], names_in_statements: bool) -> T:
        connection = None
        try:
            for attempt in (1, 2):
                connection = self.pool.take_idle()
                reused = connection is not None
                if connection is None:
                    connection = await self._connect_postgres()
                try:
                    reader = PostgresReader(
                        connection, self.listeners, self.memo, names_in_statements
                    )
                    try:
                        result = await read(reader)
                    except Exception as error:
                        from api.errors import Problem  # which imports this module

                        mistake = isinstance(error, Problem) and error.status < 500
                        if mistake and reader.names_left:
                            raise NamesUnresolved from error
                        raise
                    # Ends the snapshot, if the read began one. Not a rollback: psycopg forgets
                    # the connection's prepared statements on a rollback, and planning costs
                    # more than running.
                    await connection.commit()
                    return result
                except psycopg.OperationalError as error:
                    await connection.close()
                    connection = None
                    if not (reused and attempt == 1):
                        raise DatabaseUnavailable(str(error)) from error
                    # The database closed the idle connections (a restart, an idle timeout): they
                    # are all gone, so drop them and ask once more on a new connection.
                    await self.aclose()
                except BaseException:
                    if connection is not None and not connection.closed:
                        await connection.rollback()
                    raise
            raise AssertionError("unreachable")
        finally:
            self.pool.release(connection)

    async def _connect_postgres(self) -> psycopg.AsyncConnection[Any]:
        url = make_url(self.url).set(drivername="postgresql")
        timeout_ms = int(self.statement_timeout * 1000)
        try:
            connection = await psycopg.AsyncConnection.connect(
                url.render_as_string(hide_password=False),
                connect_timeout=self.connect_timeout,
                # Plan a statement once per connection: our statements are built per shape
                # of a question, their joins cost PostgreSQL more to plan than to run. A generic
                # plan does not know a page's LIMIT and costs a page as a third of its table:
                # past jit_above_cost PostgreSQL compiled it with JIT on every run, 81 ms of a
                # 113 ms deep page at 1M statements. Our statements are short: no JIT, and no
                # parallel workers (the count of a date range's three walks started two, about
                # 5 ms of a 7.5 ms page of events at 1M, and CPU that other requests wait for).
                options=f"-c statement_timeout={timeout_ms} -c default_transaction_read_only=on "
                "-c plan_cache_mode=force_generic_plan -c jit=off "
                "-c max_parallel_workers_per_gather=0",
                prepare_threshold=0,
            )
        except psycopg.OperationalError as error:
            raise DatabaseUnavailable(str(error)) from error
        # Each read of several statements is one snapshot (see `Reader.last_rows`).
        await connection.set_isolation_level(psycopg.IsolationLevel.REPEATABLE_READ)
        set_json_loads(orjson.loads, connection)  # the related lists, built as JSON (fast)
        return connection
