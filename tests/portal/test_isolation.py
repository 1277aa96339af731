"""Every object URL is scoped to the user's organization: another company's number gives 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from ratings.constants import RequestState
from ratings.services.requests import attachments
from tests.factories import request_in_state
from tests.portal.conftest import PDF, login, snapshot

pytestmark = pytest.mark.django_db

OBJECT_URLS = [
    "portal:request-detail",
    "portal:request-details",
    "portal:request-items",
    "portal:request-justification",
    "portal:request-attachments",
    "portal:request-review",
    "portal:request-respond",
    "portal:request-withdraw",
]
POST_DATA = {
    "typed_name": "Bob Builder",
    "certify": "on",
    "reason": "Mine now",
    "response": "Here it is",
    "justification_need": "x",
    "justification_efforts": "x",
    "justification_impact": "x",
}


@pytest.mark.parametrize("state", [RequestState.DRAFT, RequestState.INFO_REQUESTED])
@pytest.mark.parametrize("name", OBJECT_URLS)
def test_another_manufacturer_gets_404_and_nothing_changes(client, cast, name, state):
    # Given Acme's request, and Beta's applicant signed in
    rr = request_in_state(cast, state)
    login(client, cast.applicant2)  # signing in is itself audited
    before = snapshot(rr)
    url = reverse(name, args=[rr.pk])
    # When they open or post to its URL
    get = client.get(url)
    post = client.post(url, POST_DATA)
    # Then 404 both times, with none of Acme's data, and nothing changed or audited
    assert (get.status_code, post.status_code) == (404 if name != "portal:request-respond" else 405, 404)
    assert rr.reference not in get.content.decode() + post.content.decode()
    assert snapshot(rr) == before


@pytest.mark.parametrize("name", OBJECT_URLS)
def test_a_supplier_gets_404_on_request_urls(client, cast, name):
    rr = request_in_state(cast, RequestState.DRAFT)
    login(client, cast.supplier)
    before = snapshot(rr)
    assert client.post(reverse(name, args=[rr.pk]), POST_DATA).status_code == 404
    assert snapshot(rr) == before


def test_attachment_download_of_another_company_is_404_and_audited_as_denied(client, cast, tmp_path):
    rr = request_in_state(cast, RequestState.DRAFT)
    path = tmp_path / "a.pdf"
    path.write_bytes(PDF)
    with path.open("rb") as handle:
        attachment = attachments.attachment_add(
            rating_request=rr, actor=cast.applicant, stream=handle, original_name="a.pdf"
        )
    login(client, cast.applicant2)
    assert client.get(reverse("attachment-download", args=[attachment.pk])).status_code == 404
    denied = AuditEvent.objects.filter(action="attachment.download").values_list("outcome", flat=True)
    assert list(denied) == ["denied"]
    login(client, cast.applicant)
    response = client.get(reverse("attachment-download", args=[attachment.pk]))
    assert (response.status_code, b"".join(response.streaming_content)) == (200, PDF)
