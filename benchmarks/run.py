"""Benchmark the API against its ceilings and a peer, on synthetic corpora of several sizes.

    .venv/bin/python benchmarks/run.py [--sizes 10000,1000000] [--backends sqlite,postgresql]
                                       [--seconds 10] [--connections 16] [--out benchmarks/RESULTS.md]

For each corpus size it builds (once, cached) a synthetic corpus with `eventdb synth`, serves it
with one uvicorn worker, and drives each query type with wrk on loopback (16 connections, a
bounded time per query). In the same run it measures three baselines on the same machine: a bare
ASGI app returning fixed bytes (the server's ceiling), a FastAPI route returning a constant (the
framework's ceiling), and Datasette serving the very same SQLite file, asked the equivalent query.
It prints a table of requests/s, p50 and p99 latency and peak RSS, and writes it to --out.
Needs `wrk` (apt-get install wrk) and the `bench` extra (pip install -e '.[bench]').
"""

import argparse
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from api.pagination import encode_cursor
from api.synth import _Corpus

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / "data"
BIN = Path(sys.executable).parent
NOTES_MARKER = "<!-- notes: kept by benchmarks/run.py -->"
POSTGRES_ADMIN_URL = os.environ.get(
    "EVENTDB_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@dataclass
class Result:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int
    peak_rss_mb: float | None = None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def corpus_url(size: int, backend: str) -> tuple[str, float | None]:
    """The database URL of the corpus of `size` statements, and its load time if built now."""
    if backend == "sqlite":
        DATA.mkdir(parents=True, exist_ok=True)
        path = DATA / f"synth-{size}.sqlite3"
        url = f"sqlite:///{path}"
        if path.exists():
            return url, None
    else:
        name = f"eventdb_bench_{size}"
        url = make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
        admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            exists = connection.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            )
            if exists:
                return url, None
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
    started = time.perf_counter()
    subprocess.run(
        [str(BIN / "eventdb"), "synth", "--statements", str(size), "--database-url", url],
        check=True,
    )
    return url, time.perf_counter() - started


@dataclass
class Queries:
    """One URL per query type, for our API and for Datasette."""

    ours: dict[str, str]
    datasette: dict[str, str]


def queries_for(url: str, size: int) -> Queries:
    engine = create_engine(url)
    with engine.connect() as connection:
        speaker_id, speaker_slug = connection.execute(
            text(
                "SELECT a.id, a.slug FROM actors a JOIN (SELECT speaker_id, count(*) AS n "
                "FROM statements GROUP BY speaker_id ORDER BY n DESC LIMIT 1) top "
                "ON top.speaker_id = a.id"
            )
        ).one()
        term_id, term_slug, stance = connection.execute(
            text(
                "SELECT p.term_id, t.slug, p.stance FROM positions p JOIN terms t "
                "ON t.id = p.term_id GROUP BY p.term_id, t.slug, p.stance "
                "ORDER BY count(*) DESC LIMIT 1"
            )
        ).one()
        deep_date, deep_id = connection.execute(
            text("SELECT sort_date, id FROM statements ORDER BY sort_date, id LIMIT 1 OFFSET :n"),
            {"n": int(size * 0.9)},
        ).one()
        single_id = connection.scalar(
            text("SELECT id FROM statements ORDER BY id LIMIT 1 OFFSET :n"), {"n": size // 2}
        )
    engine.dispose()
    deep_date = date.fromisoformat(str(deep_date))
    word = _Corpus(size, 1).vocabulary[100]  # a word of middling frequency
    cursor = encode_cursor("date", (deep_date, deep_id))
    start, end = "2024-12-01", "2024-12-31"
    timeline_sql = (
        "select 0 as kind, e.id, e.sort_date from events e where e.id in (select event_id from "
        f"participants where actor_id = {speaker_id}) union all select 1, s.id, s.sort_date "
        f"from statements s where s.speaker_id = {speaker_id} order by 3, 1, 2 limit 50"
    )
    return Queries(
        ours={
            "statements by speaker": f"/statements?speaker={speaker_slug}",
            "events in a date range": f"/events?from={start}&to={end}",
            "positions by term and stance": f"/positions?term={term_slug}&stance={stance}",
            "full-text search": f"/statements?q={word}",
            "timeline of an actor": f"/timeline?actor={speaker_slug}",
            "deep page": f"/statements?cursor={cursor}",
            "single item": f"/statements/{single_id}",
        },
        datasette={
            "statements by speaker": f"/db/statements.json?speaker_id={speaker_id}&_sort=sort_date&_size=50&_shape=array",
            "events in a date range": f"/db/events.json?sort_date__gte={start}&sort_date__lte={end}&_sort=sort_date&_size=50&_shape=array",
            "positions by term and stance": f"/db/positions.json?term_id={term_id}&stance={stance}&_sort=sort_date&_size=50&_shape=array",
            "full-text search": f"/db/statements.json?_search={word}&_size=50&_shape=array",
            "timeline of an actor": "/db.json?_shape=array&sql=" + urllib.parse.quote(timeline_sql),
            "deep page": f"/db/statements.json?_sort=sort_date&_next={deep_date.isoformat()},{deep_id}&_size=50&_shape=array",
            "single item": f"/db/statements/{single_id}.json?_shape=array",
        },
    )


class Server:
    def __init__(self, argv: list[str], env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        argv = [arg.replace("{port}", str(self.port)) for arg in argv]
        self.process = subprocess.Popen(
            argv,
            env={**os.environ, **(env or {})},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"{argv[0]} did not start: {self.process.stderr.read().decode() if self.process.stderr else ''}"
                    ) from None
                time.sleep(0.1)

    def peak_rss_mb(self) -> float:
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024  # type: ignore[union-attr]

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def uvicorn(app: str, env: dict[str, str] | None = None, factory: bool = False) -> Server:
    argv = [
        str(BIN / "uvicorn"),
        app,
        "--port",
        "{port}",
        "--workers",
        "1",
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    return Server(argv + (["--factory"] if factory else []), env)


def wrk(port: int, path: str, seconds: float, connections: int) -> Result:
    url = f"http://127.0.0.1:{port}{path}"
    check = subprocess.run(
        ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", url], capture_output=True, text=True
    )
    if check.stdout != "200":
        raise RuntimeError(f"{url} answered {check.stdout}")
    subprocess.run(
        ["wrk", "-t2", f"-c{connections}", "-d1s", url], capture_output=True, check=True
    )  # warm-up
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{int(seconds)}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]

    def percentile(p: str) -> float:
        value, unit = re.search(rf"^\s+{p}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    count = int(errors.group(1)) if errors else 0
    count += sum(int(n) for n in socket_errors.groups()) if socket_errors else 0
    return Result(rps, percentile("50"), percentile("99"), count)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "RESULTS.md")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")
    sizes = [int(s) for s in args.sizes.split(",")]
    backends = args.backends.split(",")
    os.chdir(ROOT / "benchmarks")
    lines: list[str] = []

    def report(line: str) -> None:
        print(line, flush=True)
        lines.append(line)

    report(
        f"# Benchmark results\n\n`{' '.join(['.venv/bin/python', 'benchmarks/run.py', *sys.argv[1:]])}`, "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {platform.machine()}, "
        f"{os.cpu_count()} cores; one uvicorn worker; wrk, 2 threads, {args.connections} connections, "
        f"{args.seconds:g} s per row after 1 s of warm-up, on loopback.\n"
    )
    report("| server | corpus | query | req/s | p50 ms | p99 ms | errors | peak RSS MB |")
    report("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |")

    def row(server: str, corpus: str, query: str, r: Result) -> None:
        rss = f"{r.peak_rss_mb:.0f}" if r.peak_rss_mb is not None else ""
        report(
            f"| {server} | {corpus} | {query} | {r.requests_per_second:,.0f} | {r.p50_ms:.2f} | {r.p99_ms:.2f} | {r.errors} | {rss} |"
        )

    ceilings: dict[str, Result] = {}
    for name, app in (
        ("bare ASGI (ceiling 1)", "baselines:bare"),
        ("FastAPI constant (ceiling 2)", "baselines:framework"),
    ):
        server = uvicorn(app)
        result = wrk(server.port, "/", args.seconds, args.connections)
        result.peak_rss_mb = server.peak_rss_mb()
        server.stop()
        ceilings[name] = result
        row(name, "-", "fixed response", result)

    loads: list[str] = []
    results: dict[tuple[str, int, str], Result] = {}
    for size in sizes:
        for backend in backends:
            url, load_seconds = corpus_url(size, backend)
            if load_seconds is not None:
                loads.append(
                    f"- `eventdb synth --statements {size}` into {backend}: {load_seconds:.1f} s"
                )
            queries = queries_for(url, size)
            for name, cache_seconds in (
                (f"eventdb {backend}", "60"),
                (f"eventdb {backend}, no cache", "0"),
            ):
                env = {"EVENTDB_DATABASE_URL": url, "EVENTDB_CACHE_SECONDS": cache_seconds}
                server = uvicorn("api.main:create_app", env, factory=True)
                for query, path in queries.ours.items():
                    result = wrk(server.port, path, args.seconds, args.connections)
                    result.peak_rss_mb = server.peak_rss_mb()
                    results[(name, size, query)] = result
                    row(name, f"{size:,}", query, result)
                server.stop()
            if backend == "sqlite":
                database = url.removeprefix("sqlite:///")
                link = Path("db.sqlite3")  # Datasette names a database after its file: /db/…
                link.unlink(missing_ok=True)
                link.symlink_to(database)
                server = Server(
                    [
                        str(BIN / "datasette"),
                        "serve",
                        "-i",
                        str(link),
                        "--port",
                        "{port}",
                        "--setting",
                        "sql_time_limit_ms",
                        "10000",
                    ]
                )
                for query, path in queries.datasette.items():
                    result = wrk(server.port, path, args.seconds, args.connections)
                    result.peak_rss_mb = server.peak_rss_mb()
                    results[("datasette", size, query)] = result
                    row("datasette", f"{size:,}", query, result)
                server.stop()
                link.unlink()

    framework = ceilings["FastAPI constant (ceiling 2)"]
    report("\n## Against the targets\n")
    report(
        "| backend | corpus | query | req/s / Datasette's (≥ 5) | req/s / framework's (≥ 0.5) | p99 / framework's p99 (< 2) | p99 / p99 at smallest corpus (≤ 1.5) |"
    )
    report("| --- | --- | --- | ---: | ---: | ---: | ---: |")
    for (server_name, size, query), result in results.items():
        if server_name == "datasette":
            continue
        peer = results.get(("datasette", size, query))  # the peer serves the SQLite file
        smallest = results.get((server_name, sizes[0], query))
        report(
            f"| {server_name} | {size:,} | {query} | "
            f"{result.requests_per_second / peer.requests_per_second if peer else float('nan'):.2f} | "
            f"{result.requests_per_second / framework.requests_per_second:.2f} | "
            f"{result.p99_ms / framework.p99_ms:.2f} | "
            f"{result.p99_ms / smallest.p99_ms if smallest else float('nan'):.2f} |"
        )
    if loads:
        report("\n## Corpus load times (this run)\n")
        for line in loads:
            report(line)
    # Hand-written notes below the marker survive a new run.
    notes = ""
    if args.out.exists() and NOTES_MARKER in args.out.read_text():
        notes = "\n" + args.out.read_text()[args.out.read_text().index(NOTES_MARKER) :]
    args.out.write_text("\n".join(lines) + "\n" + notes)
    print(f"\nwritten to {args.out}")


if __name__ == "__main__":
    main()
