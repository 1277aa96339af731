"""The API against its own OpenAPI schema, in every `make test`: schemathesis generates calls for
every operation (valid input, invalid input, and valid input aimed at real records) and each is
sent as a manufacturer, a supplier, HHS staff and an auditor; every answer must be documented: no
server error, a declared status, content type and headers, a body matching its schema. A bounded
run (a few cases per operation); `make api-contract` is the long one against a live server."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
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
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from dpa_portal.wsgi import application
from ratings.constants import RequestState, TokenScope
from ratings.models import ApiToken, RatedOrder
from ratings.services.requests import attachments
from ratings.services.webhooks import endpoints
from tests.factories import request_in_state
from tests.ratings.api.test_requests_api import PDF_BYTES
from tests.ratings.casework import open_case

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
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


def known_records(cast, settings) -> dict[str, list[Any]]:
    """Real path values: a draft with a file, a request under review and an issued one, its
    order, an assistance case, a webhook endpoint; so generated calls reach the services and not
    only the 404 (each role tries them all: another organization's must be a 404)."""
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    draft = request_in_state(cast, RequestState.DRAFT)
    attachment = attachments.attachment_add(
        rating_request=draft, actor=cast.applicant, stream=io.BytesIO(PDF_BYTES), original_name="quote.pdf"
    )
    in_review = request_in_state(cast, RequestState.INFO_REQUESTED)
    issued = request_in_state(cast, RequestState.ISSUED)
    order = RatedOrder.objects.get(source_request=issued)
    hook, _secret = endpoints.webhook_endpoint_create(
        actor=cast.supplier,
        organization=cast.supplier_org,
        values=endpoints.EndpointInput(url="https://hooks.example.com/dpa", event_types=["order.issued"]),
    )
    case = open_case(cast)
    return {
        "reference": [draft.reference, in_review.reference, issued.reference, case.reference],
        "order_number": [order.order_number],
        "version": [1],
        "pk": [attachment.pk, hook.pk],
        "delivery_id": [1],
    }


def test_every_operation_keeps_the_contract_under_generated_input_as_every_role(cast, settings, openapi):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "1000000/minute", "user": "1000000/minute"},
    }
    known = known_records(cast, settings)
    schema = schemathesis.openapi.from_dict(openapi)
    schema.app = application
    operations = [result.ok() for result in schema.get_all_operations()]
    callers = {}
    for role, username in ROLES.items():
        _token, secret = ApiToken.objects.create(
            user=getattr(cast, username), expiry=dt.timedelta(hours=1), name="contract", scope=TokenScope.READ_WRITE
        )
        callers[role] = {"Authorization": f"Token {secret}"}
    failures: list[str] = []
    started, cases = time.monotonic(), 0

    for operation in operations:
        with in_this_transaction():
            cases += fuzz(operation, callers, known, failures)

    print(
        f"contract fuzz: {len(operations)} operations, {cases} cases each sent as {len(callers)} roles "
        f"({cases * len(callers)} calls), {time.monotonic() - started:.1f}s, {len(failures)} failures"
    )
    assert failures == []


def fuzz(operation: Any, callers: dict[str, dict[str, str]], known: dict[str, list[Any]], failures: list[str]) -> int:
    """Generate cases for one operation (valid input, invalid input, and valid input aimed at
    real records), send each as every role, check each answer; returns how many cases ran."""
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
        for role, headers in callers.items():
            response = case.call(headers=headers)
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except FailureGroup as group:  # every failure is reported, not only the first
                failures.extend(describe(role, case, failure) for failure in group.exceptions)
            except Failure as failure:
                failures.append(describe(role, case, failure))

    run()
    return cases


def describe(role: str, case: schemathesis.Case, failure: Failure) -> str:
    return f"as {role}: {case.method} {case.formatted_path}: {failure.title}: {failure.message[:600]}"
