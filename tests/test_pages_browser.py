"""The reading room opened in a real browser (Debian's chromium, headless), on SQLite and
PostgreSQL.

tests/browser/pages.mjs does the reading: the source page must have one mark per evidence span
the API records (it counts them through the API), each over exactly its evidence's words;
selecting a statement's mark (Enter on it, or a click) shows its speaker; the timeline draws one
shape per dated fact of the API's answer for its range; the curl command of a list page returns
the same items as the page, and its Copy button copies it; the first Tab reaches the skip link, a
focused mark shows a focus ring, text has WCAG AA contrast, the card closes (on a phone's width
it is a sheet shown only while a mark is selected), the print style hides the controls; no page
logs a console
error, fails a request or asks anything of another origin; and a fixture whose text, names and
titles hold `<script>` runs no script of it. The screenshots (the source page with a card open,
the timeline, a list, the home page) are kept in the test's temporary folder; with
EVENTDB_UPDATE_SCREENSHOTS=1 they replace those of docs/ that the README shows.
"""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.database import create_db_engine
from api.loader import load, seed_files
from api.schema_version import upgrade
from api.settings import PROJECT_ROOT, Settings
from tests.browser.harness import require_browser, run_script
from tests.conftest import LiveServer
from tests.test_pages import SOURCE, hostile_seed

DOCS = PROJECT_ROOT / "docs"
SCREENSHOTS = ["reading-room-source.png", "reading-room-timeline.png", "reading-room-list.png"]


@pytest.fixture
def hostile_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """The API on the loader's fixture with `<script>` and quotes in its text and names."""
    require_browser()  # before seeding a database for nothing
    engine = create_db_engine(database_url)
    upgrade(engine)
    load(engine, seed_files(hostile_seed(tmp_path / "seed")))
    engine.dispose()
    with LiveServer(Settings(database_url=database_url)) as server:
        yield server.url


def test_the_reading_room_works_in_chromium(seeded_database_url: str, tmp_path: Path) -> None:
    require_browser()  # before starting a server for nothing
    shots = tmp_path / "shots"
    with LiveServer(Settings(database_url=seeded_database_url)) as server:
        report = run_script(
            "pages.mjs", "--url", server.url, "--source", SOURCE, "--screenshots", str(shots)
        )
    print(f"screenshots of the reading room: {shots}")
    source = report["source"]
    print(
        f"source page: {source['marks']} marks, loaded in {source['load_ms']} ms; timeline: "
        f"{report['timeline']['shapes']} shapes; all, browser start included: "
        f"{report['total_ms']} ms"
    )
    assert report["problems"] == []

    assert source["marks"] == source["expected"] > 400
    assert set(source["by_kind"]) == {
        "statement",
        "event",
        "participant",
        "term",
        "position",
        "mention",
        "introduction",
        "alias",
        "phase",
        "proposal",
    }
    assert source["keyboard"]["card_shows_speaker"]
    assert source["keyboard"]["focus_moved_to_card"]
    assert source["clicks"] and all(click["shows_speaker"] for click in source["clicks"])
    assert source["arrows"]["next"]["outline"] != "none"
    assert source["print"]["api"] == "none"
    assert source["closed"]["empty"] and source["closed"]["selected"] == 0
    assert source["narrow"] == {"before": "none", "during": "block"}

    timeline = report["timeline"]
    assert timeline["shapes"] == timeline["dated_facts"] > 0

    listed = report["list"]
    assert listed["page_items"] == listed["api_items"] != []
    assert listed["clipboard"] == listed["curl"]
    assert listed["next_page"]["page_items"] == listed["next_page"]["api_items"] != []

    assert all(page["first_tab"] == "skip" for page in report["every_page"]["pages"].values())

    for name in [*SCREENSHOTS, "reading-room-home.png"]:
        assert (shots / name).read_bytes().startswith(b"\x89PNG"), name
    if os.environ.get("EVENTDB_UPDATE_SCREENSHOTS"):
        DOCS.mkdir(exist_ok=True)
        for name in SCREENSHOTS:
            shutil.copyfile(shots / name, DOCS / name)


def test_hostile_text_stays_text_in_chromium(hostile_url: str, tmp_path: Path) -> None:
    report = run_script(
        "pages.mjs", "--url", hostile_url, "--hostile", hostile_url, "--screenshots", str(tmp_path)
    )
    hostile = report["hostile"]
    assert report["problems"] == []
    assert hostile["dialogs"] == []
    assert "<script>alert('pwned')</script>" in hostile["title"]
    assert "<script>alert('pwned')</script>" in hostile["card"]
    assert len(hostile["scripts"]) == 1
