"""Datasette 0.65 as an ASGI app, so that uvicorn can serve it with as many worker processes as
eventdb is given (`datasette serve` has one process): the same uvicorn, event loop and HTTP parser
as the API. The database file is $EVENTDB_BENCH_DATASETTE_FILE, opened immutable (`datasette -i`).

    EVENTDB_BENCH_DATASETTE_FILE=db.sqlite3 uvicorn datasette_app:app --workers 2
"""

import os
from typing import Any

from datasette.app import Datasette  # type: ignore[import-untyped, import-not-found, unused-ignore]

app: Any = Datasette(
    immutables=[os.environ["EVENTDB_BENCH_DATASETTE_FILE"]],
    # Its default (1 s) would cut the slowest questions short on a large corpus.
    settings={"sql_time_limit_ms": 10_000},
).app()
