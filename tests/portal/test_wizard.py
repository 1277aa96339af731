"""The guided request form: each step saves the draft; errors sit beside their field."""

from __future__ import annotations

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from ratings.constants import RequestState
from ratings.models import RatingRequest
from tests.factories import draft_request, request_in_state
from tests.portal.conftest import PDF, assert_second_row_refused, details_post, future, item_row, items_post, snapshot

pytestmark = pytest.mark.django_db


def test_step_one_creates_a_draft_for_the_users_organization(cast, applicant_client):
    # When the applicant fills in step 1
    response = applicant_client.post(reverse("portal:request-create"), details_post(cast))
    # Then a draft exists for their organization and the form moves on to the line items
    rr = RatingRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:request-items", args=[rr.pk])
    assert (rr.state, rr.applicant_organization, rr.applicant_contact) == (
        RequestState.DRAFT,
        cast.manufacturer,
        cast.applicant,
    )
    assert rr.health_resource == "mRNA vaccine"
    assert AuditEvent.objects.filter(action="rating_request.create", reference=rr.reference).count() == 1


def test_step_one_service_error_is_shown_beside_the_field_and_input_kept(cast, applicant_client):
    # Given a program that allows only DO ratings
    cast.program.allowed_levels = ["DO"]
    cast.program.save()
    events = AuditEvent.objects.count()
    # When the applicant asks for DX
    response = applicant_client.post(
        reverse("portal:request-create"), details_post(cast, requested_level="DX", health_resource="Ventilator X")
    )
    # Then the service's message sits beside the level, what they typed is kept, nothing is stored
    assert response.status_code == 200
    assert response.context["form"].errors == {"requested_level": ["Program HR does not allow DX ratings."]}
    assert 'value="Ventilator X"' in response.content.decode()
    assert RatingRequest.objects.count() == 0
    assert AuditEvent.objects.count() == events


def test_step_one_required_fields_are_flagged_each_beside_itself(cast, applicant_client):
    response = applicant_client.post(
        reverse("portal:request-create"), details_post(cast, government_program="", health_resource="")
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"government_program", "health_resource"}
    assert RatingRequest.objects.count() == 0


def test_emergency_without_hours_is_refused_beside_the_hours_field(cast, applicant_client):
    response = applicant_client.post(reverse("portal:request-create"), details_post(cast, is_emergency="on"))
    assert response.context["form"].errors == {
        "emergency_response_hours": [
            "An emergency preparedness order needs the time limit, in hours, for the supplier to accept or reject."
        ]
    }
    assert RatingRequest.objects.count() == 0


def test_step_one_edit_updates_the_existing_draft(cast, applicant_client):
    rr = draft_request(cast)
    response = applicant_client.post(
        reverse("portal:request-details", args=[rr.pk]), details_post(cast, health_resource="Therapeutic Y", exit="1")
    )
    rr = RatingRequest.objects.get(pk=rr.pk)
    assert response["Location"] == reverse("portal:request-detail", args=[rr.pk])
    assert (rr.health_resource, rr.version) == ("Therapeutic Y", 2)
    # Justification entered earlier survives an edit of step 1.
    assert rr.justification_need == "Need filtration skids."


def test_add_another_item_adds_a_blank_row_without_javascript_and_keeps_input(cast, applicant_client):
    rr = draft_request(cast)
    data = items_post([item_row(cast.supplier_org, po_number="PO-KEEP")], add_item="1")
    response = applicant_client.post(reverse("portal:request-items", args=[rr.pk]), data)
    assert response.status_code == 200
    formset = response.context["formset"]
    assert len(formset.forms) == 2
    assert formset.forms[1].errors == {}
    assert 'value="PO-KEEP"' in response.content.decode()
    assert rr.line_items.get().po_number == "PO-1"  # nothing saved yet


def test_two_items_are_saved_and_a_removed_item_is_dropped(cast, applicant_client):
    rr = draft_request(cast)
    rows = [
        item_row(cast.supplier_org, po_number="PO-A", required_dates=f"{future(30)}, {future(60)}"),
        item_row(cast.supplier_org2, po_number="PO-B"),
        item_row(cast.supplier_org2, po_number="PO-GONE", DELETE="on"),
    ]
    response = applicant_client.post(reverse("portal:request-items", args=[rr.pk]), items_post(rows, initial=1))
    assert response["Location"] == reverse("portal:request-justification", args=[rr.pk])
    items = list(rr.line_items.order_by("position"))
    assert [(i.po_number, i.supplier_id) for i in items] == [
        ("PO-A", cast.supplier_org.pk),
        ("PO-B", cast.supplier_org2.pk),
    ]
    assert [d.required_date.isoformat() for d in items[0].deliveries.all()] == [future(30), future(60)]


def test_item_service_error_goes_beside_that_items_field(cast, applicant_client):
    rr = draft_request(cast)
    before = snapshot(rr)
    rows = [item_row(cast.supplier_org), item_row(cast.supplier_org, required_dates="ASAP", po_number="PO-TYPED")]
    response = applicant_client.post(reverse("portal:request-items", args=[rr.pk]), items_post(rows))
    assert response.status_code == 200
    forms = response.context["formset"].forms
    assert forms[0].errors == {}
    assert list(forms[1].errors) == ["required_dates"]
    assert 'value="PO-TYPED"' in response.content.decode()
    assert snapshot(rr) == before


def test_justification_step_saves(cast, applicant_client):
    rr = draft_request(cast)
    data = {"justification_need": "N", "justification_efforts": "E", "justification_impact": "I"}
    response = applicant_client.post(reverse("portal:request-justification", args=[rr.pk]), data)
    rr = RatingRequest.objects.get(pk=rr.pk)
    assert response["Location"] == reverse("portal:request-attachments", args=[rr.pk])
    assert (rr.justification_need, rr.justification_efforts, rr.justification_impact) == ("N", "E", "I")


def test_attachment_upload_is_stored_with_its_hash(cast, applicant_client, tmp_path):
    rr = draft_request(cast)
    upload = tmp_path / "quote.pdf"
    upload.write_bytes(PDF)
    with upload.open("rb") as handle:
        response = applicant_client.post(
            reverse("portal:request-attachments", args=[rr.pk]), {"file": handle, "upload": "1"}
        )
    assert response["Location"] == reverse("portal:request-attachments", args=[rr.pk])
    attachment = rr.attachments.get()
    assert (attachment.original_name, attachment.content_type, attachment.size) == (
        "quote.pdf",
        "application/pdf",
        len(PDF),
    )
    page = applicant_client.get(reverse("portal:request-attachments", args=[rr.pk])).content.decode()
    assert "quote.pdf" in page
    assert "PDF, PNG, JPEG, CSV, XLSX or DOCX, up to 20 MB each" in page


def test_a_pdf_name_with_other_content_is_refused(cast, applicant_client, tmp_path):
    rr = draft_request(cast)
    before = snapshot(rr)
    fake = tmp_path / "invoice.pdf"
    fake.write_bytes(b"MZ\x90\x00 this is a windows executable")
    with fake.open("rb") as handle:
        response = applicant_client.post(
            reverse("portal:request-attachments", args=[rr.pk]), {"file": handle, "upload": "1"}
        )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "file": ["“invoice.pdf” is not an accepted file: its content is not PDF, PNG, JPEG, CSV, XLSX or DOCX."]
    }
    assert snapshot(rr) == before


def test_a_file_over_the_limit_is_refused(cast, applicant_client, tmp_path, settings):
    settings.ATTACHMENT_MAX_BYTES = 1_048_576
    rr = draft_request(cast)
    before = snapshot(rr)
    big = tmp_path / "scan.pdf"
    big.write_bytes(PDF + b"0" * 1_300_000)
    with big.open("rb") as handle:
        response = applicant_client.post(
            reverse("portal:request-attachments", args=[rr.pk]), {"file": handle, "upload": "1"}
        )
    assert response.context["form"].errors == {"file": ["“scan.pdf” is 1.2 MB; the limit is 1 MB."]}
    assert snapshot(rr) == before


def test_review_shows_everything_the_warning_and_the_certification(cast, applicant_client):
    rr = draft_request(cast)
    page = applicant_client.get(reverse("portal:request-review", args=[rr.pk])).content.decode()
    for text in ("mRNA vaccine", "PO-1", "Filtration skid", "Need filtration skids.", "DO-HR", "18 U.S.C. 1001"):
        assert text in page
    assert "BUSINESS CONFIDENTIAL" in page
    assert "I certify that I am authorized" in page


def test_a_wrong_signature_is_refused_beside_the_name(cast, applicant_client):
    rr = draft_request(cast)
    before = snapshot(rr)
    response = applicant_client.post(
        reverse("portal:request-review", args=[rr.pk]), {"typed_name": "Mallory", "certify": "on"}
    )
    assert response.context["form"].errors == {
        "typed_name": ["The name you typed does not match the name on your account (Alice Applicant)."]
    }
    assert snapshot(rr) == before


def test_an_incomplete_request_cannot_be_submitted(cast, applicant_client):
    rr = draft_request(cast, justification_impact="")
    before = snapshot(rr)
    response = applicant_client.post(
        reverse("portal:request-review", args=[rr.pk]), {"typed_name": "Alice Applicant", "certify": "on"}
    )
    assert response.context["form"].non_field_errors() == ["The request is not complete: describe the impact of delay."]
    assert snapshot(rr) == before


def test_certify_and_submit(cast, applicant_client):
    rr = draft_request(cast)
    response = applicant_client.post(
        reverse("portal:request-review", args=[rr.pk]), {"typed_name": "alice  applicant", "certify": "on"}
    )
    rr = RatingRequest.objects.get(pk=rr.pk)
    assert response["Location"] == reverse("portal:request-detail", args=[rr.pk])
    assert (rr.state, rr.certified_name, rr.certified_by) == (RequestState.SUBMITTED, "alice applicant", cast.applicant)


@pytest.mark.parametrize("step", ["details", "items", "justification", "attachments", "review"])
def test_steps_refuse_a_request_that_is_no_longer_a_draft(cast, applicant_client, step):
    rr = request_in_state(cast, RequestState.SUBMITTED)
    before = snapshot(rr)
    url = reverse(f"portal:request-{step}", args=[rr.pk])
    assert applicant_client.get(url)["Location"] == reverse("portal:request-detail", args=[rr.pk])
    response = applicant_client.post(url, {"typed_name": "Alice Applicant", "certify": "on", "next": "1"}, follow=True)
    assert "only drafts and requests returned for correction can be edited" in response.content.decode()
    assert snapshot(rr) == before


def test_a_stale_page_does_not_overwrite_a_newer_draft_on_any_later_click(cast, applicant_client):
    # Given the draft was saved again (version 2) after this page was built at version 1
    rr = draft_request(cast)
    url = reverse("portal:request-details", args=[rr.pk])
    applicant_client.post(url, details_post(cast, health_resource="Newer", version="1"))
    before = snapshot(rr)
    # When the stale page is posted
    response = applicant_client.post(url, details_post(cast, health_resource="Stale", version="1"))
    # Then it is refused, both values are shown, the form still carries version 1, nothing changed
    conflict = response.context["conflict"]
    assert (conflict.version, [(r.label, r.saved, r.yours) for r in conflict.rows]) == (
        2,
        [("Health resource produced", "Newer", "Stale")],
    )
    page = response.content.decode()
    assert 'value="Stale"' in page
    assert '<input type="hidden" name="version" value="1">' in page
    assert 'name="keep_mine" value="2"' in page
    assert snapshot(rr) == before
    # And clicking save again on the re-shown form is refused the same way
    again = applicant_client.post(url, details_post(cast, health_resource="Stale", version="1"))
    assert again.context["conflict"].version == 2
    assert RatingRequest.objects.get(pk=rr.pk).health_resource == "Newer"
    assert snapshot(rr) == before
    # Until the user chooses to keep theirs over version 2
    chosen = applicant_client.post(url, details_post(cast, health_resource="Stale", version="1", keep_mine="2"))
    assert chosen["Location"] == reverse("portal:request-items", args=[rr.pk])
    assert RatingRequest.objects.get(pk=rr.pk).health_resource == "Stale"


def test_a_stale_items_page_shows_the_saved_items_beside_the_typed_ones(cast, applicant_client):
    rr = draft_request(cast)
    url = reverse("portal:request-items", args=[rr.pk])
    applicant_client.post(url, items_post([item_row(cast.supplier_org, description="Saved skid")], version="1"))
    before = snapshot(rr)

    response = applicant_client.post(
        url, items_post([item_row(cast.supplier_org, description="Typed skid")], version="1")
    )

    (row,) = response.context["conflict"].rows
    day = future()
    assert (row.label, row.saved, row.yours) == (
        "Item 1",
        f"Saved skid, 4 each from {cast.supplier_org.legal_name} (PO PO-77), due {day}",
        f"Typed skid, 4 each from {cast.supplier_org.legal_name} (PO PO-77), due {day}",
    )
    assert '<input type="hidden" name="version" value="1">' in response.content.decode()
    assert snapshot(rr) == before


def _days(count: int) -> str:
    return ", ".join(future(n) for n in range(1, count + 1))


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        ({"quantity": "1E12"}, "quantity", "Item 2: the quantity “1E12” is too large"),
        ({"quantity": "0.0001"}, "quantity", "Item 2: the quantity “0.0001” has too many decimal places"),
        ({"required_dates": _days(60)}, "required_dates", "Item 2: give at most 20 required delivery dates"),
        ({"required_dates": "2001-03-01"}, "required_dates", "The required delivery date of item 2 (2001-03-01)"),
    ],
)
def test_an_item_beyond_a_limit_is_refused_beside_its_field(cast, applicant_client, row, field, message):
    rr = draft_request(cast)
    before = snapshot(rr)
    rows = [item_row(cast.supplier_org), item_row(cast.supplier_org, **row)]

    response = applicant_client.post(reverse("portal:request-items", args=[rr.pk]), items_post(rows))

    assert response.status_code == 200
    assert_second_row_refused(response, field, message)
    assert snapshot(rr) == before


def test_51_items_are_refused_at_the_top_of_the_page(cast, applicant_client):
    rr = draft_request(cast)
    before = snapshot(rr)

    response = applicant_client.post(
        reverse("portal:request-items", args=[rr.pk]), items_post([item_row(cast.supplier_org)] * 51)
    )

    assert response.status_code == 200
    assert response.context["formset"].non_form_errors() == [
        "At most 50 items fit one request or order; remove some and put them in another."
    ]
    summary = response.content.decode().split('data-testid="error-summary"', 1)[1].split("</ul>", 1)[0]
    assert "<li>At most 50 items fit one request or order; remove some and put them in another.</li>" in summary
    assert snapshot(rr) == before


def test_a_tampered_row_count_when_adding_an_item_is_not_an_error_page(cast, applicant_client):
    rr = draft_request(cast)
    data = items_post([item_row(cast.supplier_org)], add_item="1")
    data["items-TOTAL_FORMS"] = "many"

    response = applicant_client.post(reverse("portal:request-items", args=[rr.pk]), data)

    assert response.status_code == 200
    assert rr.line_items.get().po_number == "PO-1"


def test_continue_to_review_uploads_the_chosen_file_first(cast, applicant_client, tmp_path):
    rr = draft_request(cast)
    upload = tmp_path / "quote.pdf"
    upload.write_bytes(PDF)
    with upload.open("rb") as handle:
        response = applicant_client.post(
            reverse("portal:request-attachments", args=[rr.pk]), {"file": handle, "next": "1"}
        )
    assert response["Location"] == reverse("portal:request-review", args=[rr.pk])
    assert [a.original_name for a in rr.attachments.all()] == ["quote.pdf"]


def test_a_file_refused_on_continue_keeps_the_user_on_the_step_with_the_reason(cast, applicant_client, tmp_path):
    rr = draft_request(cast)
    before = snapshot(rr)
    upload = tmp_path / "notes.exe"
    upload.write_bytes(b"MZ\x90\x00 not a document")
    with upload.open("rb") as handle:
        response = applicant_client.post(
            reverse("portal:request-attachments", args=[rr.pk]), {"file": handle, "next": "1"}
        )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["file"]
    assert snapshot(rr) == before


def test_an_attachment_is_removed_from_a_draft_and_the_removal_audited(cast, applicant_client, tmp_path):
    rr = draft_request(cast)
    upload = tmp_path / "quote.pdf"
    upload.write_bytes(PDF)
    with upload.open("rb") as handle:
        applicant_client.post(reverse("portal:request-attachments", args=[rr.pk]), {"file": handle, "upload": "1"})
    attachment = rr.attachments.get()
    version = RatingRequest.objects.get(pk=rr.pk).version

    response = applicant_client.post(
        reverse("portal:request-attachment-remove", args=[rr.pk, attachment.pk]), {"version": str(version)}
    )

    assert response["Location"] == reverse("portal:request-attachments", args=[rr.pk])
    assert rr.attachments.count() == 0
    event = AuditEvent.objects.filter(action="attachment.remove", reference=rr.reference).get()
    assert event.data["name"] == "quote.pdf"


def test_a_new_request_starts_from_a_past_one_with_its_items_and_suppliers(cast, applicant_client):
    source = request_in_state(cast, RequestState.SUBMITTED)

    response = applicant_client.post(reverse("portal:request-copy", args=[source.pk]))

    copy = RatingRequest.objects.exclude(pk=source.pk).get()
    assert response["Location"] == reverse("portal:request-details", args=[copy.pk])
    assert (copy.state, copy.applicant_contact, copy.health_resource) == (
        RequestState.DRAFT,
        cast.applicant,
        source.health_resource,
    )

    def items_of(rr):
        return [
            (
                i.position,
                i.supplier_id,
                i.po_number,
                i.description,
                i.quantity,
                [d.required_date for d in i.deliveries.all()],
            )
            for i in rr.line_items.order_by("position")
        ]

    assert items_of(copy) == items_of(source)
    event = AuditEvent.objects.filter(action="rating_request.copy", reference=copy.reference).get()
    assert event.data["copied_from"] == source.reference
