"""What one URL costs through the whole app, in this process: no network, no response cache.

    .venv/bin/python benchmarks/one_url.py DATABASE_URL PATH [--requests 100] [--profile]

e.g. `benchmarks/one_url.py sqlite:///benchmarks/data/synth-1000000.sqlite3
'/statements?speaker=actor-1-rulite-bada&from=2023-05-01&to=2023-05-07'`. It calls the ASGI app
directly, after 10 warm-up requests, and prints the mean time per request; `--profile` then
prints where a second round of requests spent its time (cProfile, by own time). For the cost of
a question under load, beside Datasette, use benchmarks/run.py.
"""

import argparse
import asyncio
import cProfile
import pstats
import time

from in_process import get

from api.main import create_app
from api.settings import Settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database_url")
    parser.add_argument("path", help="path and query, e.g. '/statements?speaker=blinken'")
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    app = create_app(Settings(database_url=args.database_url, cache_seconds=0))

    async def request() -> int:
        return (await get(app, args.path)).status

    async def run() -> None:
        status = await request()
        if status != 200:
            raise SystemExit(f"{args.path} answered {status}")
        for _ in range(10):
            await request()
        started = time.perf_counter()
        for _ in range(args.requests):
            await request()
        per_request = (time.perf_counter() - started) / args.requests * 1000
        print(f"{args.path}: {per_request:.1f} ms per request (mean of {args.requests})")
        if args.profile:
            profile = cProfile.Profile()
            profile.enable()
            for _ in range(args.requests):
                await request()
            profile.disable()
            pstats.Stats(profile).sort_stats("tottime").print_stats(30)

    asyncio.run(run())


if __name__ == "__main__":
    main()
