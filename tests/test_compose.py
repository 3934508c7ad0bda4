"""docker-compose.yml cannot run here (no Docker engine), so test what can be tested of it:
the API service's own command and healthcheck, run against the local PostgreSQL."""

import os
import shlex
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from api.settings import PROJECT_ROOT, Settings
from tests.conftest import free_port

COMPOSE: dict[str, Any] = yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text())
API = COMPOSE["services"]["api"]
BIN = Path(sys.executable).parent


def test_the_api_waits_for_a_healthy_database_and_points_at_it() -> None:
    assert API["depends_on"]["db"]["condition"] == "service_healthy"
    assert "pg_isready" in " ".join(COMPOSE["services"]["db"]["healthcheck"]["test"])
    url = API["environment"]["EVENTDB_DATABASE_URL"]
    assert url.startswith("postgresql://") and "@db:5432/" in url
    db = COMPOSE["services"]["db"]["environment"]
    assert (
        url
        == f"postgresql://{db['POSTGRES_USER']}:{db['POSTGRES_PASSWORD']}@db:5432/{db['POSTGRES_DB']}"
    )


def test_every_environment_variable_of_the_api_is_a_setting() -> None:
    settings = {f"EVENTDB_{name.upper()}" for name in Settings.model_fields}
    assert set(API["environment"]) <= settings


@pytest.mark.parametrize("backend", ["postgresql"])
def test_the_api_command_seeds_serves_and_passes_its_healthcheck(
    database_url: str, backend: str
) -> None:
    """Run the compose command's steps (all but `pip install`), then the healthcheck command."""
    script = API["command"][-1]
    steps = [shlex.split(step.strip().removeprefix("exec ")) for step in script.split("&&")]
    assert steps[0][:2] == ["pip", "install"]
    seed, serve = steps[1], steps[2]
    assert seed == ["eventdb", "seed"] and serve[:2] == ["eventdb", "serve"]
    port = free_port()
    serve = [arg if arg != "8000" else str(port) for arg in serve]
    serve = [arg if arg != "0.0.0.0" else "127.0.0.1" for arg in serve]
    env = {**os.environ, "EVENTDB_DATABASE_URL": database_url}

    subprocess.run([str(BIN / seed[0]), *seed[1:]], env=env, check=True, capture_output=True)
    server = subprocess.Popen([str(BIN / serve[0]), *serve[1:]], env=env, stderr=subprocess.PIPE)
    try:
        healthcheck = [a.replace("8000", str(port)) for a in API["healthcheck"]["test"][1:]]
        assert healthcheck[0] == "python"
        deadline = time.monotonic() + 20
        while True:
            check = subprocess.run([sys.executable, *healthcheck[1:]], capture_output=True)
            if check.returncode == 0 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert check.returncode == 0, check.stderr.decode()
    finally:
        server.terminate()
        server.wait(timeout=10)
