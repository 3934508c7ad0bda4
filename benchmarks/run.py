"""Benchmark eventdb, uncached first, against Datasette on the same corpus, over realistic mixes.

    .venv/bin/python benchmarks/run.py [--sizes 10000,100000,1000000]
        [--backends sqlite,postgresql,datasette] [--workers 1,CORES] [--seconds 10]
        [--connections 16] [--distinct 2000] [--out benchmarks/RESULTS.md]

For each corpus size it builds (once, then cached) a synthetic corpus with `eventdb synth` in
SQLite (benchmarks/data/synth-N.sqlite3) and in PostgreSQL (database eventdb_bench_N), the same
seed and size in both; a corpus made by another schema or another `synth` is rebuilt. It then
writes, for each of the seven question types, `--distinct` different eventdb URLs with their
Datasette twins (benchmarks/mixes.py), and drives each server with wrk on loopback, each request
drawn from the mix with a Zipf skew (benchmarks/mix.lua): a few popular URLs, a long tail.

At each worker count (one, and the machine's cores, unless --workers says otherwise) it measures:
- eventdb without its response cache (EVENTDB_CACHE_SECONDS=0), on each database, question by
  question and over the mix of all of them: what a new question costs;
- Datasette 0.65 asked the same questions of the SQLite copy, with as many uvicorn workers;
- eventdb with its cache (the default) over the mix of all questions;
- two ceilings of the machine: a bare ASGI app and a FastAPI route returning a constant.
It prints a table of requests/s, p50 and p99 latency, errors, peak RSS per worker (and how much
of it is the worker's own memory, not mapped files), what else loaded the machine meanwhile
(other programs' CPU, and I/O stalls: a corpus read from disk), and the figures against the
targets of issue 8, and writes them to --out above its notes marker (the notes below it are
kept). Needs `wrk` (apt-get install wrk) and Datasette (`make install`); PostgreSQL at
$EVENTDB_BENCH_POSTGRES_URL (default: the local server's Unix socket).
"""

import argparse
import hashlib
import json
import os
import platform
import random
import re
import resource
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory
from mixes import MIX, QUESTIONS, Pool, build_pools, write_mix, zipf_shares
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from api import stored_documents
from api.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks"
DATA = BENCH / "data"
BIN = Path(sys.executable).parent
LUA = BENCH / "mix.lua"
NOTES_MARKER = "<!-- notes: kept by benchmarks/run.py -->"
# PostgreSQL on this machine, over its Unix socket, as a server beside its database connects
# (TCP on loopback costs each statement two more system calls; measured on the 100k corpus,
# statements by speaker, one worker: 300 req/s over TCP, 351 over the socket).
POSTGRES_ADMIN_URL = os.environ.get(
    "EVENTDB_BENCH_POSTGRES_URL",
    "postgresql+psycopg://postgres@/postgres?host=/var/run/postgresql",
)
SEED = 1  # `eventdb synth --seed`: the same in both databases
CORES = os.cpu_count() or 1
# The targets of issue 8.
UNCACHED_RATIO, CACHED_RATIO, P99_MS, P99_GROWTH, RSS_MB = 5.0, 20.0, 50.0, 1.5, 200.0
# A request slower than this, alone on the server, is listed under "Slow answers".
SLOW_MS = 50.0
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

DATASETTE = "Datasette"
# The response cache's default lifetime: the cached rows measure the default configuration.
CACHE_SECONDS = Settings.model_fields["cache_seconds"].default


# Corpora -------------------------------------------------------------------------------------


def corpus_fingerprint() -> dict[str, str]:
    """What a corpus is made by: the schema's migrations, the generator and the code that
    assembles the stored documents. A corpus built by other ones (an older schema, another
    `synth`, documents of another shape) is rebuilt."""
    digest = hashlib.sha256()
    for path in [*sorted((ROOT / "migrations" / "versions").glob("*.py")), ROOT / "api/synth.py"]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    config = Config(toml_file=str(ROOT / "pyproject.toml"))
    head = ScriptDirectory.from_config(config).get_current_head() or ""
    return {
        "revision": head,
        "code": digest.hexdigest()[:16],
        "documents": stored_documents.shape(),
        "seed": str(SEED),
    }


def synth(size: int, url: str) -> float:
    started = time.perf_counter()
    subprocess.run(
        [
            str(BIN / "eventdb"),
            "synth",
            "--statements",
            str(size),
            "--seed",
            str(SEED),
            "--database-url",
            url,
        ],
        check=True,
    )
    return time.perf_counter() - started


def alembic_revision(url: str) -> str | None:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            found = connection.scalar(text("SELECT version_num FROM alembic_version"))
            return str(found) if found is not None else None
    except Exception:  # no table, no database: not a corpus of this schema
        return None
    finally:
        engine.dispose()


def sqlite_corpus(size: int, loads: list[str]) -> Path:
    """The SQLite corpus of `size` statements, built if missing or stale. A marker beside it
    (synth-N.json) names the schema and generator it was built by; written last, so that an
    interrupted build is rebuilt too."""
    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"synth-{size}.sqlite3"
    marker = path.with_suffix(".json")
    expected = {**corpus_fingerprint(), "statements": str(size)}
    url = f"sqlite:///{path}"
    if path.exists() and marker.exists():
        recorded = json.loads(marker.read_text())
        if recorded == expected and alembic_revision(url) == expected["revision"]:
            return path
        print(f"{path.name} was built by another schema or synth: rebuilding it", flush=True)
    for stale in (path, marker, Path(f"{path}-wal"), Path(f"{path}-shm")):
        stale.unlink(missing_ok=True)
    seconds = synth(size, url)
    loads.append(f"- `eventdb synth --statements {size}` into SQLite: {seconds:.1f} s")
    marker.write_text(json.dumps(expected))
    return path


def postgres_corpus(size: int, loads: list[str]) -> str:
    """The PostgreSQL corpus: database eventdb_bench_N, its marker in the database's comment."""
    name = f"eventdb_bench_{size}"
    url = make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    expected = json.dumps({**corpus_fingerprint(), "statements": str(size)}, sort_keys=True)
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            found = connection.execute(
                text(
                    "SELECT shobj_description(oid, 'pg_database') FROM pg_database "
                    "WHERE datname = :name"
                ),
                {"name": name},
            ).first()
            revision = json.loads(expected)["revision"]
            if found is not None and found[0] == expected and alembic_revision(url) == revision:
                return url
            if found is not None:
                print(f"{name} was built by another schema or synth: rebuilding it", flush=True)
                connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        seconds = synth(size, url)
        loads.append(f"- `eventdb synth --statements {size}` into PostgreSQL: {seconds:.1f} s")
        with admin.connect() as connection:
            quoted = expected.replace("'", "''")
            connection.execute(text(f"COMMENT ON DATABASE \"{name}\" IS '{quoted}'"))
    finally:
        admin.dispose()
    return url


def same_corpus(sqlite_path: Path, postgres_url: str) -> None:
    """Refuse to compare PostgreSQL with Datasette on a SQLite file that holds other data."""
    probe = (
        "SELECT (SELECT count(*) FROM statements), (SELECT sum(speaker_id) FROM statements), "
        "(SELECT count(*) FROM events), (SELECT count(*) FROM positions), "
        "(SELECT count(*) FROM participants), (SELECT count(*) FROM mentions)"
    )
    connection = sqlite3.connect(f"file:{sqlite_path}?mode=ro", uri=True)
    ours = tuple(int(v) for v in connection.execute(probe).fetchone())
    connection.close()
    engine = create_engine(postgres_url)
    with engine.connect() as pg:
        row = pg.execute(text(probe)).one()
    engine.dispose()
    theirs = tuple(int(v) for v in row)
    if ours != theirs:
        raise SystemExit(
            f"{sqlite_path} and {postgres_url} hold different corpora: {ours} {theirs}"
        )


# Servers -------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    """A uvicorn (of eventdb, Datasette or a ceiling) on a free port, with its worker processes."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], workers: int) -> None:
        self.name = name
        self.port = free_port()
        logs = DATA / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        self.log = logs / (re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") + ".log")
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                [arg.replace("{port}", str(self.port)) for arg in argv],
                env={**os.environ, **env},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/", timeout=30):
                    pass
                break
            except urllib.error.HTTPError:
                break  # it answers
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(
                        f"{name} did not start:\n{self.log.read_text()[-3000:]}"
                    ) from None
                time.sleep(0.2)
        # The first answer came from one worker: give the others time to start too.
        while workers > 1 and len(self.workers()) < workers and time.monotonic() < deadline:
            time.sleep(0.2)
        if workers > 1:
            time.sleep(2)

    def workers(self) -> list[int]:
        """The processes that answer requests: uvicorn's spawned workers, or itself alone."""
        pid = self.process.pid
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            return [pid]
        spawned = []
        for child in children:
            try:
                if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes():
                    spawned.append(int(child))
            except OSError:
                continue
        return spawned or [pid]

    def pids(self) -> list[int]:
        """Its processes: uvicorn, and every process it started."""
        pid = self.process.pid
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            children = []
        return [pid, *(int(child) for child in children)]

    def peak_rss_mb(self) -> float:
        """The largest peak resident set (VmHWM) of its workers."""
        return self._largest("VmHWM")

    def anonymous_rss_mb(self) -> float:
        """The largest resident memory of its own (RssAnon) of its workers, now: the resident
        set without the pages of files it maps, such as a SQLite file read through mmap, which
        are the OS's file cache, shared by every process that reads the file."""
        return self._largest("RssAnon")

    def _largest(self, field: str) -> float:
        found = [0.0]
        for pid in self.workers():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            value = re.search(rf"{field}:\s+(\d+) kB", status)
            if value:
                found.append(int(value.group(1)) / 1024)
        return max(found)

    def stop(self) -> None:
        workers = self.workers() if self.process.poll() is None else []
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for pid in workers:  # only the processes this server started
            if pid != self.process.pid and Path(f"/proc/{pid}").exists():
                os.kill(pid, signal.SIGKILL)


def uvicorn_argv(app: str, workers: int) -> list[str]:
    """What `eventdb serve` runs: uvicorn with uvloop and httptools, `workers` processes."""
    return [
        str(BIN / "uvicorn"),
        app,
        "--host",
        "127.0.0.1",
        "--port",
        "{port}",
        "--workers",
        str(workers),
        "--loop",
        "uvloop",
        "--http",
        "httptools",
        "--no-access-log",
        "--log-level",
        "warning",
    ]


@contextmanager
def serving(
    run: "Run", name: str, argv: list[str], env: dict[str, str], workers: int
) -> Iterator[Server | None]:
    """A server for some rows; None (and a line under "Problems") if it does not start."""
    print(f"\n{name}", flush=True)
    try:
        server = Server(name, argv, env, workers)
    except RuntimeError as error:
        print(error, flush=True)
        log = str(error).splitlines()[-1] if str(error).strip() else ""
        run.problems.append(f"- {name} did not start: `{log[:300]}`")
        yield None
        return
    try:
        yield server
    finally:
        server.stop()


def eventdb_argv(workers: int) -> list[str]:
    """`eventdb serve` as deployed; --no-seed, since a synthetic corpus is not the seed files."""
    return [
        str(BIN / "eventdb"),
        "serve",
        "--no-seed",
        "--host",
        "127.0.0.1",
        "--port",
        "{port}",
        "--workers",
        str(workers),
        "--no-access-log",  # as the other servers here
    ]


# Measuring ---------------------------------------------------------------------------------------


@dataclass
class Result:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int
    peak_rss_mb: float
    anonymous_rss_mb: float
    distinct: int
    # Share of the requests for a URL the row had asked before: the most a cache could answer.
    repeated: float
    kb_per_answer: float
    # Share of the machine's CPU time that processes other than the server, its database and
    # wrk used while the row was measured: another program at work lowers the figures.
    others_cpu: float
    # Share of the row's time during which some task of the machine waited on I/O: a server
    # reading its database from disk (a page cache too small for the corpus) answers slower.
    io_stalled: float


def machine_busy_seconds() -> float:
    """CPU time spent by the whole machine, every core, since boot."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in fields[:8])
    return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS


def io_stalled_seconds() -> float:
    """Time during which some task of the machine waited on I/O, since boot (Linux's pressure
    stall information; 0 where the kernel keeps none)."""
    try:
        some = Path("/proc/pressure/io").read_text().split("\n", 1)[0]
    except OSError:
        return 0.0
    return int(some.rsplit("total=", 1)[1]) / 1e6


def process_seconds(pids: set[int]) -> dict[int, float]:
    """CPU time spent by each process (user and system), by pid."""
    found = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        found[pid] = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    return found


def postgres_pids(url: str | None) -> set[int]:
    """The PostgreSQL processes that serve the database of `url` (none without one)."""
    if url is None:
        return set()
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid()"
                )
            )
            return {int(pid) for (pid,) in rows}
    finally:
        engine.dispose()


@dataclass(frozen=True)
class Key:
    server: str  # DATASETTE, "eventdb sqlite", "eventdb postgresql"
    cached: bool
    workers: int
    size: int
    question: str  # one of QUESTIONS, or MIX


@dataclass
class Run:
    args: argparse.Namespace
    results: dict[Key, Result] = field(default_factory=dict)
    ceilings: dict[tuple[str, int], Result] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    slow: list[tuple[float, str, str]] = field(default_factory=list)
    loads: list[str] = field(default_factory=list)
    pools: dict[int, list[Pool]] = field(default_factory=dict)


# What wrk counts as failed: answers other than 2xx or 3xx, and socket errors.
ERRORS = ("status_errors", "connect_errors", "read_errors", "write_errors", "timeouts")


def children_seconds() -> float:
    """CPU time of the finished children of this process (the wrk runs)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def wrk(
    port: int,
    urls: Path,
    seconds: int,
    connections: int,
    threads: int,
    args: argparse.Namespace,
    seed: int,
) -> dict[str, int]:
    out = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "30s",
            "-s",
            str(LUA),
            f"http://127.0.0.1:{port}",
            "--",
            str(urls),
            str(args.zipf),
            str(seed),
            args.accept_encoding,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next((line for line in out.splitlines() if line.startswith("BENCH ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no BENCH line:\n{out}")
    return {name: int(value) for name, value in re.findall(r"(\w+)=(\d+)", line)}


def check(run: Run, port: int, label: str, urls: list[str], timed: bool) -> None:
    """After a row, ask a sample of its URLs one at a time, on the warm server: each must answer
    200 (else it is listed under "Problems"); with `timed`, one slower than SLOW_MS twice in a
    row is listed under "Slow answers"."""
    rng = random.Random(label)
    sample = urls[:10] + rng.sample(urls[10:], min(30, max(0, len(urls) - 10)))
    for path in sample:
        fastest = float("inf")
        for _ in range(2):
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=60) as answer:
                    answer.read()
            except urllib.error.HTTPError as error:
                body = error.read()[:300].decode(errors="replace").replace("\n", " ")
                run.problems.append(f"- {label}: `{path}` answered {error.code}: {body}")
                break
            except OSError as error:
                run.problems.append(f"- {label}: `{path}` failed: {error}")
                break
            fastest = min(fastest, (time.perf_counter() - started) * 1000)
            if not timed or fastest <= SLOW_MS:
                break
        if timed and SLOW_MS < fastest < float("inf"):
            run.slow.append((fastest, label, path))


def corpus_files(url: str) -> list[Path]:
    """The files that hold a corpus: its SQLite file, or its PostgreSQL database's directory."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return [Path(parsed.database or "")]
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            directory, oid = connection.execute(
                text(
                    "SELECT current_setting('data_directory'), oid FROM pg_database "
                    "WHERE datname = current_database()"
                )
            ).one()
    finally:
        engine.dispose()
    return sorted(Path(directory, "base", str(oid)).iterdir())


def read_into_page_cache(url: str) -> None:
    """Read a corpus's files once before a server's rows, so that they measure the server and
    not the disk. This VM's page cache holds 6 to 8 GB: the 1M SQLite file (4.0 GB), which
    Datasette and eventdb's SQLite rows read, and PostgreSQL's 1M database (3.6 GB) evict each
    other, and two rows of PostgreSQL at 1M waited on the disk for 84% and 95% of their time.
    What a row still reads from disk, its column "I/O stalls" says."""
    try:
        for path in corpus_files(url):
            with path.open("rb") as corpus:
                while corpus.read(1 << 20):
                    pass
    except OSError as error:  # another user's files: the rows say what they read from disk
        print(f"  could not read {url}'s files into the page cache: {error}", flush=True)


def warm_up(run: Run, server: Server | None, urls: Path) -> None:
    """A new server asked the mix of all questions for a while, unmeasured: the first row of a
    PostgreSQL server on the 1M corpus read its pages from disk (p99 of 931 and 1,960 ms in two
    runs, where its other rows stay under 100), and the first row of any server prepared its
    statements."""
    if server is not None and run.args.server_warmup > 0:
        args = run.args
        wrk(
            server.port,
            urls,
            args.server_warmup,
            args.connections,
            args.threads,
            args,
            args.seed + 2,
        )


def measure(
    run: Run,
    server: Server,
    label: str,
    urls: Path,
    sample: list[str],
    timed: bool = True,
    postgres: str | None = None,
) -> Result:
    """A row: warm-up, then wrk over the mix in `urls`, then `check` on a sample of it. With
    `postgres` (the database's URL), the CPU time of its server processes counts as the row's."""
    args = run.args
    if args.warmup > 0:  # other draws than the measured ones (a cache must not see them first)
        wrk(server.port, urls, args.warmup, args.connections, args.threads, args, args.seed + 1)
    ours = set(server.pids()) | postgres_pids(postgres)
    before = process_seconds(ours)
    busy_before, wrk_before = machine_busy_seconds(), children_seconds()
    stalled_before = io_stalled_seconds()
    started = time.monotonic()
    stats = wrk(server.port, urls, args.seconds, args.connections, args.threads, args, args.seed)
    wall = time.monotonic() - started
    ours |= set(server.pids()) | postgres_pids(postgres)
    after = process_seconds(ours)
    used = sum(after[pid] - before.get(pid, 0.0) for pid in after)
    used += children_seconds() - wrk_before
    others = max(0.0, machine_busy_seconds() - busy_before - used) / (wall * CORES)
    stalled = (io_stalled_seconds() - stalled_before) / wall
    check(run, server.port, label, sample, timed)
    requests = max(stats["requests"], 1)
    errors = sum(stats[name] for name in ERRORS)
    if errors:
        run.problems.append(
            f"- {label}: {errors:,} of {requests:,} requests failed under load (the server's "
            f"log: {server.log.relative_to(ROOT)})"
        )
    result = Result(
        requests_per_second=stats["requests"] / (stats["duration_us"] / 1e6),
        p50_ms=stats["p50_us"] / 1000,
        p99_ms=stats["p99_us"] / 1000,
        errors=errors,
        peak_rss_mb=server.peak_rss_mb(),
        anonymous_rss_mb=server.anonymous_rss_mb(),
        distinct=stats["distinct"],
        repeated=stats["repeats"] / requests,
        kb_per_answer=stats["bytes"] / requests / 1024,
        others_cpu=others,
        io_stalled=stalled,
    )
    print(
        f"  {label}: {result.requests_per_second:,.0f} req/s, p50 {result.p50_ms:.2f} ms, "
        f"p99 {result.p99_ms:.2f} ms, {result.errors} errors, {result.distinct} distinct URLs, "
        f"others' CPU {others:.0%}, I/O stalls {stalled:.0%}",
        flush=True,
    )
    return result


# The run ---------------------------------------------------------------------------------------


def measure_size(run: Run, size: int, backends: list[str], workers_counts: list[int]) -> None:
    args = run.args
    sqlite_path = sqlite_corpus(size, run.loads)
    urls = {"sqlite": f"sqlite:///{sqlite_path}"}
    if "postgresql" in backends:
        urls["postgresql"] = postgres_corpus(size, run.loads)
        same_corpus(sqlite_path, urls["postgresql"])
    pools = run.pools[size] = build_pools(sqlite_path, args.distinct, args.seed)
    mixes = DATA / "mixes" / str(size)
    files: dict[tuple[str, str], Path] = {}
    for pool in pools:
        slug = re.sub(r"\W+", "-", pool.question)
        files[("ours", pool.question)] = write_mix(mixes / f"{slug}.txt", [pool.ours])
        files[("datasette", pool.question)] = write_mix(
            mixes / f"{slug}.datasette.txt", [pool.datasette]
        )
    files[("ours", MIX)] = write_mix(mixes / "mix.txt", [pool.ours for pool in pools])
    files[("datasette", MIX)] = write_mix(
        mixes / "mix.datasette.txt", [pool.datasette for pool in pools]
    )

    def samples(side: str) -> dict[str, list[str]]:
        found = {p.question: p.ours if side == "ours" else p.datasette for p in pools}
        found[MIX] = [url for p in pools for url in (p.ours if side == "ours" else p.datasette)[:5]]
        return found

    for workers in workers_counts:
        if "datasette" in backends:
            link = BENCH / "db.sqlite3"  # Datasette names a database after its file: /db/…
            link.unlink(missing_ok=True)
            link.symlink_to(sqlite_path)
            read_into_page_cache(urls["sqlite"])
            try:
                with serving(
                    run,
                    f"Datasette {size:,} {workers} workers",
                    uvicorn_argv("datasette_app:app", workers),
                    {"EVENTDB_BENCH_DATASETTE_FILE": str(link)},
                    workers,
                ) as server:
                    warm_up(run, server, files[("datasette", MIX)])
                    for question, sample in samples("datasette").items():
                        if server is None:
                            break
                        key = Key(DATASETTE, False, workers, size, question)
                        label = f"{DATASETTE} ({workers} w), {size:,}, {question}"
                        run.results[key] = measure(
                            run, server, label, files[("datasette", question)], sample, False
                        )
            finally:
                link.unlink(missing_ok=True)
        for backend in (b for b in ("sqlite", "postgresql") if b in backends):
            name = f"eventdb {backend}"
            for cached in (False, True):
                env = {
                    "EVENTDB_DATABASE_URL": urls[backend],
                    "EVENTDB_CACHE_SECONDS": str(CACHE_SECONDS if cached else 0),
                }
                questions = samples("ours") if not cached else {MIX: samples("ours")[MIX]}
                state = "cache" if cached else "no cache"
                read_into_page_cache(urls[backend])
                with serving(
                    run,
                    f"{name} {state} {size:,} {workers} workers",
                    eventdb_argv(workers),
                    env,
                    workers,
                ) as server:
                    if not cached:  # a cache would keep what the warm-up asked
                        warm_up(run, server, files[("ours", MIX)])
                    for question, sample in questions.items():
                        if server is None:
                            break
                        label = f"{name}, {state} ({workers} w), {size:,}, {question}"
                        run.results[Key(name, cached, workers, size, question)] = measure(
                            run,
                            server,
                            label,
                            files[("ours", question)],
                            sample,
                            timed=not cached,
                            postgres=urls[backend] if backend == "postgresql" else None,
                        )


def measure_ceilings(run: Run, workers_counts: list[int]) -> None:
    urls = write_mix(DATA / "mixes" / "ceiling.txt", [["/"]])
    for workers in workers_counts:
        for name, app in (
            ("bare ASGI", "baselines:bare"),
            ("FastAPI constant", "baselines:framework"),
        ):
            with serving(
                run, f"{name} {workers} workers", uvicorn_argv(app, workers), {}, workers
            ) as server:
                if server:
                    label = f"{name} ({workers} w)"
                    run.ceilings[(name, workers)] = measure(run, server, label, urls, ["/"], False)


# The report ------------------------------------------------------------------------------------


def mark(ok: bool) -> str:
    return "✓" if ok else "✗"


def report(run: Run, sizes: list[int], backends: list[str], workers_counts: list[int]) -> str:
    args = run.args
    ours = [f"eventdb {b}" for b in ("sqlite", "postgresql") if b in backends]
    servers = ([DATASETTE] if "datasette" in backends else []) + ours
    lines: list[str] = []
    add = lines.append
    command = " ".join([".venv/bin/python", "benchmarks/run.py", *sys.argv[1:]])
    top, ten, half, most = zipf_shares(args.distinct, args.zipf)
    add("# Benchmark results\n")
    add(
        f"`{command}`, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {cpu_model()}, "
        f"{CORES} cores shared by wrk and the server. wrk {args.threads} thread(s), "
        f"{args.connections} connections, {args.seconds:g} s per row after {args.warmup:g} s of "
        f"warm-up (and {args.server_warmup:g} s of the mix of all questions for each new server "
        f"without a cache, before its first row), on loopback. Each row asks a mix of {args.distinct:,} distinct URLs per "
        f"question type, drawn with a Zipf skew (exponent {args.zipf:g}: the most popular URL "
        f"gets {top:.0%} of a type's requests, the top ten {ten:.0%}; {half:,} URLs make half of "
        f'them, {most:,} nine tenths); "distinct" is how many of them a row asked. '
        f"eventdb runs as `eventdb serve` runs it (uvicorn, uvloop, httptools, `--workers N`), "
        f"without serve's first step, which on SQLite loads seed/ into the database and refuses "
        f"a synthetic corpus; "
        f"Datasette {version('datasette')} under the same uvicorn with as many workers, on the "
        f"SQLite copy of each corpus (PostgreSQL rows are compared with it). {versions()}\n"
    )

    everything = [*run.results.values(), *run.ceilings.values()]
    busiest = max((r.others_cpu for r in everything), default=0.0)
    if busiest > 0.05:
        add(
            f"**Other programs were at work during this run**: they used up to {busiest:.0%} of "
            "the machine's CPU time while a row was measured (column \"others' CPU\": what "
            "neither the server, nor its database, nor wrk used). Those rows understate every "
            "server; compare rows measured alike, or rerun on a quiet machine.\n"
        )

    stalled = max((r.io_stalled for r in everything), default=0.0)
    if stalled > 0.1:
        add(
            f"**Rows read from disk during this run**: some task waited on I/O for up to "
            f"{stalled:.0%} of a row's time (column \"I/O stalls\", Linux's pressure stall "
            "information): the machine's page cache did not hold the corpus that row read. "
            "Those rows understate their server; compare rows measured alike.\n"
        )

    def row(server: str, workers: int, size: int, question: str, r: Result) -> str:
        return (
            f"| {server} | {workers} | {size:,} | {question} | {r.requests_per_second:,.0f} | "
            f"{r.p50_ms:.2f} | {r.p99_ms:.2f} | {r.errors} | {r.peak_rss_mb:.0f} | "
            f"{r.anonymous_rss_mb:.0f} | {r.distinct:,} | {r.repeated:.0%} | {r.kb_per_answer:.1f} | {r.others_cpu:.0%} | "
            f"{r.io_stalled:.0%} |"
        )

    header = (
        "| server | workers | statements | question | req/s | p50 ms | p99 ms | errors | "
        "peak RSS per worker, MB | of it anonymous, at the end, MB | distinct URLs asked | "
        "asked before | KB per answer | others' CPU | I/O stalls |\n"
        "| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
        "| ---: | ---: |"
    )
    add("## Uncached: every request runs its SQL (EVENTDB_CACHE_SECONDS=0)\n")
    add(header)
    for size in sizes:
        for workers in workers_counts:
            for server in servers:
                for question in (*QUESTIONS, MIX):
                    found = run.results.get(Key(server, False, workers, size, question))
                    if found:
                        add(row(server, workers, size, question, found))
    add("\n## Cached: eventdb's response cache on (the default), the mix of all questions\n")
    add(
        '"Asked before" is the share of a row\'s requests for a URL it had already asked: the '
        "most a cache could answer (each worker keeps a cache of its own, bounded in size, and "
        "starts the row with what the warm-up left in it).\n"
    )
    add(header)
    for size in sizes:
        for workers in workers_counts:
            for server in servers:
                cached = server != DATASETTE
                found = run.results.get(Key(server, cached, workers, size, MIX))
                if found:
                    name = server + (", cache" if cached else " (no cache)")
                    add(row(name, workers, size, MIX, found))
    lines.extend(targets(run, sizes, ours, workers_counts))
    if run.ceilings:
        add("\n## Ceilings of this machine (a fixed answer)\n")
        add(header)
        for (name, workers), r in run.ceilings.items():
            add(row(name, workers, 0, "fixed answer", r).replace("| 0 |", "| - |", 1))
    add("\n## The questions\n")
    add(
        "Each question type is a pool of distinct URLs (benchmarks/mixes.py), ranked by how "
        "people would ask them: popular speakers and recent dates more often; plain lists, "
        "newest first, a day, week, month or year of them, several values at once. Datasette is "
        "asked each one's twin on the same SQLite file, for the same rows: the same filters on "
        "its table JSON API (`_shape=array`, 50 rows, by `sort_date`; actors by id where eventdb "
        "takes a slug or a name; a date range as the same overlap of periods, in `_where`; `q` "
        "as FTS5 prefix queries, with the full-text tables named in its metadata, which it "
        "would not find by itself), the timeline in SQL (it has no merged list), a deep page "
        "with `_next`. Newest first, Datasette breaks ties of a day by id ascending, eventdb "
        "descending. The most popular URL of each, at the largest size:\n"
    )
    if sizes:
        for pool in run.pools.get(sizes[-1], []):
            add(f"- {pool.question}: `{pool.ours[0]}` and `{pool.datasette[0]}`")
    if run.problems:
        add("\n## Problems: answers other than 200 (a sample of each row's URLs, one at a time)\n")
        lines.extend(dict.fromkeys(run.problems))
    if run.slow:
        add(
            f"\n## Slow answers: over {SLOW_MS:g} ms alone, twice (a sample of each uncached "
            "eventdb row's URLs, asked one at a time after the row), slowest first\n"
        )
        for ms, label, path in sorted(run.slow, reverse=True)[:40]:
            add(f"- {ms:.0f} ms: {label}: `{path}`")
        if len(run.slow) > 40:
            add(f"- … and {len(run.slow) - 40} more")
    if run.loads:
        add("\n## Corpora built in this run\n")
        lines.extend(run.loads)
    return "\n".join(lines) + "\n"


def targets(run: Run, sizes: list[int], ours: list[str], workers_counts: list[int]) -> list[str]:
    """The figures against issue 8's targets, with ✓ or ✗."""
    lines = ["\n## Against the targets\n"]
    largest, smallest = sizes[-1], sizes[0]
    met = missed = 0

    def judged(value: float, ok: bool) -> str:
        nonlocal met, missed
        met, missed = met + ok, missed + (not ok)
        return f"{value:.2f} {mark(ok)}"

    ratio_columns = " | ".join(f"÷ Datasette at {size:,}" for size in sizes)
    growth = f"p99 at {largest:,} ÷ p99 at {smallest:,} (≤ {P99_GROWTH:g})"
    growing = (
        f", p99 growing ≤ {P99_GROWTH:g}x from {smallest:,} to {largest:,}"
        if largest != smallest
        else ""
    )
    lines.append(
        f"Uncached, every question ≥ {UNCACHED_RATIO:g}x Datasette's req/s (the issue names 100k "
        f"and 1M; aim: 10x), p99 ≤ {P99_MS:g} ms at {largest:,}{growing}; the cached mix "
        f"≥ {CACHED_RATIO:g}x Datasette's on the same mix; peak RSS per worker < {RSS_MB:g} MB.\n"
    )
    lines.append(
        f"| eventdb | workers | question | {ratio_columns} | p99 ms at {largest:,} "
        f"(≤ {P99_MS:g}) | {growth} |"
    )
    lines.append("| --- | ---: | --- |" + " ---: |" * (len(sizes) + 2))
    for server in ours:
        for workers in workers_counts:
            for question, cached in [*((q, False) for q in (*QUESTIONS, MIX)), (MIX, True)]:
                cells = []
                for size in sizes:
                    mine = run.results.get(Key(server, cached, workers, size, question))
                    peer = run.results.get(Key(DATASETTE, False, workers, size, question))
                    if mine and peer and peer.requests_per_second > 0:
                        ratio = mine.requests_per_second / peer.requests_per_second
                        cells.append(
                            judged(ratio, ratio >= (CACHED_RATIO if cached else UNCACHED_RATIO))
                        )
                    else:
                        cells.append("")
                at_largest = run.results.get(Key(server, cached, workers, largest, question))
                at_smallest = run.results.get(Key(server, cached, workers, smallest, question))
                if not cells and not at_largest:
                    continue
                p99 = growth_cell = ""
                if at_largest and not cached:
                    p99 = judged(at_largest.p99_ms, at_largest.p99_ms <= P99_MS)
                    if at_smallest and largest != smallest and at_smallest.p99_ms > 0:
                        g = at_largest.p99_ms / at_smallest.p99_ms
                        growth_cell = judged(g, g <= P99_GROWTH)
                name = question + (", cached" if cached else "")
                lines.append(
                    f"| {server} | {workers} | {name} | {' | '.join(cells)} | {p99} | {growth_cell} |"
                )
    peaks = [r.peak_rss_mb for k, r in run.results.items() if k.server != DATASETTE]
    if peaks:
        lines.append(
            f"\nPeak RSS per eventdb worker, largest of every row: {judged(max(peaks), max(peaks) < RSS_MB)} MB."
        )
        anonymous = max(r.anonymous_rss_mb for k, r in run.results.items() if k.server != DATASETTE)
        lines.append(
            f"Of it the worker's own (anonymous) memory, largest at the end of any row: "
            f"{anonymous:.0f} MB; the rest is mapped file pages (SQLite's mmap, the code), shared."
        )
    lines.append(f"\n**{met} of {met + missed} figures meet their target.**")
    return lines


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.machine()


def versions() -> str:
    parts = [f"Python {platform.python_version()}", f"SQLite {sqlite3.sqlite_version}"]
    parts += [f"{name} {version(name)}" for name in ("uvicorn", "uvloop", "httptools")]
    wrk_version = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout
    found = re.search(r"wrk (\S+)", wrk_version)
    if found:
        parts.append(f"wrk {found.group(1)}")
    return "Versions: " + ", ".join(parts) + "."


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument(
        "--backends",
        default="sqlite,postgresql,datasette",
        help="eventdb's databases to measure, and `datasette` for the peer",
    )
    parser.add_argument(
        "--workers",
        default=f"1,{CORES}",
        help="worker counts to measure, each separately (default: one, and the machine's cores)",
    )
    parser.add_argument(
        "--seconds", type=int, default=10, help="per row (whole seconds, as wrk takes)"
    )
    parser.add_argument(
        "--warmup", type=int, default=1, help="seconds of warm-up per row (0: none)"
    )
    parser.add_argument(
        "--server-warmup",
        type=int,
        default=5,
        help="seconds of the mix of all questions asked of each new uncached server before its "
        "first row (0: none): its first row is then not the one that fills the database's cache",
    )
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument(
        "--distinct", type=int, default=2000, help="distinct URLs per question type (≥ 1000)"
    )
    parser.add_argument("--zipf", type=float, default=1.0, help="exponent of the skew")
    parser.add_argument("--seed", type=int, default=1, help="of the URLs and of their draws")
    parser.add_argument(
        "--accept-encoding",
        default="",
        help="Accept-Encoding header to send (e.g. gzip); default none, as curl",
    )
    parser.add_argument("--no-ceilings", action="store_true", help="skip the two ceilings")
    parser.add_argument("--out", type=Path, default=BENCH / "RESULTS.md")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")
    sizes = sorted(int(s) for s in args.sizes.split(","))
    backends = [b.strip() for b in args.backends.split(",")]
    unknown = set(backends) - {"sqlite", "postgresql", "datasette"}
    if unknown:
        sys.exit(f"unknown backends: {', '.join(sorted(unknown))}")
    if "datasette" in backends and not (BIN / "datasette").exists():
        sys.exit("Datasette is needed: make install")
    if args.distinct < 1000:
        print("note: fewer than 1,000 distinct URLs per question type", flush=True)
    workers_counts = list(dict.fromkeys(int(w) for w in args.workers.split(",")))
    os.chdir(BENCH)  # uvicorn imports baselines and datasette_app from here
    run = Run(args)
    if not args.no_ceilings:
        measure_ceilings(run, workers_counts)
    for size in sizes:
        measure_size(run, size, backends, workers_counts)
    text_ = report(run, sizes, backends, workers_counts)
    print("\n" + text_)
    # Hand-written notes below the marker survive a new run.
    notes = ""
    if args.out.exists() and NOTES_MARKER in args.out.read_text():
        old = args.out.read_text()
        notes = "\n" + old[old.index(NOTES_MARKER) :]
    else:
        notes = "\n" + NOTES_MARKER + "\n"
    args.out.write_text(text_ + notes)
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
