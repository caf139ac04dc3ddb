"""Validate request and response bodies against AIFE's Swagger 2.0 files (Factures, Structures).

Swagger 2.0 definitions are close to JSON Schema draft 4; this helper turns one body or response
definition into a self-contained JSON Schema (the document's `definitions` travel along so that
`$ref` resolves) and validates with `jsonschema`. `format` values (int64, date-time…) stay
annotations, because no FormatChecker is passed. Extra fields are allowed unless `strict=True`,
which forbids properties the definition does not list (useful to catch misspelt request keys).

Operations are named by their Swagger path, e.g. `"/v1/soumettre"` (searched in every loaded
file, which must make it unambiguous) or the full `"/cpro/factures/v1/soumettre"`.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

SWAGGER_FILES = ("api-chorus-pro-factures.json", "api-chorus-pro-structures.json")
# Swagger keywords that JSON Schema does not know, or that would reject valid bodies.
_DROPPED_KEYS = {"example", "xml", "discriminator", "readOnly", "externalDocs", "x-example"}


def _convert(node: Any, strict: bool) -> Any:
    if isinstance(node, list):
        return [_convert(item, strict) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: _convert(value, strict) for key, value in node.items() if key not in _DROPPED_KEYS}
    if converted.get("type") == "file":
        converted.pop("type")
    if "$ref" in converted:
        return {"$ref": converted["$ref"]}
    if strict and "properties" in node and "additionalProperties" not in node:
        converted["additionalProperties"] = False
    return converted


class SwaggerSchemas:
    """The operations of one or more Swagger 2.0 documents, ready to validate bodies."""

    def __init__(self, documents: list[dict[str, Any]]) -> None:
        self._operations: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}
        self._short: dict[str, list[str]] = {}
        for document in documents:
            base = document.get("basePath", "")
            for path, methods in document["paths"].items():
                for operation in methods.values():
                    if not isinstance(operation, dict):
                        continue
                    full = f"{base}{path}"
                    self._operations[full] = (document, operation)
                    self._short.setdefault(path, []).append(full)

    @classmethod
    def from_dir(cls, openapi_dir: Path) -> SwaggerSchemas:
        documents = []
        for name in SWAGGER_FILES:
            with (openapi_dir / name).open(encoding="utf-8") as stream:
                documents.append(json.load(stream))
        return cls(documents)

    def operations(self) -> list[str]:
        return sorted(self._operations)

    def _operation(self, operation_path: str) -> tuple[dict[str, Any], dict[str, Any]]:
        if operation_path in self._operations:
            return self._operations[operation_path]
        matches = self._short.get(operation_path, [])
        if len(matches) != 1:
            known = ", ".join(self.operations())
            problem = "is ambiguous" if matches else "is not in the Swagger files"
            raise KeyError(f"operation {operation_path!r} {problem}; known operations: {known}")
        return self._operations[matches[0]]

    def _schema(self, document: dict[str, Any], schema: dict[str, Any], strict: bool) -> dict[str, Any]:
        return {
            **_convert(copy.deepcopy(schema), strict),
            "definitions": _convert(document.get("definitions", {}), strict),
        }

    def request_schema(self, operation_path: str, *, strict: bool = False) -> dict[str, Any]:
        document, operation = self._operation(operation_path)
        for parameter in operation.get("parameters", []):
            if parameter.get("in") == "body":
                return self._schema(document, parameter["schema"], strict)
        raise KeyError(f"operation {operation_path!r} takes no JSON body")

    def response_schema(self, operation_path: str, status: int, *, strict: bool = False) -> dict[str, Any] | None:
        """Return the JSON Schema of the response with HTTP `status`, or None when the Swagger defines none."""
        document, operation = self._operation(operation_path)
        response = operation.get("responses", {}).get(str(status))
        if not response or "schema" not in response:
            return None
        return self._schema(document, response["schema"], strict)

    def validate_request(self, operation_path: str, body: Any, *, strict: bool = False) -> None:
        """Raise jsonschema.ValidationError when `body` does not fit the operation's request definition."""
        jsonschema.Draft7Validator(self.request_schema(operation_path, strict=strict)).validate(body)

    def validate_response(self, operation_path: str, status: int, body: Any, *, strict: bool = False) -> None:
        """Raise jsonschema.ValidationError when `body` does not fit the definition for `status`.

        Statuses without a schema in the Swagger (400, 401…) accept any body.
        """
        schema = self.response_schema(operation_path, status, strict=strict)
        if schema is not None:
            jsonschema.Draft7Validator(schema).validate(body)


@cache
def _default(openapi_dir: Path | None) -> SwaggerSchemas:
    if openapi_dir is None:
        from tests.conftest import find_shared_dir

        shared = find_shared_dir()
        if shared is None:
            raise FileNotFoundError("the Swagger files are not available; use the shared_dir fixture to skip")
        openapi_dir = shared / "openapi"
    return SwaggerSchemas.from_dir(openapi_dir)


def validate_request(operation_path: str, body: Any, *, openapi_dir: Path | None = None,
                     strict: bool = False) -> None:
    """Validate a request body; `openapi_dir` defaults to ../shared/openapi beside the repository."""
    _default(openapi_dir).validate_request(operation_path, body, strict=strict)


def validate_response(operation_path: str, status: int, body: Any, *, openapi_dir: Path | None = None,
                      strict: bool = False) -> None:
    """Validate a response body; `openapi_dir` defaults to ../shared/openapi beside the repository."""
    _default(openapi_dir).validate_response(operation_path, status, body, strict=strict)
