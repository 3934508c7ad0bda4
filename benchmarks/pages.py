"""How long the reading room's pages take, beside the JSON answers they are built from.

    .venv/bin/python benchmarks/pages.py [--sizes 100000] [--repeat 30]

Each page lists the API requests behind it (its "This page in the API" box), so the baseline of
a page is those JSON answers, asked one after the other in the same run of the same process: the
difference is what the page itself adds (the marks, the drawing, the template). Both are asked
without the response cache, through the app in this process (no network), on the seed and on
each synthetic corpus of --sizes (SQLite; built by benchmarks/run.py's `sqlite_corpus`, cached
in benchmarks/data). It prints the median and the maximum over --repeat requests, after one
warm-up request each: of the page's time to answer, and of the sum of its JSON answers' times,
both timed by the client in this process.
"""

import argparse
import asyncio
import html
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import httpx
from run import ROOT, sqlite_corpus

from api.main import create_app
from api.settings import Settings

BIN = Path(sys.executable).parent


def seeded_database(folder: Path) -> Path:
    path = folder / "seed.sqlite3"
    subprocess.run(
        [BIN / "eventdb", "seed", "--database-url", f"sqlite:///{path}"], check=True, cwd=ROOT
    )
    return path


async def first_slug(client: httpx.AsyncClient, path: str, query: str = "") -> str:
    answer = await client.get(f"{path}?limit=1{query}")
    answer.raise_for_status()
    return str(answer.json()["items"][0]["slug"])


async def busiest_actor(client: httpx.AsyncClient) -> str:
    """The actor in the most events: the longest actor page."""
    answer = await client.get("/events?facets=actor&limit=1")
    answer.raise_for_status()
    return str(answer.json()["facets"]["actor"]["values"][0]["value"])


async def pages(client: httpx.AsyncClient) -> list[str]:
    """A page of each kind, on whatever this database holds."""
    first = await client.get("/statements?limit=1")
    first.raise_for_status()
    article = quote(first.json()["items"][0]["evidence"]["source"]["slug"])
    actor = quote(await busiest_actor(client))
    event = quote(await first_slug(client, "/events"))
    return [
        "/",
        "/read/sources",
        f"/read/sources/{article}",
        f"/read/actors/{actor}",
        f"/read/events/{event}",
        "/read/statements",
        "/read/statements?q=proposal",
        "/read/events",
        "/read/positions",
        "/read/actors",
        "/read/timeline",
    ]


CURL = re.compile(r'<code id="curl-\d+">(.*?)</code>', re.DOTALL)
URL = re.compile(r"curl 'http://[^/]+(/[^']*)'")


def api_calls(page: str) -> list[str]:
    """The API requests a page says it is built from (each once: the box repeats the first)."""
    commands = [html.unescape(code) for code in CURL.findall(page)]
    return list(dict.fromkeys(path for command in commands for path in URL.findall(command)))


async def answer_ms(client: httpx.AsyncClient, url: str) -> tuple[float, str]:
    """The time to answer, as this process's client sees it (the same way for pages and JSON:
    through every middleware), and the answer's text."""
    started = time.perf_counter()
    answer = await client.get(url)
    elapsed = (time.perf_counter() - started) * 1000
    if answer.status_code != 200:
        raise SystemExit(f"{url}: {answer.status_code} {answer.text[:300]}")
    return elapsed, answer.text


async def measure(database: Path, label: str, repeat: int) -> None:
    settings = Settings(database_url=f"sqlite:///{database}", cache_seconds=0)
    transport = httpx.ASGITransport(app=create_app(settings))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        print(f"\n{label}: ms to answer, median / max of {repeat}", flush=True)
        print(f"{'page':<48}{'page':>16}{'its JSON answers':>22}")
        for page in await pages(client):
            _, text = await answer_ms(client, page)  # warm: statements prepared, pages cached
            calls = api_calls(text)
            for call in calls:
                await answer_ms(client, call)
            page_times, json_times = [], []
            for _ in range(repeat):
                page_times.append((await answer_ms(client, page))[0])
                json_times.append(sum([(await answer_ms(client, call))[0] for call in calls]))
            figures = [
                f"{statistics.median(times):7.1f} / {max(times):6.1f}"
                for times in (page_times, json_times)
            ]
            shown = page if len(page) <= 46 else page[:45] + "…"
            print(f"{shown:<48}{figures[0]:>16}{figures[1]:>16} ({len(calls)})", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100000", help="synthetic corpus sizes, or ''")
    parser.add_argument("--repeat", type=int, default=30)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(measure(seeded_database(Path(folder)), "the seed", arguments.repeat))
    for size in [int(size) for size in arguments.sizes.split(",") if size]:
        corpus = sqlite_corpus(size, [])
        asyncio.run(measure(corpus, f"synthetic corpus of {size} statements", arguments.repeat))


if __name__ == "__main__":
    main()
