"""The API against its own OpenAPI schema, in every `make test`: schemathesis generates requests
for every operation (valid and invalid input) as a manufacturer, a supplier, HHS staff and an
auditor, a third of them aimed at real records the caller can see, and every answer must be
documented: no server error, a declared status and content type, a body matching its schema.
A bounded run (a few cases per operation); `make api-contract` is the long one against a live server."""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from dpa_portal.wsgi import application
from ratings.constants import RequestState, TokenScope
from ratings.models import ApiToken, RatedOrder, RatedOrderVersion
from ratings.services.webhooks import endpoints
from tests.factories import request_in_state
from tests.ratings.casework import open_case

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES_PER_OPERATION = 2  # per kind of case; the long run (`make api-contract`) takes more
ROLES = {"manufacturer": "applicant", "supplier": "supplier", "hhs": "reviewer", "auditor": "auditor"}


@pytest.fixture(scope="module")
def openapi(django_db_blocker) -> dict[str, Any]:
    with django_db_blocker.unblock():
        return SchemaGenerator().get_schema(request=None, public=True)


@contextlib.contextmanager
def in_this_transaction() -> Iterator[None]:
    """Serve through the real WSGI application in the test's own transaction: as Django's test
    client does, a request must not close the connection the test is holding."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def known_records(cast, settings) -> dict[str, dict[str, Any]]:
    """Real path values per role: a draft, a request under review and an issued one, its order,
    an assistance case, a webhook endpoint; so generated calls reach the services and not only the 404."""
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    draft = request_in_state(cast, RequestState.DRAFT)
    in_review = request_in_state(cast, RequestState.INFO_REQUESTED)
    issued = request_in_state(cast, RequestState.ISSUED)
    order = RatedOrder.objects.get(source_request=issued)
    version = RatedOrderVersion.objects.filter(order=order).order_by("number").first()
    hook, _secret = endpoints.webhook_endpoint_create(
        actor=cast.supplier,
        organization=cast.supplier_org,
        values=endpoints.EndpointInput(url="https://hooks.example.com/dpa", event_types=["order.issued"]),
    )
    case = open_case(cast)
    references = [draft.reference, in_review.reference, issued.reference, case.reference]
    shared = {"order_number": [order.order_number], "version": [version.number], "reference": references}
    return {
        "manufacturer": {**shared, "pk": [a.pk for a in draft.attachments.all()] or [1]},
        "supplier": {**shared, "pk": [hook.pk], "delivery_id": [1]},
        "hhs": shared,
        "auditor": shared,
    }


def test_every_operation_keeps_the_contract_under_generated_input_as_every_role(cast, settings, openapi):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "1000000/minute", "user": "1000000/minute"},
    }
    records = known_records(cast, settings)
    schema = schemathesis.openapi.from_dict(openapi)
    schema.app = application
    operations = [result.ok() for result in schema.get_all_operations()]
    failures: list[str] = []

    for role, username in ROLES.items():
        _token, secret = ApiToken.objects.create(
            user=getattr(cast, username), expiry=dt.timedelta(hours=1), name="contract", scope=TokenScope.READ_WRITE
        )
        started, cases = time.monotonic(), 0
        for operation in operations:
            with in_this_transaction():
                cases += fuzz(operation, {"Authorization": f"Token {secret}"}, records[role], failures)
        print(
            f"contract fuzz as {role}: {len(operations)} operations, {cases} cases, "
            f"{time.monotonic() - started:.1f}s, {len(failures)} failures so far"
        )

    assert failures == []


def fuzz(operation: Any, headers: dict[str, str], known: dict[str, list[Any]], failures: list[str]) -> int:
    """Generate cases for one operation (valid input, invalid input, and valid input aimed at
    real records), call the application, check each answer; returns how many cases ran."""
    names = [parameter.name for parameter in operation.path_parameters]
    strategies = [
        operation.as_strategy(generation_mode=mode) for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    ]
    if names:
        real = st.fixed_dictionaries({name: st.sampled_from(known.get(name, [1])) for name in names})
        strategies.append(real.flatmap(lambda values: operation.as_strategy(path_parameters=values)))
    cases = 0

    @hypothesis_settings(
        max_examples=EXAMPLES_PER_OPERATION * len(strategies),
        deadline=None,
        derandomize=True,  # the same cases every run: a failure here is reproducible
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=st.one_of(*strategies))
    def run(case: schemathesis.Case) -> None:
        nonlocal cases
        cases += 1
        response = case.call(headers=headers)
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except FailureGroup as group:  # every failure is reported, not only the first
            failures.extend(describe(case, failure) for failure in group.exceptions)
        except Failure as failure:
            failures.append(describe(case, failure))

    run()
    return cases


def describe(case: schemathesis.Case, failure: Failure) -> str:
    return f"{case.method} {case.formatted_path}: {failure.title}: {failure.message[:600]}"
