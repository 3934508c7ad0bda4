"""Exposure: what any answer shows a client, whatever happened on the server.

Security headers (with a Content-Security-Policy) on every response, 2xx to 5xx, 304 and the
docs page; no stack trace or SQL in an error; a read-only API (every write method answers 405
problem+json); CORS only for the origins the settings name.
"""

import base64
import hashlib
import re
from collections.abc import Iterator

import httpx
import pytest
from fastapi.routing import APIRoute
from starlette.routing import Mount

from api.main import create_app
from api.settings import Settings
from tests.conftest import LiveServer, free_port

PROBLEM = "application/problem+json"
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}
API_POLICY = "default-src 'none'"
LEAKS = re.compile(r"Traceback|File \"|sqlalchemy|psycopg|sqlite3|SELECT |FROM \w+ WHERE")
WRITE_METHODS = ["POST", "PUT", "PATCH", "DELETE"]
PATHS = [
    "/actors",
    "/actors/antony-blinken",
    "/statements",
    "/statements/1",
    "/events/blinken-meets-sisi",
    "/healthz",
    "/readyz",
    "/openapi.json",
    "/docs",
    "/static/swagger/swagger-ui.css",
    "/no-such-endpoint",
]


def assert_security_headers(response: httpx.Response) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, (response.request.url, name)
    assert response.headers.get("content-security-policy"), response.request.url
    # Each header once: a response that already had one is not given a second.
    for name in [*SECURITY_HEADERS, "content-security-policy"]:
        assert len(response.headers.get_list(name)) == 1, name


@pytest.fixture(scope="module")
def database_down() -> Iterator[httpx.Client]:
    """The API on a PostgreSQL address where nothing listens: every query fails at once."""
    url = f"postgresql://postgres@127.0.0.1:{free_port()}/eventdb"
    with (
        LiveServer(Settings(database_url=url)) as server,
        httpx.Client(base_url=server.url, timeout=30) as http,
    ):
        yield http


# Security headers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/statements", 200),
        ("/statements.csv", 200),
        ("/docs", 200),
        ("/openapi.json", 200),
        ("/static/swagger/swagger-ui-bundle.js", 200),
        ("/statements?speakr=blinken", 400),
        ("/actors/nobody", 404),
        ("/no-such-endpoint", 404),
        ("/statements?limit=0", 422),
    ],
)
def test_every_answer_carries_the_security_headers(
    client: httpx.Client, path: str, status: int
) -> None:
    response = client.get(path)
    assert response.status_code == status
    assert_security_headers(response)


def test_a_304_carries_the_security_headers(client: httpx.Client) -> None:
    etag = client.get("/actors/antony-blinken").headers["etag"]
    response = client.get("/actors/antony-blinken", headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert_security_headers(response)


def test_a_405_carries_the_security_headers(client: httpx.Client) -> None:
    response = client.delete("/statements")
    assert response.status_code == 405
    assert_security_headers(response)


def test_a_503_carries_the_security_headers(database_down: httpx.Client) -> None:
    response = database_down.get("/statements")
    assert response.status_code == 503
    assert_security_headers(response)


def test_data_answers_forbid_everything_a_browser_could_do_with_them(client: httpx.Client) -> None:
    for path in ("/statements", "/actors/nobody", "/openapi.json"):
        policy = client.get(path).headers["content-security-policy"]
        assert policy.startswith(API_POLICY)
        assert "frame-ancestors 'none'" in policy


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_the_docs_page_policy_allows_its_own_inline_script_by_hash_and_nothing_else(
    client: httpx.Client, path: str
) -> None:
    page = client.get(path)
    policy = dict(
        [*directive.split(" ", 1), ""][:2]
        for directive in page.headers["content-security-policy"].split("; ")
    )
    inline_scripts = re.findall(r"<script>(.*?)</script>", page.text, re.DOTALL)
    assert bool(inline_scripts) == (path == "/docs")  # Swagger UI starts from an inline script
    hashes = [
        f"'sha256-{base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()}'"
        for script in inline_scripts
    ]
    assert policy["script-src"].split() == ["'self'", *hashes]  # nothing else
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert policy["default-src"] == "'none'"
    assert policy["connect-src"] == "'self'"  # to fetch /openapi.json
    assert policy["img-src"] == "'self' data:"  # no image from elsewhere (ReDoc's logo)
    assert policy["frame-ancestors"] == "'none'"
    # ReDoc's search runs in a worker made from a blob: URL; Swagger UI starts none.
    assert policy.get("worker-src") == ("blob:" if path == "/redoc" else None)


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_the_docs_page_loads_only_assets_its_policy_allows(client: httpx.Client, path: str) -> None:
    page = client.get(path).text
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert assets
    for asset in assets:
        assert asset.startswith("/"), asset  # same origin: 'self'
        assert client.get(asset).status_code == 200, asset


# No stack trace or SQL --------------------------------------------------------------------


def test_a_503_shows_no_stack_trace_or_driver_message(database_down: httpx.Client) -> None:
    for path in ("/readyz", "/statements", "/actors/antony-blinken"):
        response = database_down.get(path)
        assert response.status_code == 503
        assert response.headers["content-type"] == PROBLEM
        assert not LEAKS.search(response.text), response.text
        assert "127.0.0.1" not in response.text  # nor where the database is


def test_a_database_without_the_schema_answers_503_without_sql(database_url: str) -> None:
    """An empty database (never migrated) is not ready, on either database: 503, not a bug."""
    with (
        LiveServer(Settings(database_url=database_url)) as server,
        httpx.Client(base_url=server.url, timeout=30) as http,
    ):
        for path in ("/statements", "/actors/antony-blinken", "/readyz"):
            response = http.get(path)
            assert response.status_code == 503, response.text
            assert response.headers["content-type"] == PROBLEM
            assert not LEAKS.search(response.text), response.text
            assert "statements" not in response.json()["detail"]
            assert_security_headers(response)


def test_an_unexpected_exception_answers_500_problem_json_without_its_message(
    seeded_database_url: str,
) -> None:
    """A bug anywhere (here an endpoint added for the test that raises): a 500 that says
    nothing of the exception, with the security headers like any other answer."""
    server = LiveServer(Settings(database_url=seeded_database_url))

    def broken() -> None:
        raise RuntimeError("SELECT secret FROM internals WHERE password = 'hunter2'")

    server.app.add_api_route("/broken", broken)
    with server, httpx.Client(base_url=server.url, timeout=30) as http:
        response = http.get("/broken")
    assert response.status_code == 500
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["title"] == "Internal server error"
    assert "hunter2" not in response.text and not LEAKS.search(response.text)
    assert_security_headers(response)


# Read-only --------------------------------------------------------------------------------


def test_the_app_has_no_route_that_takes_a_write_method() -> None:
    app = create_app(Settings(database_url="sqlite://"))
    methods: set[str] = set()
    for route in app.routes:
        if isinstance(route, APIRoute):
            methods |= route.methods or set()
        else:
            assert isinstance(route, Mount) or set(getattr(route, "methods", None) or ()) <= {
                "GET",
                "HEAD",
            }, route
    assert methods == {"GET"}


@pytest.mark.parametrize("method", WRITE_METHODS)
def test_every_write_method_answers_405_problem_json_saying_what_is_allowed(
    client: httpx.Client, method: str
) -> None:
    for path in PATHS:
        response = client.request(method, path, json={"slug": "x"})
        if path == "/no-such-endpoint":
            assert response.status_code == 404
            continue
        assert response.status_code == 405, (path, response.text)
        assert response.headers["content-type"] == PROBLEM
        assert "read-only" in response.json()["detail"]
        allowed = {m.strip() for m in response.headers["allow"].split(",")}
        assert "GET" in allowed and method not in allowed


def test_a_write_changes_nothing(client: httpx.Client) -> None:
    before = client.get("/statements", params={"limit": 500}).json()["items"]
    for method in WRITE_METHODS:
        client.request(method, "/statements/1", json={"text": "rewritten"})
        client.request(method, "/statements", json=[{"text": "added"}])
    assert (
        client.get("/statements", params={"limit": 500, "sort": "date"}).json()["items"] == before
    )


# CORS -------------------------------------------------------------------------------------

ALLOWED = "https://newsroom.example"
OTHER = "https://elsewhere.example"


@pytest.fixture(scope="module")
def one_origin(seeded_database_url: str) -> Iterator[httpx.Client]:
    with (
        LiveServer(Settings(database_url=seeded_database_url, cors_origins=[ALLOWED])) as server,
        httpx.Client(base_url=server.url, timeout=30) as http,
    ):
        yield http


def test_cors_origins_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EVENTDB_CORS_ORIGINS", f'["{ALLOWED}"]')
    assert Settings().cors_origins == [ALLOWED]


def test_an_origin_the_settings_name_may_read_the_api(one_origin: httpx.Client) -> None:
    response = one_origin.get("/statements", headers={"Origin": ALLOWED})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == ALLOWED
    preflight = one_origin.options(
        "/statements", headers={"Origin": ALLOWED, "Access-Control-Request-Method": "GET"}
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == ALLOWED


def test_an_origin_the_settings_do_not_name_gets_no_cors_permission(
    one_origin: httpx.Client,
) -> None:
    response = one_origin.get("/statements", headers={"Origin": OTHER})
    assert "access-control-allow-origin" not in response.headers
    preflight = one_origin.options(
        "/statements", headers={"Origin": OTHER, "Access-Control-Request-Method": "GET"}
    )
    assert preflight.status_code == 400
    assert "access-control-allow-origin" not in preflight.headers


def test_a_browser_may_not_send_a_write_method_even_from_an_allowed_origin(
    one_origin: httpx.Client,
) -> None:
    for method in WRITE_METHODS:
        preflight = one_origin.options(
            "/statements", headers={"Origin": ALLOWED, "Access-Control-Request-Method": method}
        )
        assert preflight.status_code == 400
        assert method not in preflight.headers.get("access-control-allow-methods", "")
