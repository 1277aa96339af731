"""Finding 7: input at the edge. NUL bytes and broken UTF-8 anywhere are a 400 with a message;
a tampered formset counter is not a 500; uploads stream to disk with the limit enforced while
reading; attachments are capped; PDFs that run code when opened are refused."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from dpa_portal.errors import ValidationFailed
from ratings import uploads
from ratings.constants import RequestState, TokenScope
from ratings.models import ApiToken
from ratings.services.requests import attachments
from tests.factories import draft_request, request_in_state

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def api_for(user) -> APIClient:
    import datetime as dt

    _token, secret = ApiToken.objects.create(
        user=user, expiry=dt.timedelta(days=1), name="t", scope=TokenScope.READ_WRITE
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


def test_nul_bytes_in_api_parameters_and_paths_are_400_problems(cast):
    api = api_for(cast.applicant)
    for path in ("/api/v1/requests/?state=dr%00aft", "/api/v1/requests/PRR-%00/", "/api/v1/requests/?state=%C3%28"):
        response = api.get(path)
        assert response.status_code == 400, path
        assert response["Content-Type"] == "application/problem+json"


def test_nul_bytes_in_the_audit_workspace_filters_are_400(client, cast):
    client.force_login(cast.auditor)
    for query in ("q=a%00b", "actor=x%00", "reference=PRR%00"):
        response = client.get(f"/audit/?{query}")
        assert response.status_code == 400, query
        assert "not allowed" in response.content.decode()


def test_a_nul_byte_in_a_form_field_or_header_is_a_400(client, cast):
    client.force_login(cast.applicant)
    assert client.post(reverse("portal:request-create"), {"government_program": "a\x00b"}).status_code == 400
    assert client.get("/portal/", HTTP_X_CUSTOM="a\x00b").status_code == 400


def test_a_tampered_formset_counter_is_not_a_500(client, cast):
    rr = draft_request(cast)
    client.force_login(cast.applicant)
    response = client.post(
        reverse("portal:request-items", args=[rr.pk]),
        {"items-TOTAL_FORMS": "abc", "items-INITIAL_FORMS": "0", "add_item": "1"},
    )
    assert response.status_code == 200


def test_an_upload_is_cut_at_the_limit_while_it_streams(settings, tmp_path):
    settings.ATTACHMENT_MAX_BYTES = 1024
    handler = uploads.LimitedUploadHandler()
    handler.new_file("file", "big.pdf", "application/pdf", 300 * 1024 * 1024)
    chunk = b"0" * 64 * 1024
    for n in range(50):  # 3.2 MB sent
        assert handler.receive_data_chunk(chunk, n * len(chunk)) is None
    received = handler.file_complete(50 * len(chunk))
    assert received.size == 50 * len(chunk)
    received.seek(0, io.SEEK_END)
    assert received.tell() == 1025  # kept on disk: one byte past the limit, never the rest


def test_a_request_holds_a_limited_number_of_files(settings, cast):
    settings.ATTACHMENTS_PER_REQUEST_MAX = 2
    rr = draft_request(cast)
    for n in range(2):
        attachments.attachment_add(
            rating_request=rr, actor=cast.applicant, stream=io.BytesIO(PDF), original_name=f"{n}.pdf"
        )
    with pytest.raises(ValidationFailed, match="at most 2 files"):
        attachments.attachment_add(
            rating_request=rr, actor=cast.applicant, stream=io.BytesIO(PDF), original_name="3.pdf"
        )
    assert rr.attachments.count() == 2


def test_an_answer_carries_a_limited_number_of_files(settings, cast):
    settings.ATTACHMENTS_PER_ANSWER_MAX = 1
    rr = request_in_state(cast, RequestState.INFO_REQUESTED)
    question = rr.information_requests.get()
    attachments.attachment_add(
        rating_request=rr,
        actor=cast.applicant,
        stream=io.BytesIO(PDF),
        original_name="a.pdf",
        information_request=question,
    )
    with pytest.raises(ValidationFailed, match="at most 1 files"):
        attachments.attachment_add(
            rating_request=rr,
            actor=cast.applicant,
            stream=io.BytesIO(PDF),
            original_name="b.pdf",
            information_request=question,
        )


@pytest.mark.parametrize(
    ("body", "what"),
    [
        (b"1 0 obj<</Type/Catalog/OpenAction<</S/JavaScript/JS(app.alert(1))>>>>endobj", "JavaScript"),
        (b"1 0 obj<</Type/Catalog/OpenAction<</S/Launch/F(calc.exe)>>>>endobj", "a launch action"),
        (b"1 0 obj<</Type/Catalog/OpenAction<</S/J#61vaScript/J#53(x)>>>>endobj", "JavaScript"),
    ],
)
def test_pdfs_that_run_code_when_opened_are_refused(cast, body, what):
    rr = draft_request(cast)
    pdf = b"%PDF-1.4\n" + body + b"\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    with pytest.raises(ValidationFailed, match=what):
        attachments.attachment_add(
            rating_request=rr, actor=cast.applicant, stream=io.BytesIO(pdf), original_name="q.pdf"
        )
    assert rr.attachments.count() == 0


def test_a_plain_pdf_is_accepted_through_the_streaming_handler(client, cast):
    rr = draft_request(cast)
    client.force_login(cast.applicant)
    upload = SimpleUploadedFile("quote.pdf", PDF, content_type="application/pdf")
    client.post(reverse("portal:request-attachments", args=[rr.pk]), {"file": upload, "upload": "1"})
    assert rr.attachments.count() == 1


def test_a_nul_in_a_json_field_is_a_400_problem_and_nothing_is_stored(cast):
    rr = request_in_state(cast, RequestState.SUBMITTED)
    response = api_for(cast.applicant).post(
        f"/api/v1/requests/{rr.reference}/withdraw/", '{"reason": "a\\u0000b"}', content_type="application/json"
    )
    assert response.status_code == 400 and "NUL" in response.json()["detail"]
    rr.refresh_from_db()
    assert rr.state == RequestState.SUBMITTED
