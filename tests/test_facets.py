"""Facets (`facets=` on a list), against the seeded article, on both databases: a facet's count
is the number of the list's items that the facet's link would show."""

from typing import Any

import httpx
import pytest

from api.queries.actors import ACTOR_FACETS
from api.queries.events import EVENT_FACETS
from api.queries.proposals import POSITION_FACETS, PROPOSAL_FACETS, TERM_FACETS
from api.queries.statements import STATEMENT_FACETS

FACETS = {
    "/actors": ACTOR_FACETS,
    "/events": EVENT_FACETS,
    "/statements": STATEMENT_FACETS,
    "/proposals": PROPOSAL_FACETS,
    "/terms": TERM_FACETS,
    "/positions": POSITION_FACETS,
}
# Facets that count a field no filter of the same name matches exactly: `mode` (the filter is
# `direct`) and `location` (its filter matches part of a location: "Israel" finds "Tel Aviv,
# Israel" too).
NOT_FILTERS = {("/statements", "mode"), ("/events", "location")}
CASES = [(path, name) for path, facets in FACETS.items() for name in facets]


@pytest.mark.parametrize("path", FACETS)
def test_the_schema_describes_every_facet_a_list_counts(client: httpx.Client, path: str) -> None:
    spec = client.get("/openapi.json").json()
    answer = spec["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
    page = spec["components"]["schemas"][answer["schema"]["$ref"].rsplit("/", 1)[-1]]
    facets = spec["components"]["schemas"][page["properties"]["facets"]["$ref"].rsplit("/", 1)[-1]]
    assert set(facets["properties"]) == set(FACETS[path])


def facet(client: httpx.Client, path: str, name: str, **params: Any) -> dict[str, Any]:
    response = client.get(path, params={"facets": name, "limit": 1, **params})
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()["facets"][name]
    return found


@pytest.mark.parametrize(("path", "name"), [c for c in CASES if c not in NOT_FILTERS])
def test_a_facet_value_counts_the_items_its_filter_finds(
    client: httpx.Client, path: str, name: str
) -> None:
    values = facet(client, path, name)["values"]
    assert values, f"{path} has no {name} to count"
    for value in values:
        filtered = client.get(path, params={name: value["value"], "limit": 1})
        assert filtered.status_code == 200, filtered.text
        assert filtered.json()["total"] == value["count"], (name, value)


@pytest.mark.parametrize(("path", "name"), CASES)
def test_a_facet_lists_the_most_common_values_first(
    client: httpx.Client, path: str, name: str
) -> None:
    values = facet(client, path, name)["values"]
    counts = [value["count"] for value in values]
    assert counts == sorted(counts, reverse=True)
    assert all(count > 0 for count in counts)
    assert len({value["value"] for value in values}) == len(values)


def test_a_facet_counts_under_the_lists_filters(client: httpx.Client) -> None:
    answer = client.get("/statements", params={"speaker": "antony-blinken", "facets": "speaker"})
    body = answer.json()
    [only] = body["facets"]["speaker"]["values"]
    assert only == {"value": "antony-blinken", "label": "Antony Blinken", "count": body["total"]}
    assert body["facets"]["speaker"]["exact"] is True


@pytest.mark.parametrize(("path", "name"), sorted(NOT_FILTERS))
def test_a_facet_that_is_not_a_filter_counts_the_items_with_exactly_its_value(
    client: httpx.Client, path: str, name: str
) -> None:
    every = client.get(path, params={"limit": 500}).json()["items"]
    values = facet(client, path, name)["values"]
    assert {value["value"]: value["count"] for value in values} == {
        found: sum(1 for item in every if item[name] == found)
        for found in {item[name] for item in every} - {None}
    }


def test_an_unknown_facet_is_refused_with_the_ones_there_are(client: httpx.Client) -> None:
    answer = client.get("/events", params={"facets": "speaker"})
    assert answer.status_code == 422
    problem = answer.json()
    assert problem["errors"][0]["parameter"] == "facets"
    assert "actor" in problem["detail"]
