"""What each question of the benchmark costs through the whole app, in this process.

    .venv/bin/python benchmarks/questions.py DATABASE_URL [--corpus FILE] [--urls 300]
        [--question WORDS] [--profile]

e.g. `benchmarks/questions.py sqlite:///benchmarks/data/synth-1000000.sqlite3`. It draws the
benchmark's URLs (benchmarks/mixes.py) from the SQLite corpus (`--corpus`, default: the
database itself, when it is SQLite; give the SQLite copy of a PostgreSQL corpus), asks the
`--urls` most popular of each question once, one at a time, through the ASGI app without the
response cache or the network, and prints the milliseconds per request (mean, p50, p99, max),
the answers' size, and the process's peak resident memory at the end. `--profile` prints where
the time of each question went (cProfile, by own time). Without wrk's concurrency it measures
cost, not throughput: use benchmarks/run.py for that; for one URL, benchmarks/one_url.py.
"""

import argparse
import asyncio
import cProfile
import gc
import pstats
import re
import time
from pathlib import Path

from in_process import get
from mixes import build_pools
from sqlalchemy.engine import make_url

from api.main import create_app
from api.settings import Settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database_url")
    parser.add_argument("--corpus", type=Path, help="the SQLite corpus to draw the URLs from")
    parser.add_argument("--urls", type=int, default=300, help="per question")
    parser.add_argument("--question", help="only the questions whose name holds these words")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    corpus = args.corpus or Path(make_url(args.database_url).database or "")
    pools = build_pools(corpus, 2000, 1)
    app = create_app(Settings(database_url=args.database_url, cache_seconds=0))
    gc.collect()
    gc.freeze()  # as a served worker does (api.main)

    async def run() -> None:
        for pool in pools:
            if args.question and args.question not in pool.question:
                continue
            urls = pool.ours[: args.urls]
            for url in urls[:5]:  # the statements of each shape, compiled and prepared
                await get(app, url)
            profile = cProfile.Profile() if args.profile else None
            times, sizes = [], []
            if profile:
                profile.enable()
            for url in urls:
                started = time.perf_counter()
                answer = await get(app, url)
                times.append((time.perf_counter() - started) * 1000)
                sizes.append(answer.bytes)
                if answer.status != 200:
                    print(f"  {url} answered {answer.status}")
            if profile:
                profile.disable()
            times.sort()
            print(
                f"{pool.question:30} mean {sum(times) / len(times):6.2f}"
                f"  p50 {times[len(times) // 2]:6.2f}  p99 {times[int(len(times) * 0.99)]:7.2f}"
                f"  max {times[-1]:7.2f} ms  {sum(sizes) / len(sizes) / 1024:5.1f} KB"
            )
            if profile:
                pstats.Stats(profile).sort_stats("tottime").print_stats(25)

    asyncio.run(run())
    status = Path("/proc/self/status").read_text()
    memory = {k: int(v) // 1024 for k, v in re.findall(r"(VmHWM|RssAnon|RssFile):\s+(\d+)", status)}
    print(
        f"peak RSS {memory['VmHWM']} MB; at the end: {memory['RssAnon']} MB anonymous, "
        f"{memory['RssFile']} MB of mapped files"
    )


if __name__ == "__main__":
    main()
