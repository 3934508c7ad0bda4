"""The interactive docs, opened in a real browser (Debian's chromium, headless) on the seeded
API, on SQLite and PostgreSQL.

tests/browser/docs.mjs does the clicking: /docs (Swagger UI) must render the OpenAPI 3.1
document (no "Unable to render"), list every operation and run GET /statements from the page
("Try it out", limit=3, "Execute") to a rendered 200; /redoc must render a section per operation
and find operations with its search; neither page may log a console error, throw, fail a request
or request anything outside the API. Its screenshots (docs.png, docs-try-it-out.png, redoc.png)
are kept in the test's temporary folder, printed with the test's output.
"""

from pathlib import Path

import httpx

from api.settings import Settings
from tests.browser.harness import require_browser, run_script
from tests.conftest import LiveServer

METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def test_the_docs_render_every_operation_and_run_a_request_in_chromium(
    seeded_database_url: str, tmp_path: Path
) -> None:
    require_browser()  # before starting a server for nothing
    with LiveServer(Settings(database_url=seeded_database_url)) as server:
        spec = httpx.get(f"{server.url}/openapi.json", timeout=10).json()
        report = run_script("docs.mjs", "--url", server.url, "--screenshots", str(tmp_path))
    print(f"screenshots of the docs: {tmp_path}")
    print(
        f"milliseconds: /docs rendered in {report['docs'].get('render_ms')}, "
        f"its request in {report['docs'].get('try_it_out', {}).get('ms')}; /redoc rendered in "
        f"{report['redoc'].get('render_ms')}; all, browser start included: {report['total_ms']}"
    )

    operations = {
        f"{method.upper()} {path}": operation
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    }
    assert spec["openapi"].startswith("3.1")
    assert operations

    docs = report["docs"]
    assert docs["problems"] == []
    assert docs["swagger_ui_version"].startswith("5."), docs["swagger_ui_version"]
    assert sorted(docs["listed"]) == sorted(operations)
    request = docs["try_it_out"]
    assert request["operation"] == "GET /statements"
    assert request["http_status"] == 200
    assert request["rendered_status"] == "200"
    assert '"limit": 3' in request["rendered_body_start"]

    redoc = report["redoc"]
    assert redoc["problems"] == []
    sections = {f"operation/{operation['operationId']}" for operation in operations.values()}
    assert sections <= set(redoc["listed"])
    assert redoc["search"]["results"] > 0

    for name in ("docs.png", "docs-try-it-out.png", "redoc.png"):
        assert (tmp_path / name).read_bytes().startswith(b"\x89PNG"), name
