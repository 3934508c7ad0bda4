"""The README's curl examples are run against the API, so they never go stale."""

import re

import httpx
import pytest

from api.settings import PROJECT_ROOT

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
EXAMPLES = re.findall(r"curl (?:-\w+ )*'(?:http://127\.0\.0\.1:8000)(/[^']*)'", README)


def test_the_readme_has_a_dozen_questions_with_their_curl() -> None:
    assert len(EXAMPLES) >= 12


@pytest.mark.parametrize("path", EXAMPLES)
def test_every_readme_example_answers_something(client: httpx.Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200, response.text
    if response.headers["content-type"].startswith("text/csv"):
        assert response.text.count("\n") > 1
    elif "items" in response.json():
        assert response.json()["total"] > 0


def test_the_readme_evidence_example_is_the_real_answer(client: httpx.Client) -> None:
    statement = client.get("/statements/blinken-urges-world-leaders").json()
    assert (
        f'"start": {statement["evidence"]["start"]}, "end": {statement["evidence"]["end"]}'
        in README
    )
    assert statement["evidence"]["text"] in README
