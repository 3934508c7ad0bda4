"""The one settings object: every knob comes from the environment (EVENTDB_*) or a CLI flag."""

import os
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="EVENTDB_")

    database_url: str = "sqlite:///eventdb.sqlite3"
    seed_dir: Path = PROJECT_ROOT / "seed"
    cors_origins: list[str] = ["*"]
    # Host names the server answers for (links in answers are built from Host); "*": any.
    allowed_hosts: list[str] = ["*"]
    # Seconds a request waits for a pooled connection before it answers 503 instead of hanging.
    pool_timeout: float = 5.0
    # Seconds a request waits for PostgreSQL to accept a new connection before it answers 503
    # (libpq's minimum is 2): a database that is down refuses at once, one that hangs takes this.
    connect_timeout: int = 2
    # Seconds a statement may run (or wait for a lock) before it is stopped and the request
    # answers 503 with Retry-After.
    statement_timeout: float = Field(default=5.0, gt=0)
    # Seconds the server reuses a whole GET answer (as Cache-Control lets clients do); 0: never.
    cache_seconds: float = 60.0
    # Processes `eventdb serve` starts (each an event loop on one core).
    workers: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1)


@lru_cache
def get_settings() -> Settings:
    return Settings()
