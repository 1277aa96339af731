"""The auditor's way in and what the workspace shows: sign-in lands on /audit/, the short filters
are picklists with human labels, people and organizations are typed (an organization by name or
number, an unknown or ambiguous one refused with a clear message), changes read as before/after values in the agency's time zone, and
every export keeps its signed manifest as a visible, audited download."""

from __future__ import annotations

import hashlib
import json
import re

import pytest
from django.urls import reverse

from audit import services
from audit.models import AuditEvent, ExportJob
from ratings.constants import RequestState
from tests.factories import request_in_state

pytestmark = pytest.mark.django_db


def test_an_auditor_lands_on_the_audit_workspace_and_staff_see_a_link_to_it(client, cast):
    client.force_login(cast.auditor)
    assert client.get("/")["Location"] == reverse("audit:search")
    client.force_login(cast.intake)
    assert client.get("/")["Location"] == reverse("admin:index")
    # an auditor who opens the admin finds the way to the workspace in its header and on the queue
    client.force_login(cast.auditor)
    page = client.get(reverse("admin:index")).content.decode()
    header = f'<a href="{reverse("audit:search")}">Audit trail</a>'
    queue = f'<a href="{reverse("audit:search")}">open the audit workspace</a>'
    assert header in page and queue in page
    client.force_login(cast.intake)
    page = client.get(reverse("admin:index")).content.decode()
    assert header not in page and queue not in page


def _options(html: str, select_id: str) -> dict[str, str]:
    select = re.search(rf'<select[^>]*id="{select_id}".*?</select>', html, re.S)
    assert select is not None, select_id
    return dict(re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select.group(0)))


def _input(html: str, input_id: str) -> str:
    found = re.search(rf'<input[^>]*id="{input_id}"[^>]*>', html)
    assert found is not None, input_id
    return found.group(0)


def test_short_filters_are_picklists_with_human_labels_and_people_and_organizations_are_typed(client, cast, settings):
    rr = request_in_state(cast, RequestState.APPROVED)
    services.record(action="rating_request.review_overdue", actor=None, reference=rr.reference)
    client.force_login(cast.auditor)
    html = client.get(reverse("audit:search")).content.decode()
    actions = _options(html, "f-action")
    assert actions["rating_request.approve"] == "Approved"
    assert actions["rated_order."] == "Any rated order action"
    assert _options(html, "f-object-type")["ratings.RatedOrder"].lower().startswith("rated order")
    assert _options(html, "f-outcome") == {
        "": "Any outcome",
        "success": "Success",
        "denied": "Denied",
        "failure": "Failure",
    }
    # no list of every account or organization: each is a labelled, described text input
    assert not re.search(r'<select[^>]*id="f-(actor|organization)"', html)
    assert f'<option value="{cast.manufacturer.pk}"' not in html and f'<option value="{cast.approver.pk}"' not in html
    for name in ("actor", "organization"):
        field = _input(html, f"f-{name}")
        assert f'name="{name}"' in field and f'aria-describedby="f-{name}-hint"' in field
        assert f'id="f-{name}-hint"' in html and f'<label class="usa-label" for="f-{name}">' in html

    # each filter filters
    def found(**params):
        return {e.action for e in client.get(reverse("audit:search"), params).context["page"].events}

    assert found(action="rating_request.approve") == {"rating_request.approve"}
    assert found(object_type="ratings.RatedOrder", reference=rr.reference) == {"rated_order.place"}
    system = client.get(reverse("audit:search"), {"actor": "system"}).context["page"].events
    assert [e.action for e in system] == ["rating_request.review_overdue"]
    by_org = client.get(reverse("audit:search"), {"organization": str(cast.manufacturer.pk)}).context["page"].events
    assert by_org and {e.organization_id for e in by_org} == {cast.manufacturer.pk}
    # an organization by its name (any case), its short name or a part only it has: the same events,
    # and the field shows what was typed
    for typed in ("acme vaccines", "Acme", "vaccin"):
        response = client.get(reverse("audit:search"), {"organization": typed})
        assert [e.sequence for e in response.context["page"].events] == [e.sequence for e in by_org]
        assert f'value="{typed}"' in _input(response.content.decode(), "f-organization")
    # the table shows labels, not codes
    page = client.get(reverse("audit:search"), {"reference": rr.reference}).content.decode()
    assert ">Approved<" in page and "rating_request.approve<" not in page


def test_an_unknown_or_ambiguous_organization_is_refused_saying_why_and_keeps_what_was_typed(client, cast):
    client.force_login(cast.auditor)
    unknown = client.get(reverse("audit:search"), {"organization": "Zeta Labs", "reference": "PRR-1"})
    assert unknown.status_code == 400
    html = unknown.content.decode()
    assert "Organization: no organization has a name containing “Zeta Labs”." in html
    field = _input(html, "f-organization")
    assert 'value="Zeta Labs"' in field and 'aria-invalid="true"' in field and "search-error" in field
    assert 'value="PRR-1"' in _input(html, "f-reference")
    missing = client.get(reverse("audit:search"), {"organization": "999999"})
    assert missing.status_code == 200 and list(missing.context["page"].events) == []  # a number filters as given
    # "o" is in several names (Beta Diagnostics, Filtra Corp, PumpCo...), each listed with its number
    several = client.get(reverse("audit:search"), {"organization": "o"}).content.decode()
    assert "Organization: “o” matches several organizations: " in several
    assert f"Beta Diagnostics (number {cast.manufacturer2.pk})" in several and "Acme" not in several
    assert "Give more of the name, or the number." in several
    # the export takes the same names, and refuses the same way
    exported = client.get(reverse("audit:export"), {"format": "csv", "organization": "Beta"})
    assert exported.status_code == 200
    refused = client.get(reverse("audit:export"), {"format": "csv", "organization": "Zeta Labs"})
    assert refused.status_code == 400 and "no organization has" in refused.content.decode()


def test_changes_read_as_before_and_after_values_in_the_agency_time_zone(client, cast, settings):
    settings.AGENCY_TIME_ZONE = "America/New_York"
    rr = request_in_state(cast, RequestState.SUBMITTED)
    services.record(
        action="rating_request.update",
        actor=cast.applicant,
        reference=rr.reference,
        changes={
            "review_paused_at": [None, "2026-07-01T16:00:00Z"],
            "certified_at": ["2026-01-15T15:30:00+00:00", None],
            "urgent": [False, True],
            "assigned_reviewer_id": [None, cast.reviewer.pk],
            "state": [RequestState.SUBMITTED, RequestState.IN_REVIEW],
            "requested_level": ["DX", "DO"],
            "note": ["in_review", "free text stays as written"],
        },
    )
    client.force_login(cast.auditor)
    for url in (reverse("audit:history", args=[rr.reference]), f"{reverse('audit:search')}?reference={rr.reference}"):
        page = client.get(url).content.decode()
        changes = re.findall(r'<ul class="audit-changes">(.*?)</ul>', page, re.S)
        text = " ".join(re.sub(r"<[^>]+>", "", c) for c in changes)
        assert "Review paused at: (none) → 2026-07-01 12:00:00 EDT" in text
        assert "Certified at: 2026-01-15 10:30:00 EST → (none)" in text
        assert "Urgent: No → Yes" in text
        name = f"{cast.reviewer.get_full_name()} ({cast.reviewer.username})"
        assert f"Assigned reviewer: (none) → {name}" in text
        # stored codes read by their labels; free text is never relabelled
        assert f"State: {RequestState.SUBMITTED.label} → {RequestState.IN_REVIEW.label}" in text
        assert "Requested level: DX → DO" in text
        assert "Note: in_review → free text stays as written" in text
        assert not re.search(r"\b(None|True|False)\b|\{'", text), text


def test_each_export_keeps_its_signed_manifest_as_a_visible_audited_download(client, cast):
    rr = request_in_state(cast, RequestState.SUBMITTED)
    client.force_login(cast.auditor)
    search = client.get(reverse("audit:search"), {"reference": rr.reference}).content.decode()
    assert f'href="{reverse("audit:exports")}"' in search
    exported = client.get(reverse("audit:export"), {"format": "csv", "reference": rr.reference})
    body = b"".join(exported.streaming_content)
    job = ExportJob.objects.get()
    listing = client.get(reverse("audit:exports")).content.decode()
    manifest_url = reverse("audit:export-manifest", args=[job.pk])
    assert f'href="{manifest_url}"' in listing
    assert "Reference</strong>: " + rr.reference in listing
    assert f'href="{manifest_url}"' in client.get(reverse("audit:export-job", args=[job.pk])).content.decode()
    head = AuditEvent.objects.order_by("-sequence").first().sequence
    manifest = client.get(manifest_url)
    assert manifest["Content-Disposition"] == f'attachment; filename="audit-export-{job.pk}.csv.manifest.json"'
    assert json.loads(manifest.content)["sha256"] == hashlib.sha256(body).hexdigest()
    event = AuditEvent.objects.get(sequence__gt=head)
    assert (event.action, event.actor_id, event.object_id) == ("audit.export_manifest", cast.auditor.pk, str(job.pk))
