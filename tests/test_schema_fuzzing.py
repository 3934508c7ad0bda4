"""Schema fuzzing: schemathesis sends generated requests to every operation of /openapi.json.

For each operation it sends the schema's examples, boundary and invalid values (the coverage
phase: too long, wrong type, repeated or unknown parameters, NUL bytes, undeclared methods) and
random valid values (the fuzzing phase), over real HTTP to the API on each seeded database, and
checks every answer: never a 5xx, always a status, content type, headers and body that the schema
documents, and every error a problem+json.

The CI run is bounded (EVENTDB_FUZZ_EXAMPLES random requests per operation, 25 by default). A
longer run, e.g. before a release:

    EVENTDB_FUZZ_EXAMPLES=500 .venv/bin/pytest tests/test_schema_fuzzing.py
"""

import os
import re
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import Case, CheckContext, Response
from schemathesis.specs.openapi.checks import negative_data_rejection

from api.main import create_app
from api.query_string import normalize
from api.settings import Settings

PROBLEM = "application/problem+json"
# What a stack trace or a database driver's message would show.
LEAK = re.compile(r"Traceback|sqlalchemy|psycopg|sqlite3\.")
# The longest request target uvicorn's parser (httptools) reads: 64 KB. The fuzzer's long lists
# of values sometimes make a longer one.
LONGEST_URL = 2**16 - 1
EXAMPLES = int(os.environ.get("EVENTDB_FUZZ_EXAMPLES", "25"))

CONFIG: dict[str, Any] = {
    "generation": {"database": "none"},  # no example database: every run draws afresh
    "checks": {
        # A value the schema allows may still name nothing: an unknown actor or slug in a filter
        # answers 422 naming the closest ones, an unknown slug in a path 404, and a cursor that
        # this list did not issue 400, all documented as problem+json. An actor's path that
        # names the actor by a name or an alias (`/actors/about`, drawn at random, is a word of
        # one) redirects to its slug (308, documented). Anything else is refused.
        "positive_data_acceptance": {
            "expected-statuses": ["2xx", "304", "308", "400", "404", "422"]
        },
    },
}


def errors_are_problem_json(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
    """Every 4xx/5xx is application/problem+json with its status, a title and a detail."""
    if response.status_code < 400:
        return None
    content_type = response.headers.get("content-type", [""])[0]
    assert content_type == PROBLEM, f"{response.status_code} answered as {content_type!r}"
    body = response.json()
    assert isinstance(body, dict), body
    assert body.get("status") == response.status_code, body
    assert body.get("title") and body.get("detail"), body
    # A value the request sent is echoed in its error (Hypothesis also draws words from our own
    # code, such as "postgresql+psycopg"): only a leak the request did not write fails.
    if not LEAK.search(repr((case.path_parameters, case.query))):
        assert not LEAK.search(response.text), response.text
    return True


# The schema, as the app builds it; test_the_fuzzed_schema_is_the_one_the_api_serves checks that
# the server answers /openapi.json with exactly this document. (Loaded at collection time, with
# no server yet: schemathesis.pytest.from_fixture would load it from the live server, but its
# runner does not work with pytest 9.)
SCHEMA_DOCUMENT = create_app(Settings(database_url="sqlite://")).openapi()
schema = schemathesis.openapi.from_dict(
    SCHEMA_DOCUMENT, config=schemathesis.Config.from_dict(CONFIG)
)


def test_the_fuzzed_schema_is_the_one_the_api_serves(client: httpx.Client) -> None:
    assert client.get("/openapi.json").json() == SCHEMA_DOCUMENT


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_every_operation_answers_as_its_schema_says_and_never_5xx(
    case: Case[Any], client: httpx.Client
) -> None:
    response = case.call(base_url=str(client.base_url))
    url = urlsplit(str(response.request.url))
    if len(url.path + (f"?{url.query}" if url.query else "")) > LONGEST_URL:
        # Refused by the HTTP server's parser before the app sees it, as a proxy would (414).
        assert (response.status_code, response.text) == (400, "Invalid HTTP request received.")
        return
    # The API tidies a query string before it reads it (api.query_string: values trimmed, blank
    # ones dropped, lists split at commas): a request drawn as invalid may be a valid one, as
    # documented, once tidied (`sort=%0B` asks for no sort). Its acceptance is no failure.
    tidied = parse_qsl(normalize(url.query), keep_blank_values=True) != parse_qsl(
        url.query, keep_blank_values=True
    )
    case.validate_response(
        response,
        additional_checks=[errors_are_problem_json],
        excluded_checks=[negative_data_rejection] if tidied else [],
    )
