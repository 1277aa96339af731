"""Role matrix: the auditor changes nothing through ANY URL of the project.

Generic over the URLconf: every pattern (admin, portal, API, audit, added later by anyone) is
walked, its converters filled with plausible values (real object ids), and POSTed to as the
auditor with a payload that would carry out common actions. After each request nothing in
the database may differ and the only new audit events are denials or the test's own logins.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern

from audit import checkpoints, exports, selectors
from audit.models import AuditEvent
from ratings.constants import RequestState
from ratings.demo import accounts as demo
from ratings.models import RatingRequest
from ratings.services.requests import attachments, workflow
from tests.factories import PASSWORD, draft_request, request_in_state

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
TOKEN = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?P<body>[^)]*)\)")


def walk(patterns: list[Any], prefix: list[Any] | None = None) -> Iterator[tuple[list[Any], URLPattern]]:
    for entry in patterns:
        chain = [*(prefix or []), entry.pattern]
        if isinstance(entry, URLResolver):
            yield from walk(entry.url_patterns, chain)
        else:
            yield chain, entry


class Filler:
    """Plausible values for path parameters: ids of objects that exist."""

    def __init__(self, rr: RatingRequest):
        self.rr = rr
        self.by_name = {
            "app_label": "ratings",
            "reference": rr.reference,
            "content_type_id": str(ContentType.objects.get_for_model(RatingRequest).pk),
            "uidb64": "MQ",
            "token": "set-password",
            "url": "ratings/ratingrequest/",
        }

    def value(self, name: str, converter: str, callback: Any) -> str:
        model_admin = getattr(callback, "model_admin", None)
        if name in {"object_id", "pk", "id"} and model_admin is not None:
            obj = model_admin.model._default_manager.order_by("pk").first()
            return str(obj.pk) if obj is not None else "1"
        if name == "action":
            return "\x00action\x00"
        if name in self.by_name:
            return self.by_name[name]
        if converter == "int" or name.endswith(("pk", "_id", "id")):
            return str(self.rr.pk)
        if converter == "uuid":
            return str(uuid.uuid4())
        if converter in {"slug", "path"}:
            return "x"
        return self.rr.reference

    def urls(self, chain: list[Any], callback: Any) -> list[str]:
        """One URL, or one per workflow action when the pattern takes an action name."""
        url = self.url(chain, callback)
        if "\x00action\x00" not in url:
            return [url]
        return [url.replace("\x00action\x00", action) for action in workflow.ACTION_LABELS]

    def url(self, chain: list[Any], callback: Any) -> str:
        parts = []
        for pattern in chain:
            text = str(pattern)
            if isinstance(pattern, RegexPattern):
                text = text.lstrip("^").rstrip("$").replace("\\Z", "")
                text = GROUP.sub(lambda m: self.value(m["name"], "", callback), text)
                text = re.sub(r"\\(.)", r"\1", text)
            else:
                text = TOKEN.sub(lambda m: self.value(m["name"], m["converter"] or "str", callback), text)
            parts.append(text)
        return "/" + "".join(parts)


# The auditor's own credentials (second factor, tokens, password) are theirs to manage on the
# account pages: those rows, and only the auditor's own, may change there.
OWN_CREDENTIALS = {
    "otp_static.StaticDevice",
    "otp_static.StaticToken",
    "otp_totp.TOTPDevice",
    "ratings.ApiToken",
    "ratings.User",
    "django_otp_webauthn.WebAuthnCredential",
    "django_otp_webauthn.WebAuthnUserHandle",  # the random handle a passkey ceremony gives the user
}
OWN_ACCOUNT_ACTIONS = {"mfa.recovery_codes", "mfa.enrol", "api_token.issue", "account.password_change", "mfa.verify"}


def fingerprint(skip: set[str] = frozenset()) -> dict[str, str]:
    """A digest of every row of every table except sessions and the (append-only) audit events."""
    result = {}
    for model in apps.get_models():
        if model in {Session, AuditEvent} or model._meta.label in skip:
            continue
        rows = list(model._default_manager.order_by("pk").values())
        result[model._meta.label] = hashlib.sha256(
            json.dumps(rows, cls=DjangoJSONEncoder, sort_keys=True).encode()
        ).hexdigest()
    return result


def _others_rows(label: str, user: Any) -> list[Any]:
    """Credential rows that belong to anyone but `user`."""
    model = apps.get_model(label)
    queryset = model._default_manager.order_by("pk")
    if label == "ratings.User":
        queryset = queryset.exclude(pk=user.pk)
    elif label == "otp_static.StaticToken":
        queryset = queryset.exclude(device__user=user)
    else:
        queryset = queryset.exclude(user=user)
    return list(queryset.values())


def payload(rr: RatingRequest, printed_name: str) -> dict[str, Any]:
    """Fields that common write forms, admin actions and API endpoints would accept."""
    return {
        "action": "delete_selected",
        "_selected_action": [str(rr.pk)],
        "post": "yes",
        "confirm": "yes",
        "reason": "The auditor tries to act.",
        "password": PASSWORD,
        "signature_name": printed_name,
        "attestation_name": printed_name,
        "printed_name": printed_name,
        "certify": "on",
        "outcome": "approve",
        "rationale": "x",
        "question": "x",
        "response": "x",
        "expected_version": str(rr.version),
        "version": str(rr.version),
        "state": RequestState.APPROVED,
        "government_program": "Changed by auditor",
    }


def test_auditor_post_to_every_url_changes_nothing(client, cast):
    # Given data of every kind, and the auditor with the permissions production gives auditors
    # plus view permission on every model.
    demo.groups_ensure()
    from django.contrib.auth.models import Group

    cast.auditor.groups.add(Group.objects.get(name="Auditors"))
    cast.auditor.user_permissions.add(*Permission.objects.filter(codename__startswith="view_"))
    rr = request_in_state(cast, RequestState.RECOMMENDED)
    draft = draft_request(cast)
    attachments.attachment_add(
        rating_request=draft, actor=cast.applicant, stream=io.BytesIO(PDF), original_name="q.pdf"
    )
    checkpoints.create_checkpoint()
    exports.start(actor=cast.auditor, format="csv", filters=selectors.EventFilters())
    filler = Filler(rr)
    data = payload(rr, cast.auditor.printed_name)

    urls = sorted(
        {(url, p.callback) for chain, p in walk(get_resolver().url_patterns) for url in filler.urls(chain, p.callback)},
        key=lambda x: x[0],
    )
    assert len(urls) >= 20  # admin, auth and audit at least
    statuses: dict[str, int] = {}
    events_of: dict[str, list[tuple[str, str]]] = {}
    for url, _callback in urls:
        client.force_login(cast.auditor)
        own = url.startswith("/accounts/")
        skip = OWN_CREDENTIALS if own else set()
        before_rows = fingerprint(skip)
        others = [row for label in OWN_CREDENTIALS for row in _others_rows(label, cast.auditor)]
        head = AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True).first()
        # When the auditor POSTs
        response = client.post(url, data)
        # Then nothing changed
        statuses[url] = response.status_code
        assert response.status_code < 500, url
        assert fingerprint(skip) == before_rows, f"POST {url} as auditor changed data (status {response.status_code})"
        assert [row for label in OWN_CREDENTIALS for row in _others_rows(label, cast.auditor)] == others, url
        new_events = list(AuditEvent.objects.filter(sequence__gt=head).values_list("action", "outcome", "object_id"))
        events_of[url] = [(a, o) for a, o, _ in new_events]
        allowed = {"auth.login", "auth.logout"} | (OWN_ACCOUNT_ACTIONS if own else set())
        written = [(a, o) for a, o, _ in new_events if o == "success" and a not in allowed]
        assert all(target == str(cast.auditor.pk) for a, o, target in new_events if a in OWN_ACCOUNT_ACTIONS), url
        assert written == [], f"POST {url} as auditor recorded {written}"
    # The auditor's own workspace refuses POST outright.
    assert statuses["/audit/"] == 405
    assert statuses[f"/audit/requests/{rr.reference}/bundle/"] == 405
    assert statuses[f"/admin/ratings/ratingrequest/{RatingRequest.objects.order_by('pk').first().pk}/delete/"] == 403
    # The workflow service refused the approval itself and recorded exactly that denial.
    assert events_of[f"/admin/ratings/ratingrequest/{rr.pk}/act/approve/"] == [("rating_request.approve", "denied")]
    assert RatingRequest.objects.get(pk=rr.pk).state == RequestState.RECOMMENDED
