"""Runs a script of the browser harness (tests/browser/*.mjs: playwright-core driving Debian's
chromium, headless) from a pytest test, and returns the JSON report it prints.

It needs chromium, node (20 or later) and tests/browser/node_modules; `make test` installs all
three (the Makefile's `browser` target). Without them a browser test skips on a laptop, saying
what is missing, but fails under CI (CI=true): a green CI run always means the pages were
opened in a real browser.
"""

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

BROWSER_DIR = Path(__file__).resolve().parent
CHROMIUM = Path(os.environ.get("EVENTDB_CHROMIUM", "/usr/bin/chromium"))
NODE_MAJOR = 20


def _missing() -> str | None:
    """What the harness lacks on this machine, and how to get it; None when nothing."""
    if not CHROMIUM.exists():
        return f"chromium is not installed ({CHROMIUM}): `make test` installs it as root with apt"
    node = shutil.which("node")
    if node is None:
        return f"node is not installed: the browser tests need Node.js {NODE_MAJOR} or later"
    version = subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip()
    if int(version.lstrip("v").split(".")[0] or 0) < NODE_MAJOR:
        return f"node {version} is too old: the browser tests need Node.js {NODE_MAJOR} or later"
    if not (BROWSER_DIR / "node_modules" / "playwright-core").is_dir():
        return "tests/browser/node_modules is missing: `make test` installs it (npm ci)"
    return None


def require_browser() -> None:
    """Skip the test (fail it under CI) when the harness cannot run here."""
    reason = _missing()
    if reason is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{reason}: CI must run the browser tests, not skip them", pytrace=False)
    pytest.skip(reason)


def run_script(script: str, *args: str, timeout: float = 240) -> dict[str, Any]:
    """Run `node tests/browser/<script> <args>`; its JSON report, or a failed test that shows
    what the script found wrong."""
    require_browser()
    node = shutil.which("node") or "node"
    done = subprocess.run(
        [node, script, *args],
        cwd=BROWSER_DIR,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if done.returncode != 0:
        pytest.fail(
            f"{script} found problems:\n{done.stderr}\n--- its report ---\n{done.stdout[-4000:]}",
            pytrace=False,
        )
    report: dict[str, Any] = json.loads(done.stdout)
    return report
