"""The reading room (api.pages): HTML pages at / and under /read, on SQLite and PostgreSQL.

Every page answers HTML with the security headers and its own Content-Security-Policy (no inline
script or style); the source page marks every evidence span the API records for its source, one
`<mark data-id>` each, over exactly the evidence's words; every text is escaped (a fixture whose
article, names and titles hold `<script>` and quotes shows them as text); the curl command a list
page shows returns the same items as the page, and the page takes the API's cursors; the JSON
API's paths keep answering JSON whatever the Accept header. tests/test_pages_browser.py opens
the same pages in Chromium.
"""

import hashlib
import html
import re
import shlex
import shutil
import subprocess
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from sqlalchemy import text

from api.database import create_db_engine
from api.headers import READING_PAGE_POLICY
from api.loader import load, seed_files
from api.pages.drawing import MIN_WIDTH, Fact, draw
from api.pages.marks import Span, marked_text
from api.schema_version import upgrade
from api.settings import Settings
from tests.conftest import LiveServer

SOURCE = "wapo-2024-06-10-blinken"
DATA = Path(__file__).parent / "data"
HOSTILE = "<script>alert('pwned')</script>"
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}
PAGES = [
    "/",
    "/read/sources",
    f"/read/sources/{SOURCE}",
    "/read/statements",
    "/read/statements?speaker=blinken&direct=true",
    "/read/statements?q=cease-fire&sort=-date&limit=5",
    "/read/events",
    "/read/events?kind=meeting",
    "/read/positions",
    "/read/positions?term=permanent-ceasefire",
    "/read/actors",
    "/read/actors?kind=anonymous_source",
    "/read/actors/antony-blinken",
    "/read/actors/hamas",
    "/read/events/unsc-vote",
    "/read/timeline",
    "/read/timeline?rows=kind",
    "/read/timeline?actor=netanyahu",
    "/read/timeline?kind=statement&from=2024-06-03&to=2024-06-12",
    "/read/timeline?kind=meeting,vote&precision=day",
]


class Page(HTMLParser):
    """What the tests read of a page: its marks (with their text), list items, API box, the
    timeline's shapes, scripts, styles, and the links and files it loads."""

    def __init__(self, body: str) -> None:
        super().__init__(convert_charrefs=True)
        self.marks: list[dict[str, str]] = []  # each mark[data-id], its text gathered
        self._open: list[dict[str, str] | None] = []  # the marks around the parser
        self._parts: dict[str, dict[str, str]] = {}  # a mark's element id → the mark
        self.items: list[str] = []
        self.curl = ""
        self._in_curl = False
        self.shapes: list[dict[str, str]] = []
        self.scripts: list[dict[str, str | None]] = []
        self.inline_styles = 0
        self.assets: list[str] = []
        self.text: list[str] = []
        self._paragraphs = 0
        self.feed(body)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if "style" in found or tag == "style":
            self.inline_styles += 1
        if tag == "script":
            self.scripts.append(dict(attrs))
        if tag in ("link", "script", "img") and (found.get("href") or found.get("src")):
            self.assets.append(found.get("href") or found.get("src") or "")
        if tag == "p":
            self._paragraphs += 1
        if tag == "mark":
            if "data-id" in found:
                mark = {**found, "text": "", "paragraph": str(self._paragraphs)}
                self.marks.append(mark)
                self._parts[found["id"]] = mark
                self._open.append(mark)
            else:  # a crossing span goes on: in a new paragraph, after a line break
                owner = self._parts.get(found.get("data-part-of", ""))
                if owner is not None and owner["paragraph"] != str(self._paragraphs):
                    owner["text"] += "\n"
                    owner["paragraph"] = str(self._paragraphs)
                self._open.append(owner)
        if tag == "li" and "data-id" in found:
            self.items.append(found["data-id"])
        if tag == "code" and found.get("id") == "curl-0":
            self._in_curl = True
        if tag == "a" and "fact" in found.get("class", "").split():
            self.shapes.append(found)

    def handle_endtag(self, tag: str) -> None:
        if tag == "mark":
            self._open.pop()
        if tag == "code":
            self._in_curl = False

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        for mark in self._open:
            if mark is not None:
                mark["text"] += data
        if self._in_curl:
            self.curl += data


def get_page(client: httpx.Client, path: str) -> tuple[httpx.Response, Page]:
    response = client.get(path)
    assert response.status_code == 200, (path, response.text[:2000])
    assert response.headers["content-type"].startswith("text/html")
    return response, Page(response.text)


def words(value: str) -> str:
    return " ".join(value.split())


# Every page ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", PAGES)
def test_every_page_answers_html_with_its_policy_and_the_security_headers(
    client: httpx.Client, path: str
) -> None:
    response, page = get_page(client, path)
    assert response.headers["content-security-policy"] == READING_PAGE_POLICY
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value
    assert "'unsafe-inline'" not in READING_PAGE_POLICY
    # No inline script or style: one script, from the API's own files.
    assert len(page.scripts) == 1
    assert (page.scripts[0].get("src") or "").startswith("/static/reading/reading.js")
    assert page.inline_styles == 0
    for asset in page.assets:
        assert asset.startswith("/static/reading/"), asset
    assert page.curl.startswith("curl 'http://127.0.0.1:")


def test_a_page_the_server_builds_says_its_time_in_server_timing(client: httpx.Client) -> None:
    # A question no other test asks, so the response cache cannot answer it (a cached answer
    # drops the header: its time would be a lie).
    response, _ = get_page(client, f"/read/statements?q={uuid.uuid4().hex}")
    assert response.headers["server-timing"].startswith("page;dur=")


def test_the_pages_files_are_served(client: httpx.Client) -> None:
    _, page = get_page(client, "/")
    assert len(page.assets) == 3  # the icon, the style sheet, the script
    for asset in page.assets:
        response = client.get(asset)
        assert response.status_code == 200, asset
        assert response.headers["content-security-policy"]  # the API's, for a file


def test_the_home_page_is_the_reading_room_and_the_docs_stay_at_docs(
    client: httpx.Client,
) -> None:
    response, _ = get_page(client, "/")
    assert "What the database holds" in response.text
    assert f'href="/read/sources/{SOURCE}"' in response.text
    assert 'href="/docs"' in response.text
    assert client.get("/docs").status_code == 200
    # The counts are the API's.
    total = client.get("/statements", params={"limit": 1}).json()["total"]
    assert f"<strong>{total}</strong>" in response.text


@pytest.mark.parametrize(
    "path", ["/statements", f"/sources/{SOURCE}", "/timeline", "/actors/hamas", "/positions"]
)
def test_the_api_answers_json_whatever_the_accept_header(client: httpx.Client, path: str) -> None:
    for accept in ("text/html", "text/html,application/xhtml+xml,*/*;q=0.8", "*/*"):
        response = client.get(path, headers={"Accept": accept})
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/json"
        response.json()


def test_the_pages_are_not_in_the_openapi_schema(client: httpx.Client) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert not [path for path in paths if path == "/" or path.startswith("/read/")]


# The source page ------------------------------------------------------------------------------


def api_spans(client: httpx.Client, slug: str) -> list[tuple[str, str, dict[str, Any]]]:
    """Every evidence span of a source, counted through the API: (kind, id, evidence)."""

    def every(path: str) -> list[dict[str, Any]]:
        answer = client.get(path, params={"source": slug, "limit": 500}).json()
        assert answer["next_cursor"] is None  # one page holds them all
        items: list[dict[str, Any]] = answer["items"]
        return items

    found: list[tuple[str, str, dict[str, Any]]] = []
    for s in every("/statements"):
        found.append(("statement", str(s["id"]), s["evidence"]))
        for m in s["about"]:
            key = f"statement/{s['id']}/{m['actor']['slug']}/{m['role']}"
            found.append(("mention", key, m["evidence"]))
    for e in every("/events"):
        found.append(("event", e["slug"], e["evidence"]))
        for p in e["participants"]:
            found.append(
                ("participant", f"{e['slug']}/{p['actor']['slug']}/{p['role']}", p["evidence"])
            )
        for m in e["about"]:
            found.append(
                ("mention", f"event/{e['slug']}/{m['actor']['slug']}/{m['role']}", m["evidence"])
            )
    for p in every("/positions"):
        found.append(("position", str(p["id"]), p["evidence"]))
    for t in every("/terms"):
        found.append(("term", t["slug"], t["evidence"]))
    for p in every("/proposals"):
        found.append(("proposal", p["slug"], p["evidence"]))
        for phase in p["phases"]:
            found.append(("phase", f"{p['slug']}/{phase['number']}", phase["evidence"]))
    for a in every("/actors"):
        if a["evidence"] is not None:
            found.append(("introduction", a["slug"], a["evidence"]))
        for alias in a["aliases"]:
            found.append(("alias", f"{a['slug']}/{alias['name']}", alias["evidence"]))
    return [(kind, key, e) for kind, key, e in found if e["source"]["slug"] == slug]


def test_the_source_page_marks_every_evidence_span_the_api_records(client: httpx.Client) -> None:
    _, page = get_page(client, f"/read/sources/{SOURCE}")
    spans = api_spans(client, SOURCE)
    assert len(spans) > 400  # every kind of row, many of each
    assert Counter((m["data-kind"], m["data-id"]) for m in page.marks) == Counter(
        (kind, key) for kind, key, _ in spans
    )
    assert {kind for kind, _, _ in spans} == {
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
    # Each mark holds exactly the words of its evidence (a crossing span's rest included).
    marks = {(m["data-kind"], m["data-id"]): m for m in page.marks}
    for kind, key, evidence in spans:
        assert words(marks[(kind, key)]["text"]) == words(evidence["text"]), (kind, key)


def test_the_source_page_has_one_mark_per_row_of_the_database(
    client: httpx.Client, seeded_database_url: str
) -> None:
    """Counted in the tables themselves, not through the API: every evidenced row."""
    tables = {
        "statements": "statement",
        "events": "event",
        "participants": "participant",
        "terms": "term",
        "positions": "position",
        "mentions": "mention",
        "introductions": "introduction",
        "aliases": "alias",
        "phases": "phase",
        "proposals": "proposal",
    }
    engine = create_db_engine(seeded_database_url)
    with engine.connect() as connection:
        rows = {
            kind: connection.execute(
                text(
                    f"SELECT count(*) FROM {table} WHERE source_id = "
                    "(SELECT id FROM sources WHERE slug = :slug)"
                ),
                {"slug": SOURCE},
            ).scalar_one()
            for table, kind in tables.items()
        }
    engine.dispose()
    _, page = get_page(client, f"/read/sources/{SOURCE}")
    assert Counter(m["data-kind"] for m in page.marks) == Counter(rows)


def test_every_fact_of_the_source_has_its_card_for_the_marks(client: httpx.Client) -> None:
    response, page = get_page(client, f"/read/sources/{SOURCE}")
    cards = set(re.findall(r'<article class="card"[^>]* id="([^"]+)"', response.text))
    assert {m["data-card"] for m in page.marks} <= cards
    # A statement's card names its speaker; a mention's card is its statement's.
    statement = client.get("/statements/4").json()
    card = response.text.split('id="card-statement-4"', 1)[1].split("</article>", 1)[0]
    assert html.escape(statement["speaker"]["name"]) in card
    assert statement["speaker"]["slug"] in card


def test_the_source_page_reads_without_javascript(client: httpx.Client) -> None:
    """The text, its marks, the key and every fact's card are in the HTML; the card panel the
    script fills is hidden until the script shows it."""
    response, page = get_page(client, f"/read/sources/{SOURCE}")
    assert 'id="fact-panel" aria-labelledby="fact-panel-heading" hidden' in response.text
    assert 'id="show-statement" checked' in response.text
    assert "The facts of this article" in response.text
    source = client.get(f"/sources/{SOURCE}").json()
    shown = "".join(page.text)
    for paragraph in source["text"].split("\n\n")[:5]:
        assert words(paragraph) in words(shown)


def test_an_unknown_source_is_a_404_page(client: httpx.Client) -> None:
    response = client.get("/read/sources/no-such-source")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "No source is called" in response.text
    assert response.headers["content-security-policy"] == READING_PAGE_POLICY


@pytest.mark.parametrize("path", ["/read/nothing", "/read/positions/12", "/read/actors/hamas/x"])
def test_a_path_under_read_that_is_no_page_is_a_404_page(client: httpx.Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "There is no page at" in response.text


# Lists ----------------------------------------------------------------------------------------


def run_curl(command: str, client: httpx.Client) -> dict[str, Any]:
    """Runs the command a page shows, as a reader would paste it (curl, or httpx without it)."""
    argv = shlex.split(command)
    assert argv[0] == "curl" and len(argv) == 2
    if shutil.which("curl"):
        done = subprocess.run([*argv, "--silent", "--fail"], capture_output=True, timeout=30)
        assert done.returncode == 0, done.stderr
        body: dict[str, Any] = httpx.Response(200, content=done.stdout).json()
        return body
    found: dict[str, Any] = client.get(argv[1]).json()
    return found


KEYS = {"statements": "id", "events": "slug", "positions": "id", "actors": "slug"}


@pytest.mark.parametrize(
    "path",
    [
        "/read/statements",
        "/read/statements?speaker=blinken,netanyahu&sort=-date&limit=7",
        "/read/statements?q=guarantee",
        "/read/statements?from=2024-06-05&to=2024-06-10&precision=day&direct=false",
        "/read/events?actor=antony-blinken&limit=3",
        "/read/positions?stance=supports,demands",
        "/read/actors?kind=person&limit=10",
    ],
)
def test_the_curl_a_list_page_shows_returns_the_items_of_the_page(
    client: httpx.Client, path: str
) -> None:
    name = path.split("/")[2].split("?")[0]
    _, page = get_page(client, path)
    answer = run_curl(html.unescape(page.curl), client)
    assert [str(item[KEYS[name]]) for item in answer["items"]] == page.items
    assert page.items  # every case lists something
    # The next page: the page's link and the API's cursor continue the same list.
    if answer["next_cursor"]:
        following = re.search(r'<a href="([^"]+)" rel="next"', client.get(path).text)
        assert following is not None
        _, second = get_page(client, html.unescape(following.group(1)))
        api_second = run_curl(html.unescape(second.curl), client)
        assert [str(item[KEYS[name]]) for item in api_second["items"]] == second.items
        assert not set(second.items) & set(page.items)


def test_a_list_page_takes_the_apis_cursor(client: httpx.Client) -> None:
    first = client.get("/statements", params={"limit": 5, "speaker": "blinken"}).json()
    second = client.get(
        "/statements", params={"limit": 5, "speaker": "blinken", "cursor": first["next_cursor"]}
    ).json()
    _, page = get_page(
        client, f"/read/statements?speaker=blinken&limit=5&cursor={first['next_cursor']}"
    )
    assert page.items == [str(item["id"]) for item in second["items"]]


def test_a_facet_link_narrows_the_list_to_its_count(client: httpx.Client) -> None:
    response, _ = get_page(client, "/read/statements")
    links = re.findall(
        r'<a href="(/read/statements\?speaker=[^"]+)">[^<]+</a> <span class="n">(\d+)</span>',
        response.text,
    )
    assert links
    href, count = links[0]
    _, narrowed = get_page(client, html.unescape(href))
    assert len(narrowed.items) == min(int(count), 50)


@pytest.mark.parametrize(
    ("path", "status", "says"),
    [
        ("/read/statements?speaker=nobody-at-all", 422, "matches no actor"),
        ("/read/statements?speakr=blinken", 400, "speakr is not a parameter"),
        ("/read/statements?from=2024-13-01", 422, "is not a date"),
        ("/read/statements?facets=nonsense", 422, "not a facet"),
        ("/read/statements?cursor=nonsense", 400, "not a cursor of this list"),
        ("/read/timeline?kind=statement,meeting", 422, "cannot go with kinds of event"),
        ("/read/actors/nobody-at-all", 404, "No actor is called"),
        ("/read/events/no-such-event", 404, "No event is called"),
    ],
)
def test_a_bad_question_answers_an_html_page_that_says_what_to_change(
    client: httpx.Client, path: str, status: int, says: str
) -> None:
    response = client.get(path)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    assert says in html.unescape(response.text)
    assert response.headers["content-security-policy"] == READING_PAGE_POLICY


def test_an_actor_named_by_an_alias_leads_to_its_page(client: httpx.Client) -> None:
    response = client.get("/read/actors/blinken", follow_redirects=False)
    assert response.status_code == 308
    assert response.headers["location"] == "/read/actors/antony-blinken"


def test_the_actor_page_shows_what_the_lists_say_of_the_actor(client: httpx.Client) -> None:
    response, _ = get_page(client, "/read/actors/antony-blinken")
    body = html.unescape(response.text)
    for question in (
        {"speaker": "antony-blinken", "direct": "true"},
        {"speaker": "antony-blinken", "direct": "false"},
        {"about": "antony-blinken"},
    ):
        answer = client.get("/statements", params={**question, "limit": 20}).json()
        for item in answer["items"]:
            assert f'data-id="{item["id"]}"' in body
    for alias in client.get("/actors/antony-blinken").json()["aliases"]:
        assert alias["name"] in body


# The timeline -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("page_query", "api"),
    [
        ("", ("/timeline", {"limit": 100})),
        (
            "?from=2024-06-03&to=2024-06-12",
            ("/timeline", {"from": "2024-06-03", "to": "2024-06-12", "limit": 100}),
        ),
        ("?actor=blinken&rows=kind", ("/timeline", {"actor": "blinken", "limit": 100})),
        ("?kind=statement&precision=week", ("/statements", {"precision": "week", "limit": 100})),
        ("?kind=meeting,vote", ("/events", {"kind": "meeting,vote", "limit": 100})),
    ],
)
def test_the_timeline_draws_one_shape_per_dated_fact(
    client: httpx.Client, page_query: str, api: tuple[str, dict[str, Any]]
) -> None:
    _, page = get_page(client, f"/read/timeline{page_query}")
    path, params = api
    items = client.get(path, params=params).json()["items"]
    if path == "/timeline":
        facts = [(item["type"], item[item["type"]]) for item in items]
    else:
        facts = [(path.strip("/")[:-1], item) for item in items]
    dated = [
        (kind, str(doc["id"] if kind == "statement" else doc["slug"]))
        for kind, doc in facts
        if doc["date"]["start"] is not None
    ]
    assert dated
    assert Counter((s["data-kind"], s["data-id"]) for s in page.shapes) == Counter(dated)
    assert f"{path}?" in page.curl  # the list that answers the same question


def test_the_timeline_curl_returns_the_facts_it_draws(client: httpx.Client) -> None:
    _, page = get_page(client, "/read/timeline?actor=netanyahu&from=2024-05-01")
    answer = run_curl(html.unescape(page.curl), client)
    keys = {
        (item["type"], str(item[item["type"]].get("id") or item[item["type"]]["slug"]))
        for item in answer["items"]
    }
    assert {(s["data-kind"], s["data-id"]) for s in page.shapes} == keys


# Escaping ----------------------------------------------------------------------------------------


def hostile_seed(folder: Path) -> Path:
    """The loader's fixture (tests/data) copied to `folder`, its article, title and names
    holding `<script>` and quotes of every kind; returns the folder to seed from."""
    shutil.copytree(DATA, folder)
    article = folder / "portville-harbor.txt"
    paragraph = f"Okafor wrote “{HOSTILE}” & 'quotes' \"too\" <b>bold</b> on the harbor wall."
    body = article.read_text(encoding="utf-8").rstrip("\n") + f"\n\n{paragraph}\n"
    article.write_text(body, encoding="utf-8")
    seed = folder / "portville-harbor.yaml"
    document = yaml.safe_load(seed.read_text(encoding="utf-8"))
    document["source"]["sha256"] = hashlib.sha256(body.encode()).hexdigest()
    document["source"]["title"] = f"Harbor talks {HOSTILE} & \"offers\" 'resume'"
    document["source"]["byline_note"] = '<img src=x onerror="alert(1)">'
    document["statements"].append(
        {
            "slug": "okafor-wall",
            "speaker": "sam-okafor",
            "mode": "reported",
            "text": f'Okafor wrote {HOSTILE} "and" more',
            "cue": "wrote",
            "date": {"precision": "unknown", "as_written": ""},
            "evidence": paragraph.removesuffix("."),
        }
    )
    seed.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), "utf-8")
    registry = folder / "actors.yaml"
    actors = yaml.safe_load(registry.read_text(encoding="utf-8"))
    for actor in actors["actors"]:
        if actor["slug"] == "sam-okafor":
            actor["name"] = f'Sam "{HOSTILE}" O\'Kafor'
            actor["description"] = "</textarea><script>alert('description')</script>"
    registry.write_text(yaml.safe_dump(actors, allow_unicode=True, sort_keys=False), "utf-8")
    return folder


@pytest.fixture
def hostile(database_url: str, tmp_path: Path) -> Iterator[httpx.Client]:
    engine = create_db_engine(database_url)
    upgrade(engine)
    load(engine, seed_files(hostile_seed(tmp_path / "seed")))
    engine.dispose()
    with (
        LiveServer(Settings(database_url=database_url)) as server,
        httpx.Client(base_url=server.url, timeout=30) as http,
    ):
        yield http


def test_every_text_is_escaped(hostile: httpx.Client) -> None:
    for path in (
        "/",
        "/read/sources",
        "/read/sources/portville-harbor-talks",
        "/read/statements",
        "/read/statements?speaker=sam-okafor",
        "/read/actors/sam-okafor",
        "/read/actors",
        "/read/timeline",
        "/read/timeline?rows=kind",
        "/read/events",
        "/read/positions",
    ):
        response, page = get_page(hostile, path)
        # The only script is the page's own; no text became an element or an attribute.
        assert len(page.scripts) == 1, path
        assert "<script>alert" not in response.text, path
        assert "<img src=x" not in response.text, path
        assert "<b>bold" not in response.text, path
        assert page.inline_styles == 0, path
        shown = "".join(page.text)
        if path in ("/read/sources/portville-harbor-talks", "/read/statements"):
            assert HOSTILE in shown, path  # shown as text, as written
    _, source = get_page(hostile, "/read/sources/portville-harbor-talks")
    # The mark over the hostile words holds them as text, and its note the name as written.
    (wall,) = [m for m in source.marks if m["data-kind"] == "statement" and HOSTILE in m["text"]]
    named = [m for m in source.marks if "O'Kafor" in m.get("data-note", "")]
    assert named and all(HOSTILE in m["data-note"] for m in named)
    assert wall["text"].startswith("Okafor wrote “<script>")


# The marks and the drawing, as functions -------------------------------------------------------


def render_marks(text_: str, *spans: tuple[int, int, str, str]) -> str:
    return str(marked_text(text_, [Span(s, e, kind, key, "card") for s, e, kind, key in spans]))


def test_marks_nest_and_a_crossing_span_goes_on_in_a_continuation() -> None:
    out = render_marks(
        "abcdefghij",
        (0, 6, "statement", "1"),
        (2, 4, "mention", "m"),
        (4, 9, "term", "t"),  # crosses the statement's end
    )
    assert out.count("<mark") == 4 and out.count("data-id=") == 3
    assert '<mark data-kind="term" data-part-of="m-term-t"' in out
    page = Page(out)
    assert {m["data-id"]: m["text"] for m in page.marks} == {"1": "abcdef", "m": "cd", "t": "efghi"}


def test_identical_spans_nest_the_larger_fact_outside() -> None:
    out = render_marks("abc def", (0, 3, "alias", "a"), (0, 3, "statement", "1"))
    assert out.index('data-kind="statement"') < out.index('data-kind="alias"')
    assert 'data-kind="statement" data-id="1" data-card="card" data-level="2"' in out


def test_paragraphs_are_paragraphs_and_a_span_across_them_goes_on() -> None:
    out = render_marks("one two\n\nthree four", (4, 14, "event", "e"))
    assert out.count("<p ") == 2
    page = Page(out)
    assert words(page.marks[0]["text"]) == "two three"


def test_marked_text_escapes_the_text_and_the_attributes() -> None:
    out = str(
        marked_text(
            '<b>"x"</b>',
            [Span(0, 3, "alias", '"><script>', "card", note="<i>'n'</i>")],
        )
    )
    assert "<b>" not in out and "<script>" not in out and "<i>" not in out
    assert "&lt;b&gt;" in out and "&quot;&gt;&lt;script&gt;" in out


def fact(start: str | None, end: str | None, row: str = "a", key: str = "1") -> Fact:
    return Fact(
        "statement",
        key,
        date.fromisoformat(start) if start else None,
        date.fromisoformat(end) if end else None,
        "day",
        row,
        row,
        "title",
        "#",
    )


def test_a_day_is_a_tick_a_week_a_bar_and_an_open_fact_fades() -> None:
    picture = draw(
        [
            fact("2024-06-01", "2024-06-01", key="day"),
            fact("2024-06-03", "2024-06-09", key="week"),
            fact("2024-06-10", None, key="open"),
            fact(None, None, key="undated"),
        ],
        date(2024, 6, 1),
        date(2024, 6, 30),
        {},
    )
    assert picture is not None
    shapes = {shape.fact.id: shape for shape in picture.shapes}
    assert set(shapes) == {"day", "week", "open"}  # the undated one is not on the axis
    day_width = shapes["day"].width
    assert day_width >= MIN_WIDTH
    assert shapes["week"].width == pytest.approx(7 * day_width, rel=0.01)
    assert shapes["open"].open and shapes["open"].x + shapes["open"].width == pytest.approx(
        985, abs=0.5
    )


def test_overlapping_facts_of_a_row_go_on_lanes_of_their_own() -> None:
    picture = draw(
        [fact("2024-06-10", "2024-06-10", key=str(n)) for n in range(4)]
        + [fact("2024-06-10", "2024-06-10", row="b", key="b")],
        None,
        None,
        {},
    )
    assert picture is not None
    first, second = picture.rows
    assert len({shape.y for shape in first.shapes}) == 4
    assert second.y >= max(shape.y for shape in first.shapes) + 10


@pytest.mark.parametrize("newest_first", [False, True])
def test_facts_that_do_not_overlap_share_a_lane_whichever_way_they_are_sorted(
    newest_first: bool,
) -> None:
    days = [fact(f"2024-06-{day:02}", f"2024-06-{day:02}", key=str(day)) for day in (3, 6, 9)]
    picture = draw(days[::-1] if newest_first else days, None, None, {})
    assert picture is not None
    [row] = picture.rows
    assert len(row.lanes) == 1
    assert len({shape.y for shape in row.shapes}) == 1
