"""The OpenAPI document describes exactly the routes the app serves under /api/v1."""

from __future__ import annotations

import re
from typing import Any

from queue_core.web.openapi import PREFIX, build_document, operations

IGNORED_METHODS = {"HEAD", "OPTIONS"}
# `<int:number>` and `<ticket_id>` in Flask are `{number}` and `{ticket_id}` in OpenAPI.
CONVERTER = re.compile(r"<(?:[a-z_]+(?:\([^)]*\))?:)?([a-z_]+)>")


def served(app: Any) -> set[tuple[str, str]]:
    found = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(PREFIX + "/"):
            continue
        path = CONVERTER.sub(r"{\1}", rule.rule)
        found |= {(method, path) for method in rule.methods - IGNORED_METHODS}
    return found


def test_every_route_is_described_and_nothing_else(app: Any) -> None:
    described = operations(build_document(version="test"))
    routes = served(app)
    assert routes - described == set(), "routes missing from queue_core/openapi.py"
    assert described - routes == set(), "queue_core/openapi.py describes routes the app lacks"


def test_operation_ids_name_the_flask_endpoints(app: Any) -> None:
    endpoints = {}
    for rule in app.url_map.iter_rules():
        path = CONVERTER.sub(r"{\1}", rule.rule)
        for method in rule.methods - IGNORED_METHODS:
            endpoints[(method, path)] = rule.endpoint
    document = build_document(version="test")
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            assert operation["operationId"] == endpoints[(method.upper(), PREFIX + path)]


def test_path_parameters_are_declared(app: Any) -> None:
    document = build_document(version="test")
    for path, methods in document["paths"].items():
        names = set(re.findall(r"{(\w+)}", path))
        for operation in methods.values():
            declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert declared == names, (path, declared)


def test_every_reference_resolves() -> None:
    document = build_document(version="test")
    schemas = document["components"]["schemas"]

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            target = node.get("$ref")
            if isinstance(target, str):
                assert target.removeprefix("#/components/schemas/") in schemas, target
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(document)


def test_the_app_serves_the_document(client: Any) -> None:
    answer = client.get("/api/v1/openapi.json")
    assert answer.status_code == 200
    document = answer.get_json()
    assert document["openapi"].startswith("3.1")
    assert document["servers"] == [{"url": "http://localhost/api/v1"}]
    assert document["paths"] == build_document(version="test")["paths"]
    assert document["info"]["version"]


def test_the_document_is_valid_openapi(client: Any) -> None:
    import schemathesis

    document = client.get("/api/v1/openapi.json").get_json()
    schema = schemathesis.openapi.from_dict(document)
    # Loading resolves every operation; a malformed one raises here.
    assert len(list(schema.get_all_operations())) == len(operations(document))


def test_protected_operations_refuse_anonymous_callers(client: Any) -> None:
    document = build_document(version="test")
    for path, methods in document["paths"].items():
        # Every path parameter as "1": a number where a number is wanted, any id elsewhere.
        url = PREFIX + re.sub(r"{\w+}", "1", path)
        for method, operation in methods.items():
            if not operation["x-roles"]:
                continue
            answer = client.open(url, method=method.upper(), json={})
            assert answer.status_code == 401, (method, url, answer.status_code)
            assert answer.get_json()["error"]["code"] == "unauthorized"
