"""The OpenAPI schema is valid and documents what the API does: every operation has a stable
id, a tag, words, its problem responses (problem+json), and the headers changes need."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command

PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def schema(tmp_path_factory, django_db_blocker):
    path = tmp_path_factory.mktemp("schema") / "schema.json"
    with django_db_blocker.unblock():
        # --validate checks it against the OpenAPI 3 meta-schema; a warning (a guessed type) fails.
        call_command("spectacular", "--validate", "--fail-on-warn", "--format", "openapi-json", "--file", str(path))
    return json.loads(path.read_text())


def _operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def test_only_the_versioned_api_is_in_the_contract(schema):
    assert all(path.startswith("/api/v1/") for path in schema["paths"])
    assert len(list(_operations(schema))) >= 40


def test_every_operation_has_an_id_a_tag_a_summary_and_its_problems(schema):
    gaps = []
    for path, method, operation in _operations(schema):
        problems = {code for code, response in operation["responses"].items() if PROBLEM in response.get("content", {})}
        if not operation.get("summary") or operation.get("tags", ["api"]) == ["api"]:
            gaps.append((method, path, "summary/tag"))
        if not {"401", "403", "429"} <= problems:
            gaps.append((method, path, sorted(problems)))
        if method in ("post", "put") and "400" not in problems:
            gaps.append((method, path, "no 400"))
    assert gaps == []
    ids = [operation["operationId"] for _, _, operation in _operations(schema)]
    assert len(ids) == len(set(ids))
    assert {"orders_accept", "webhooks_create", "events_list", "assistance_cases_open", "assistance_cases_take"} <= set(
        ids
    )


def test_no_operation_is_described_by_the_code_that_serves_it(schema):
    # drf-spectacular falls back to the view class's docstring, which speaks to developers.
    import inspect

    from ratings.api import base
    from ratings.api.views import assistance, audit, authorizations, hhs, orders, reference, requests, webhooks

    modules = (base, assistance, audit, authorizations, hhs, orders, reference, requests, webhooks)
    docstrings = {
        " ".join(inspect.getdoc(cls).split())
        for module in modules
        for _, cls in inspect.getmembers(module, inspect.isclass)
        if cls.__module__ == module.__name__ and inspect.getdoc(cls)
    }
    leaked = [
        (method, path)
        for path, method, operation in _operations(schema)
        if " ".join(operation.get("description", "").split()) in docstrings
    ]
    assert leaked == []


def test_changes_declare_if_match_and_posts_idempotency_keys(schema):
    creates = {"/api/v1/requests/", "/api/v1/webhooks/", "/api/v1/audit/exports/", "/api/v1/assistance-cases/"}
    gaps = []
    for path, method, operation in _operations(schema):
        headers = {p["name"]: p for p in operation.get("parameters", []) if p["in"] == "header"}
        declared = headers.get("If-Match", {}).get("required") and "412" in operation["responses"]
        if method in ("post", "put", "delete") and path not in creates and not declared:
            gaps.append((method, path, "If-Match"))
        if method == "post" and "Idempotency-Key" not in headers:
            gaps.append((method, path, "Idempotency-Key"))
    assert gaps == []


def test_states_and_reasons_are_enums_and_problems_have_a_schema(schema):
    components = schema["components"]["schemas"]
    assert components["RequestStateEnum"]["enum"][:2] == ["draft", "submitted"]
    assert "cannot_meet_date" in components["RejectionReasonEnum"]["enum"]
    assert "order.issued" in components["WebhookEventTypeEnum"]["enum"]
    assert set(components["Problem"]["required"]) == {"type", "title", "status", "detail"}
    assert set(schema["components"]["securitySchemes"]) == {"tokenAuth", "cookieAuth"}


def test_no_operation_shows_an_organizations_uei(schema):
    """Who may list supplier organizations reads names and places, never their SAM.gov UEI: no
    request or response shape of the contract has the field."""
    shapes = schema["components"]["schemas"]
    assert [name for name, shape in shapes.items() if "uei" in shape.get("properties", {})] == []
    assert set(shapes["Supplier"]["properties"]) == {"id", "legal_name", "city", "state", "country"}
