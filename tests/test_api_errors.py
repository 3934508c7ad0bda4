"""Errors are RFC 9457 problem+json with a sentence a person can read."""

from typing import Any

import httpx
import pytest

PROBLEM = "application/problem+json"


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert isinstance(body["title"], str) and body["title"]
    assert isinstance(body["detail"], str) and body["detail"].endswith((".", "?"))
    assert "Traceback" not in response.text and "SELECT" not in response.text
    return body


@pytest.mark.parametrize(
    "path",
    [
        "/actors/nobody",
        "/events/nothing",
        "/statements/999999",
        "/statements/no-such-slug",
        "/proposals/none",
        "/sources/none",
        "/no-such-endpoint",
    ],
)
def test_an_unknown_slug_or_path_answers_404(client: httpx.Client, path: str) -> None:
    assert_problem(client.get(path), 404)


def test_a_bad_date_answers_422_saying_it_is_not_a_date(client: httpx.Client) -> None:
    body = assert_problem(client.get("/statements", params={"from": "2024-13-01"}), 422)
    assert body["detail"].startswith("from=2024-13-01 is not a date")


def test_a_range_that_ends_before_it_starts_answers_422(client: httpx.Client) -> None:
    body = assert_problem(
        client.get("/events", params={"from": "2024-06-10", "to": "2024-06-01"}), 422
    )
    assert "after" in str(body["detail"])


def test_a_typo_in_a_parameter_name_answers_400_naming_it_and_the_parameters_taken(
    client: httpx.Client,
) -> None:
    body = assert_problem(client.get("/statements", params={"speakr": "blinken"}), 400)
    detail = str(body["detail"])
    assert detail.startswith("speakr is not a parameter of /statements")
    for taken in ("speaker", "from", "to", "q", "limit", "cursor"):
        assert taken in detail


def test_a_parameter_that_takes_one_value_given_twice_answers_422_naming_it(
    client: httpx.Client,
) -> None:
    body = assert_problem(client.get("/statements?q=hamas&q=blinken"), 422)
    assert body["type"] == "/problems/invalid-parameter"
    assert body["errors"][0]["parameter"] == "q"
    assert "q is given more than once" in str(body["detail"])


def test_an_unknown_actor_answers_422_naming_the_closest_actors(client: httpx.Client) -> None:
    body = assert_problem(client.get("/statements", params={"speaker": "blinkn"}), 422)
    assert body["type"] == "/problems/invalid-parameter"
    [error] = body["errors"]
    assert error["parameter"] == "speaker"
    assert "antony-blinken" in error["suggestions"]
    assert "antony-blinken" in error["message"] and "antony-blinken" in str(body["detail"])


def test_every_invalid_value_is_one_entry_of_errors(client: httpx.Client) -> None:
    body = assert_problem(
        client.get("/statements", params={"speaker": "blinkn", "limit": "0"}), 422
    )
    assert [e["parameter"] for e in body["errors"]] == ["limit"]
    both = assert_problem(client.get("/statements?speaker=blinkn&speaker=zzzz+qqqq"), 422)
    assert [e["parameter"] for e in both["errors"]] == ["speaker", "speaker"]
    assert all(set(e) <= {"parameter", "message", "suggestions"} for e in both["errors"])


@pytest.mark.parametrize(
    "query",
    [
        "speaker=nobody+at+all&cursor=abc",
        "speaker=nobody+at+all&q=%21%21%21",
        "term=no-such-term&cursor=abc",
    ],
)
def test_an_unknown_name_is_reported_before_a_bad_cursor_or_search(
    client: httpx.Client, query: str
) -> None:
    """The same on both databases, though PostgreSQL resolves names in the page's statement."""
    path = "/positions" if query.startswith("term") else "/statements"
    body = assert_problem(client.get(f"{path}?{query}"), 422)
    assert [e["parameter"] for e in body["errors"]] == [query.split("=")[0]]


@pytest.mark.parametrize("parameter", ["actor", "speaker", "affiliation"])
def test_every_actor_parameter_refuses_names_that_match_nothing(
    client: httpx.Client, parameter: str
) -> None:
    path = {"actor": "/events", "speaker": "/statements", "affiliation": "/actors"}[parameter]
    assert_problem(client.get(path, params={parameter: "zzzz qqqq"}), 422)


@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("/statements", "event"),
        ("/statements", "term"),
        ("/positions", "term"),
        ("/positions", "proposal"),
        ("/terms", "proposal"),
    ],
)
def test_an_unknown_slug_in_a_filter_answers_422_not_an_empty_list(
    client: httpx.Client, path: str, parameter: str
) -> None:
    assert_problem(client.get(path, params={parameter: "no-such-thing"}), 422)


@pytest.mark.parametrize(
    ("path", "parameter", "value"),
    [
        ("/events", "kind", "picnic"),
        ("/positions", "stance", "loves"),
        ("/statements", "direct", "maybe"),
        ("/terms", "phase", "one"),
        ("/actors", "kind", "alien"),
        ("/statements", "sort", "speaker"),
        ("/statements", "precision", "hourly"),
        ("/statements", "limit", "0"),
    ],
)
def test_a_value_outside_the_vocabulary_answers_422_naming_the_parameter(
    client: httpx.Client, path: str, parameter: str, value: str
) -> None:
    body = assert_problem(client.get(path, params={parameter: value}), 422)
    assert str(body["detail"]).startswith(f"{parameter}=")
    assert [error["parameter"] for error in body["errors"]] == [parameter]


def test_a_search_with_no_words_answers_422(client: httpx.Client) -> None:
    assert_problem(client.get("/statements", params={"q": "%%% ***"}), 422)


def test_a_write_method_answers_405_because_the_api_is_read_only(client: httpx.Client) -> None:
    body = assert_problem(client.post("/statements", json={}), 405)
    assert "read-only" in str(body["detail"])


def test_an_actor_path_with_a_name_redirects_to_the_actor_s_slug(client: httpx.Client) -> None:
    response = client.get("/actors/blinken", follow_redirects=False)
    assert response.status_code == 308
    assert response.headers["location"] == "/actors/antony-blinken"
    named = client.get("/actors/the top U.S. diplomat", follow_redirects=True)
    assert named.json()["slug"] == "antony-blinken"


def test_an_actor_path_that_names_nobody_answers_404_with_the_closest_slugs(
    client: httpx.Client,
) -> None:
    body = assert_problem(client.get("/actors/blinkn"), 404)
    assert body["type"] == "/problems/not-found"
    assert body["suggestions"] == ["antony-blinken"]
    assert "antony-blinken" in body["detail"]


@pytest.mark.parametrize(
    ("path", "closest"),
    [
        ("/events/blinken-cairo-remark", "blinken-cairo-remarks"),
        ("/terms/permanent-ceasefir", "permanent-ceasefire"),
        ("/proposals/gaza-ceasefire", "gaza-ceasefire-proposal"),
        ("/sources/wapo-2024-06-10-blinkn", "wapo-2024-06-10-blinken"),
        ("/statements/biden-permanent-end-of-war", "biden-permanent-end-to-war"),
        ("/read/events/blinken-cairo-remark", "blinken-cairo-remarks"),
    ],
)
def test_a_slug_with_a_typo_answers_404_with_the_closest_slugs(
    client: httpx.Client, path: str, closest: str
) -> None:
    answer = client.get(path)
    assert answer.status_code == 404
    if path.startswith("/read/"):  # a page: the same words, in HTML
        assert closest in answer.text
        return
    body = assert_problem(answer, 404)
    assert closest in body["suggestions"]
    assert "Did you mean" in body["detail"] and closest in body["detail"]


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/actors/nobody", 404),
        ("/statements?speakr=x", 400),
        ("/statements?cursor=nonsense", 400),
        ("/statements?speaker=nobody-at-all", 422),
        ("/statements?limit=0", 422),
    ],
)
def test_every_problem_type_is_a_documented_uri_with_a_fixed_title(
    client: httpx.Client, path: str, status: int
) -> None:
    body = assert_problem(client.get(path), status)
    assert body["type"].startswith("/problems/")
    page = client.get(body["type"])
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert body["title"] in page.text
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    documented = [
        schemas[name]["properties"]["type"]
        for name in ("InvalidParameterProblem", "NotFoundProblem", "OtherProblem")
    ]
    assert any(body["type"] in [t.get("const"), *t.get("enum", [])] for t in documented)
