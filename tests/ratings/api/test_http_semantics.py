"""HTTP semantics every API resource keeps: idempotent POSTs, conditional requests, cursor
pages for syncing, throttles with Retry-After, and the same number of queries whatever the page size."""

from __future__ import annotations

import io
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework import serializers
from rest_framework.test import APIClient

from audit.models import AuditEvent
from ratings.api.base import _without_parameters
from ratings.api.views.requests import RequestListQuery
from ratings.constants import RequestState
from ratings.models import Attachment, IdempotencyRecord, RatingRequest
from ratings.services.webhooks import endpoints
from tests.factories import request_in_state
from tests.ratings.api.receiver import receiver
from tests.ratings.api.test_requests_api import PDF_BYTES, client_for, payload

# --- Idempotency-Key ------------------------------------------------------------------------


def test_replaying_a_create_with_the_same_key_returns_the_first_response_and_creates_nothing(cast):
    client = client_for(cast.applicant)
    key = str(uuid.uuid4())

    first = client.post("/api/v1/requests/", payload(cast), format="json", HTTP_IDEMPOTENCY_KEY=key)
    events = AuditEvent.objects.count()
    again = client.post("/api/v1/requests/", payload(cast), format="json", HTTP_IDEMPOTENCY_KEY=key)

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert (again["Location"], again["ETag"], again["Idempotent-Replayed"]) == (
        first["Location"],
        first["ETag"],
        "true",
    )
    assert RatingRequest.objects.count() == 1
    assert AuditEvent.objects.count() == events


def test_the_same_key_with_another_body_is_a_422_and_creates_nothing(cast):
    client = client_for(cast.applicant)
    client.post("/api/v1/requests/", payload(cast), format="json", HTTP_IDEMPOTENCY_KEY="k-1")

    other = client.post(
        "/api/v1/requests/", payload(cast, health_resource="Other"), format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )

    assert other.status_code == 422
    assert other["Content-Type"] == "application/problem+json"
    assert other.json()["type"] == "urn:dpa-portal:problem:idempotency_key_reused"
    assert RatingRequest.objects.count() == 1


def test_a_refusal_is_replayed_as_the_same_problem(cast):
    client = client_for(cast.applicant)
    bad = payload(cast, program="NOPE")

    first = client.post("/api/v1/requests/", bad, format="json", HTTP_IDEMPOTENCY_KEY="bad-1")
    again = client.post("/api/v1/requests/", bad, format="json", HTTP_IDEMPOTENCY_KEY="bad-1")

    assert (first.status_code, again.status_code) == (400, 400)
    assert again["Content-Type"] == first["Content-Type"] == "application/problem+json"
    assert again.json() == first.json()


def test_a_stale_if_match_is_not_kept_under_the_key_so_the_retry_after_reading_works(cast):
    rr = request_in_state(cast, RequestState.DRAFT)
    client = client_for(cast.applicant)
    url = f"/api/v1/requests/{rr.reference}/withdraw/"

    stale = client.post(url, {"reason": "x"}, format="json", HTTP_IF_MATCH='"old"', HTTP_IDEMPOTENCY_KEY="w-1")
    etag = client.get(f"/api/v1/requests/{rr.reference}/")["ETag"]
    retried = client.post(url, {"reason": "x"}, format="json", HTTP_IF_MATCH=etag, HTTP_IDEMPOTENCY_KEY="w-1")

    assert (stale.status_code, retried.status_code) == (412, 200)
    assert retried.json()["state"] == RequestState.WITHDRAWN


def test_keys_are_per_user_and_another_users_key_does_not_replay(cast):
    client_for(cast.applicant).post("/api/v1/requests/", payload(cast), format="json", HTTP_IDEMPOTENCY_KEY="shared")

    response = client_for(cast.applicant2).post(
        "/api/v1/requests/", payload(cast), format="json", HTTP_IDEMPOTENCY_KEY="shared"
    )

    assert response.status_code == 201  # applicant2's own draft, for its own manufacturer
    assert "Idempotent-Replayed" not in response
    assert response.json()["applicant_organization"] == cast.manufacturer2.legal_name
    assert RatingRequest.objects.count() == 2


def test_an_upload_retried_with_its_key_is_stored_once(cast):
    rr = request_in_state(cast, RequestState.DRAFT)
    client = client_for(cast.applicant)
    url = f"/api/v1/requests/{rr.reference}/attachments/"
    etag = client.get(f"/api/v1/requests/{rr.reference}/")["ETag"]

    def upload():
        stream = io.BytesIO(PDF_BYTES)
        stream.name = "quote.pdf"
        return client.post(url, {"file": stream}, format="multipart", HTTP_IF_MATCH=etag, HTTP_IDEMPOTENCY_KEY="up-1")

    first, again = upload(), upload()

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert first["Location"].endswith(f"/api/v1/requests/{rr.reference}/attachments/{first.json()['id']}/")
    assert Attachment.objects.filter(request=rr).count() == 1


def test_a_key_older_than_24_hours_is_forgotten(cast, settings):
    client = client_for(cast.applicant)
    client.post("/api/v1/requests/", payload(cast), format="json", HTTP_IDEMPOTENCY_KEY="old")
    IdempotencyRecord.objects.update(created_at="2020-01-01T00:00:00Z")

    again = client.post("/api/v1/requests/", payload(cast), format="json", HTTP_IDEMPOTENCY_KEY="old")

    assert again.status_code == 201
    assert "Idempotent-Replayed" not in again
    assert RatingRequest.objects.count() == 2


# --- conditional requests -------------------------------------------------------------------


def test_a_change_without_if_match_is_428_and_changes_nothing(cast):
    rr = request_in_state(cast, RequestState.DRAFT)

    response = client_for(cast.applicant).post(
        f"/api/v1/requests/{rr.reference}/withdraw/", {"reason": "Not needed"}, format="json"
    )

    assert response.status_code == 428
    assert response.json()["type"] == "urn:dpa-portal:problem:precondition_required"
    rr.refresh_from_db()
    assert (rr.state, rr.version) == (RequestState.DRAFT, 1)


@pytest.mark.parametrize("tag", ['"0123"', "W/{etag}", "garbage"])
def test_a_stale_or_weak_if_match_is_412_and_changes_nothing(cast, tag):
    rr = request_in_state(cast, RequestState.DRAFT)
    client = client_for(cast.applicant)
    etag = client.get(f"/api/v1/requests/{rr.reference}/")["ETag"]

    response = client.post(
        f"/api/v1/requests/{rr.reference}/withdraw/",
        {"reason": "Not needed"},
        format="json",
        HTTP_IF_MATCH=tag.format(etag=etag),
    )

    assert response.status_code == 412
    rr.refresh_from_db()
    assert (rr.state, rr.version) == (RequestState.DRAFT, 1)


def test_the_etag_read_before_someone_elses_change_is_stale(cast):
    rr = request_in_state(cast, RequestState.DRAFT)
    client = client_for(cast.applicant)
    before = client.get(f"/api/v1/requests/{rr.reference}/")["ETag"]
    changed = client.put(
        f"/api/v1/requests/{rr.reference}/line-items/", payload(cast)["line_items"], format="json", HTTP_IF_MATCH=before
    )

    late = client.post(
        f"/api/v1/requests/{rr.reference}/withdraw/", {"reason": "x"}, format="json", HTTP_IF_MATCH=before
    )

    assert changed.status_code == 200
    assert changed["ETag"] != before
    assert late.status_code == 412


def test_if_none_match_with_the_current_etag_is_304(cast):
    rr = request_in_state(cast, RequestState.DRAFT)
    client = client_for(cast.applicant)
    url = f"/api/v1/requests/{rr.reference}/"
    etag = client.get(url)["ETag"]

    cached = client.get(url, HTTP_IF_NONE_MATCH=etag)
    other = client.get(url, HTTP_IF_NONE_MATCH='"other"')

    assert (cached.status_code, cached["ETag"], cached.content) == (304, etag, b"")
    assert other.status_code == 200
    assert (
        client.get("/api/v1/requests/", HTTP_IF_NONE_MATCH=client.get("/api/v1/requests/")["ETag"]).status_code == 304
    )


# --- pages for syncing ----------------------------------------------------------------------


def test_cursor_pages_follow_page_size_and_updated_since(cast):
    first, second, third = (request_in_state(cast, RequestState.DRAFT) for _ in range(3))
    client = client_for(cast.applicant)

    page1 = client.get("/api/v1/requests/?page_size=2").json()
    page2 = client.get(page1["next"]).json()
    since = client.get("/api/v1/requests/", {"updated_since": second.updated_at.isoformat()}).json()

    assert [r["reference"] for r in page1["results"]] == [first.reference, second.reference]
    assert [r["reference"] for r in page2["results"]] == [third.reference]
    assert page2["next"] is None
    assert [r["reference"] for r in since["results"]] == [second.reference, third.reference]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("page_size=201", "page_size"),
        ("page_size=0", "page_size"),
        ("updated_since=yesterday", "updated_since"),
        ("cursor=bogus", "cursor"),
        ("state=bogus", "state"),
    ],
)
def test_a_bad_list_parameter_is_a_400_naming_it(cast, query, field):
    response = client_for(cast.applicant).get(f"/api/v1/requests/?{query}")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]


LISTS = {
    "applicant": ["/api/v1/requests/", "/api/v1/orders/", "/api/v1/suppliers/", "/api/v1/events/"],
    "supplier": ["/api/v1/orders/", "/api/v1/events/", "/api/v1/webhooks/", "/api/v1/webhooks/{hook}/deliveries/"],
    "auditor": ["/api/v1/requests/", "/api/v1/orders/", "/api/v1/events/"],
}


def test_every_list_costs_the_same_queries_whatever_the_page_size(cast, settings, django_capture_on_commit_callbacks):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = True
    with receiver() as hook:
        hooks = [
            endpoints.webhook_endpoint_create(
                actor=cast.supplier,
                organization=cast.supplier_org,
                values=endpoints.EndpointInput(url=hook.url, event_types=["order.issued"]),
            )[0]
            for _ in range(2)
        ]
        with django_capture_on_commit_callbacks(execute=True):
            two_orders = request_in_state(cast, RequestState.ISSUED, suppliers=[cast.supplier_org, cast.supplier_org2])
            for _ in range(3):
                request_in_state(cast, RequestState.ISSUED)
    lists = {**LISTS, "applicant": [*LISTS["applicant"], f"/api/v1/requests/{two_orders.reference}/orders/"]}
    counts: dict[str, list[int]] = {}
    for role, paths in lists.items():
        client = client_for(getattr(cast, role))
        client.get("/api/v1/programs/")  # the token's first use of the minute records when it was used
        for path in paths:
            for size in (1, 2):
                with CaptureQueriesContext(connection) as queries:
                    response = client.get(path.format(hook=hooks[0].pk), {"page_size": size})
                assert response.status_code == 200, (role, path, response.content)
                assert len(response.json()["results"]) == size, (role, path)
                counts.setdefault(f"{role} {path}", []).append(len(queries))

    assert {name: len(set(sizes)) for name, sizes in counts.items()} == dict.fromkeys(counts, 1)


# --- throttles ------------------------------------------------------------------------------


def test_each_token_has_its_own_budget_and_is_told_when_to_retry(cast, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "30/minute", "user": "3/minute"},
    }
    busy, other = client_for(cast.applicant), client_for(cast.applicant)

    statuses = [busy.get("/api/v1/programs/").status_code for _ in range(4)]
    throttled = busy.get("/api/v1/programs/")

    assert statuses == [200, 200, 200, 429]
    assert throttled["Content-Type"] == "application/problem+json"
    assert int(throttled["Retry-After"]) > 0
    assert other.get("/api/v1/programs/").status_code == 200


def test_supplier_organizations_are_listed_only_to_who_names_them(cast):
    assert client_for(cast.hhsadmin).get("/api/v1/suppliers/").status_code == 403
    names = client_for(cast.applicant).get("/api/v1/suppliers/").json()["results"]
    assert "uei" not in names[0]
    assert APIClient().get("/api/v1/suppliers/").status_code == 401


# --- the edges of the contract ---------------------------------------------------------------


def test_an_unknown_query_parameter_is_a_400_not_a_silent_everything(cast):
    client = client_for(cast.applicant)

    misspelt = client.get("/api/v1/requests/?stat=draft")
    on_a_detail = client.get("/api/v1/programs/?page_size=1")

    assert (misspelt.status_code, list(misspelt.json()["errors"])) == (400, ["stat"])
    assert on_a_detail.status_code == 400


def test_an_address_no_api_route_matches_is_a_404_problem(cast):
    response = client_for(cast.applicant).get("/api/v1/webhooks/not-a-number/")

    assert (response.status_code, response["Content-Type"]) == (404, "application/problem+json")


def test_options_and_other_undeclared_methods_are_405(cast):
    client = client_for(cast.applicant)

    options = client.options("/api/v1/requests/")
    trace = client.generic("TRACE", "/api/v1/orders/?page_size=1")
    query = client.generic("QUERY", "/api/v1/orders/?page_size=1")  # also the name of a helper method

    assert (options.status_code, options["Content-Type"]) == (405, "application/problem+json")
    assert (trace.status_code, query.status_code) == (405, 405)


def test_a_list_without_parameters_takes_the_query_validated_once_per_class_unless_a_default_is_computed():
    class Stamped(serializers.Serializer):
        since = serializers.DateTimeField(default=timezone.now)

    class Needs(serializers.Serializer):
        state = serializers.CharField()

    assert _without_parameters(RequestListQuery) == {}
    assert _without_parameters(Stamped) is None  # computed default: validated at each call
    assert _without_parameters(Needs) is None  # not valid without it: the call gets the 400
