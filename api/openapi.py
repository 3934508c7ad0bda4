"""The published OpenAPI schema: what FastAPI generates, made exact for clients.

- An error is only ever answered as problem+json: FastAPI also lists application/json for a
  response `model`, which would widen a generated client's error type.
- Every query parameter may be sent empty and then means "not given" (`allowEmptyValue`), as a
  cleared form field or search box sends it (api.query_string); none is ever null.
- Each word of a vocabulary (`Stance`, `ParticipantRole`…) is described, for a filter's menu.
"""

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from api.errors import PROBLEM_MEDIA_TYPE
from api.vocabulary import DESCRIPTIONS


def _errors_as_problem_json_only(schema: dict[str, Any]) -> None:
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            for response in operation.get("responses", {}).values():
                content = response.get("content", {})
                if PROBLEM_MEDIA_TYPE in content:
                    content.pop("application/json", None)


def _empty_means_not_given(schema: dict[str, Any]) -> None:
    """A query string cannot carry null: a parameter is given, empty, or left out."""
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] != "query":
                    continue
                parameter["allowEmptyValue"] = True
                value = parameter["schema"]
                branches = [b for b in value.get("anyOf", []) if b != {"type": "null"}]
                if len(branches) == 1:
                    del value["anyOf"]
                    value.update(branches[0])


def _describe_vocabularies(schema: dict[str, Any]) -> None:
    components = schema.get("components", {}).get("schemas", {})
    for vocabulary, meanings in DESCRIPTIONS.items():
        component = components.get(vocabulary.__name__)
        if component is None:
            continue
        lines = [f"- `{word}`: {meaning}" for word, meaning in meanings.items()]
        component["description"] = "\n".join(lines)


def publish_exact_schema(app: FastAPI) -> None:
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()
            _errors_as_problem_json_only(schema)
            _empty_means_not_given(schema)
            _describe_vocabularies(schema)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
