"""The HHS staff pages for rating authorizations: the page with its versions and orders, and the
signed changes (revoke, upgrade, amend) as forms asking the reason, password and code."""

from __future__ import annotations

import datetime as dt

from audit.models import AuditEvent
from ratings.constants_authorization import AuthorizationStatus
from ratings.models import RatingAuthorization
from tests.factories import PASSWORD, otp
from tests.ratings.orders.authorization_changes import placed


def test_staff_see_the_authorization_with_its_orders_and_a_revoke_button(
    cast, client, django_capture_on_commit_callbacks
):
    p = placed(cast, django_capture_on_commit_callbacks)
    client.force_login(cast.approver)

    listing = client.get("/admin/ratings/ratingauthorization/")
    page = client.get(f"/admin/ratings/ratingauthorization/{p.authorization.pk}/change/").content.decode()

    assert listing.status_code == 200 and p.authorization.number in listing.content.decode()
    assert p.first.order_number in page and p.sub_tier.order_number in page
    assert f"/admin/ratings/ratingauthorization/{p.authorization.pk}/revoke/" in page


def test_applicants_and_suppliers_have_no_authorization_admin(cast, client, django_capture_on_commit_callbacks):
    p = placed(cast, django_capture_on_commit_callbacks)
    for user in (cast.applicant, cast.supplier):
        client.force_login(user)
        assert client.get(f"/admin/ratings/ratingauthorization/{p.authorization.pk}/revoke/").status_code == 302


def test_revoke_through_the_admin_form_refusals_are_messages(cast, client, django_capture_on_commit_callbacks):
    """45 CFR 101.36(a)(1) through the admin: a wrong password or a missing reason is a clear
    message and changes nothing; then the signed revocation."""
    p = placed(cast, django_capture_on_commit_callbacks)
    client.force_login(cast.approver)
    url = f"/admin/ratings/ratingauthorization/{p.authorization.pk}/revoke/"
    form = {"reason": "Need ended.", "password": "nope", "otp": otp(cast.approver), "version": "1"}

    wrong = client.post(url, form)
    assert wrong.status_code == 200 and "The password you entered is not correct" in wrong.content.decode()
    assert [m.message for m in wrong.context["messages"]] == [
        "The password you entered is not correct; nothing was signed."
    ]
    blank = client.post(url, {**form, "reason": "", "password": PASSWORD})
    assert "Give the reason for the revocation" in blank.content.decode()
    assert RatingAuthorization.objects.get(pk=p.authorization.pk).status == AuthorizationStatus.ACTIVE

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(url, {**form, "password": PASSWORD, "otp": otp(cast.approver)}, follow=True)

    assert RatingAuthorization.objects.get(pk=p.authorization.pk).status == AuthorizationStatus.REVOKED
    assert "revoked (version 2 signed)" in done.content.decode()
    assert AuditEvent.objects.filter(action="rating_authorization.revoke", outcome="success").count() == 1


def test_upgrade_through_the_admin_form_a_do_official_gets_a_message(cast, client, django_capture_on_commit_callbacks):
    """45 CFR 101.36(b): only DX authority signs a DX rating; the refusal is a message."""
    p = placed(cast, django_capture_on_commit_callbacks)
    url = f"/admin/ratings/ratingauthorization/{p.authorization.pk}/upgrade/"
    client.force_login(cast.approver)
    assert url in client.get(f"/admin/ratings/ratingauthorization/{p.authorization.pk}/change/").content.decode()

    refused = client.post(
        url, {"reason": "Escalated.", "password": PASSWORD, "otp": otp(cast.approver), "version": "1"}
    )

    assert "needs an approving official with DX authority; yours is DO" in refused.content.decode()
    assert RatingAuthorization.objects.get(pk=p.authorization.pk).level == "DO"

    client.force_login(cast.secretary)
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            url, {"reason": "Escalated.", "password": PASSWORD, "otp": otp(cast.secretary), "version": "1"}, follow=True
        )

    assert "upgraded to DX (version 2 signed)" in done.content.decode()
    assert RatingAuthorization.objects.get(pk=p.authorization.pk).rating == "DX-HR"


def test_amend_through_the_admin_form_a_past_date_is_a_field_error(cast, client, django_capture_on_commit_callbacks):
    p = placed(cast, django_capture_on_commit_callbacks)
    url = f"/admin/ratings/ratingauthorization/{p.authorization.pk}/amend/"
    client.force_login(cast.approver)
    form = {
        "valid_until": "2001-01-01",
        "conditions": p.authorization.conditions,
        "reason": "More time.",
        "password": PASSWORD,
        "otp": otp(cast.approver),
        "version": "1",
    }

    refused = client.post(url, form)

    assert refused.status_code == 200
    assert "cannot end before today" in str(refused.context["form"].errors["valid_until"])
    assert RatingAuthorization.objects.get(pk=p.authorization.pk).version == 1

    later = (p.authorization.valid_until + dt.timedelta(days=30)).isoformat()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(url, {**form, "valid_until": later}, follow=True)

    assert "amended (version 2 signed); the orders placed under it are unchanged" in done.content.decode()
    assert RatingAuthorization.objects.get(pk=p.authorization.pk).valid_until.isoformat() == later
