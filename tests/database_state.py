"""What a database holds, for tests that check a command wrote (or left) exactly that."""

from typing import Any

from sqlalchemy import Engine, func, select, text

from api.models import Base

Rows = dict[str, list[tuple[Any, ...]]]


def table_counts(engine: Engine) -> dict[str, int]:
    """The number of rows of every table."""
    with engine.connect() as connection:
        return {
            table.name: connection.scalar(select(func.count()).select_from(table)) or 0
            for table in Base.metadata.sorted_tables
        }


def snapshot(engine: Engine) -> Rows:
    """Every row of every table, in primary key order."""
    with engine.connect() as connection:
        return {
            table.name: [
                tuple(row)
                for row in connection.execute(select(table).order_by(*table.primary_key.columns))
            ]
            for table in Base.metadata.sorted_tables
        }


def rows_of_each_word(engine: Engine, table: str) -> dict[str, int]:
    """How many rows of `table` hold each word, as the database's full-text index counts them."""
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            query = (
                f"SELECT word, ndoc FROM ts_stat('SELECT search_vector FROM {table}') "
                "WHERE word NOT LIKE '% %'"
            )
        else:
            connection.execute(
                text(
                    f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.{table}_rows "
                    f"USING fts5vocab(main, {table}_fts, 'row')"
                )
            )
            query = f"SELECT term, doc FROM temp.{table}_rows WHERE term NOT GLOB '_*'"
        return {word: rows for word, rows in connection.execute(text(query))}


def search_word_counts(engine: Engine, table: str) -> dict[str, int]:
    """search_words' number of rows of `table` for each word that some row holds."""
    with engine.connect() as connection:
        query = f"SELECT word, in_{table} FROM search_words WHERE in_{table} <> 0"
        return {word: rows for word, rows in connection.execute(text(query))}


def assert_search_words_count_what_the_index_holds(engine: Engine) -> None:
    for table in ("statements", "events"):
        counted = rows_of_each_word(engine, table)
        assert counted
        assert search_word_counts(engine, table) == counted
