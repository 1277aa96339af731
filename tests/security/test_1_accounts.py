"""Finding 1: self-escalation without a trace. An HHS administrator tries to make itself (or
anyone) a superuser, edits roles, organizations and programs, and grants approval authority
alone: every attempt either fails or leaves an audit event naming who changed whose roles."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from audit.models import AuditEvent
from dpa_portal.errors import ValidationFailed
from ratings.constants import GrantStatus, Role
from ratings.models import AuthorityGrant, Membership, User
from ratings.services.accounts import memberships
from tests.helpers import events_after, last_sequence

pytestmark = pytest.mark.django_db

INLINE = {
    "memberships-TOTAL_FORMS": "0",
    "memberships-INITIAL_FORMS": "0",
    "memberships-MIN_NUM_FORMS": "0",
    "memberships-MAX_NUM_FORMS": "1000",
}


def user_form(user: User, **extra) -> dict[str, str]:
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "title": user.title,
        "is_active": "on",
        **INLINE,
        **extra,
    }
    existing = list(user.memberships.order_by("pk"))
    data["memberships-TOTAL_FORMS"] = data["memberships-INITIAL_FORMS"] = str(len(existing))
    for i, m in enumerate(existing):
        data.update(
            {
                f"memberships-{i}-id": str(m.pk),
                f"memberships-{i}-user": str(user.pk),
                f"memberships-{i}-approval_level": m.approval_level,
                f"memberships-{i}-delegation": m.delegation,
                f"memberships-{i}-is_active": "on" if m.is_active else "",
            }
        )
    return data


def test_the_admin_cannot_make_itself_superuser_staff_or_give_groups_and_permissions(client, cast):
    client.force_login(cast.hhsadmin)
    url = reverse("admin:ratings_user_change", args=[cast.hhsadmin.pk])
    page = client.get(url).content.decode()
    assert 'name="is_superuser"' not in page and 'name="groups"' not in page and 'name="user_permissions"' not in page

    response = client.post(
        url, user_form(cast.hhsadmin, is_superuser="on", is_staff="on", groups="1", user_permissions="1", title="Boss")
    )

    assert response.status_code == 302
    me = User.objects.get(pk=cast.hhsadmin.pk)
    assert (me.is_superuser, me.title, list(me.user_permissions.all())) == (False, "Boss", [])
    assert client.get(reverse("audit:search")).status_code == 403  # still no audit trail for the admin


def test_nobody_changes_their_own_roles_and_the_refusal_is_audited(client, cast):
    client.force_login(cast.hhsadmin)
    start = last_sequence()
    data = user_form(cast.hhsadmin)
    n = int(data["memberships-TOTAL_FORMS"])
    data.update(
        {
            "memberships-TOTAL_FORMS": str(n + 1),
            f"memberships-{n}-organization": str(cast.hhs.pk),
            f"memberships-{n}-role": Role.AUDITOR,
        }
    )

    response = client.post(reverse("admin:ratings_user_change", args=[cast.hhsadmin.pk]), data, follow=True)

    assert "Nobody changes their own roles" in response.content.decode()
    assert not Membership.objects.filter(user=cast.hhsadmin, role=Role.AUDITOR).exists()
    assert [(e.action, e.outcome) for e in events_after(start)] == [("membership.add", "denied")]


def test_a_role_given_in_the_admin_names_who_gave_it_to_whom_and_staff_access_follows(client, cast):
    client.force_login(cast.hhsadmin)
    newcomer = User.objects.create(username="newcomer", first_name="New", last_name="Comer")
    data = user_form(newcomer)
    data.update(
        {
            "memberships-TOTAL_FORMS": "1",
            "memberships-0-organization": str(cast.hhs.pk),
            "memberships-0-role": Role.REVIEWER,
        }
    )
    start = last_sequence()

    response = client.post(reverse("admin:ratings_user_change", args=[newcomer.pk]), data)

    assert response.status_code == 302
    [event] = [e for e in events_after(start) if e.action == "membership.add"]
    assert (event.actor_id, event.object_id, event.outcome) == (cast.hhsadmin.pk, str(newcomer.pk), "success")
    assert event.changes["roles"][1]["role"] == Role.REVIEWER
    newcomer.refresh_from_db()
    assert newcomer.is_staff and list(newcomer.groups.values_list("name", flat=True)) == ["HHS workflow staff"]
    history = client.get(reverse("admin:ratings_user_history", args=[newcomer.pk])).content.decode()
    assert "Role given" in history and cast.hhsadmin.username in history


def test_organizations_and_programs_are_changed_with_before_and_after_values(client, cast):
    client.force_login(cast.hhsadmin)
    org = cast.manufacturer
    form = {
        "kind": org.kind,
        "legal_name": org.legal_name,
        "short_name": org.short_name,
        "address_line1": org.address_line1,
        "city": org.city,
        "state": org.state,
        "postal_code": org.postal_code,
        "country": org.country,
        "uei": "",
        "is_active": "on",
        "require_mfa": "on",
    }
    start = last_sequence()

    assert client.post(reverse("admin:ratings_organization_change", args=[org.pk]), form).status_code == 302

    [event] = events_after(start)
    assert (event.action, event.actor_id, event.changes) == (
        "organization.update",
        cast.hhsadmin.pk,
        {"require_mfa": [False, True]},
    )
    history = client.get(reverse("admin:ratings_organization_history", args=[org.pk])).content.decode()
    assert "Organization changed" in history


def test_approval_authority_needs_a_second_administrator(client, cast):
    second_admin = User.objects.create(username="admin2")
    Membership.objects.create(user=second_admin, organization=cast.hhs, role=Role.HHS_ADMIN)

    grant = memberships.authority_grant_request(
        user=cast.reviewer2,
        actor=cast.hhsadmin,
        organization=cast.hhs,
        approval_level="DX",
        delegation="Secretary of HHS",
    )
    assert not Membership.objects.filter(user=cast.reviewer2, role=Role.APPROVING_OFFICIAL).exists()
    with pytest.raises(Exception, match="second HHS administrator"):
        memberships.authority_grant_confirm(grant=grant, actor=cast.hhsadmin)
    assert AuthorityGrant.objects.get(pk=grant.pk).status == GrantStatus.PENDING

    memberships.authority_grant_confirm(grant=grant, actor=second_admin)

    official = Membership.objects.get(user=cast.reviewer2, role=Role.APPROVING_OFFICIAL)
    assert (official.approval_level, official.is_active) == ("DX", True)
    confirm = AuditEvent.objects.get(action="authority_grant.confirm", outcome="success")
    assert confirm.actor_id == second_admin.pk
    assert confirm.data["requested_by"]["id"] == cast.hhsadmin.pk != confirm.actor_id


def test_approval_authority_cannot_be_widened_through_the_role_form(client, cast):
    client.force_login(cast.hhsadmin)
    data = user_form(cast.approver)
    data["memberships-0-approval_level"] = "DX"

    response = client.post(reverse("admin:ratings_user_change", args=[cast.approver.pk]), data, follow=True)

    assert "second administrator" in response.content.decode()
    assert Membership.objects.get(user=cast.approver).approval_level == "DO"


def test_superusers_come_only_from_the_audited_command(monkeypatch, db):
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "a long break-glass password 7")
    monkeypatch.setattr("getpass.getuser", lambda: "ops-oncall")

    call_command("superuser_create", "breakglass", "--email", "ops@example.gov", stdout=io.StringIO())

    user = User.objects.get(username="breakglass")
    event = AuditEvent.objects.get(action="account.superuser_create")
    assert user.is_superuser and event.data["operator"] == "ops-oncall" and event.source == "command"


def test_nist_ac5_an_auditor_is_never_given_a_workflow_or_administrator_role(cast):
    """The auditor stays independent of what is audited: no second HHS role, and nothing changes."""
    before = set(Membership.objects.filter(user=cast.auditor).values_list("role", "is_active"))
    for role in (Role.REVIEWER, Role.INTAKE_ANALYST, Role.HHS_ADMIN):
        with pytest.raises(ValidationFailed, match="never held by one person") as refused:
            memberships.membership_add(user=cast.auditor, actor=cast.hhsadmin, organization=cast.hhs, role=role)
        assert refused.value.field == "role"
    with pytest.raises(ValidationFailed, match="never held by one person"):
        memberships.authority_grant_request(
            user=cast.auditor, actor=cast.hhsadmin, organization=cast.hhs, approval_level="DO", delegation="ASPR"
        )
    assert set(Membership.objects.filter(user=cast.auditor).values_list("role", "is_active")) == before
    assert not AuthorityGrant.objects.filter(user=cast.auditor).exists()


def test_nist_ac5_a_workflow_role_holder_is_not_made_auditor_nor_an_old_role_reactivated_beside_it(cast):
    with pytest.raises(ValidationFailed, match="Auditor and HHS reviewer are never held by one person"):
        memberships.membership_add(user=cast.reviewer, actor=cast.hhsadmin, organization=cast.hhs, role=Role.AUDITOR)
    assert not Membership.objects.filter(user=cast.reviewer, role=Role.AUDITOR).exists()

    # A reviewer whose role was deactivated becomes an auditor; the old role cannot come back beside it.
    reviewer_role = Membership.objects.get(user=cast.reviewer2, role=Role.REVIEWER)
    memberships.membership_change(membership=reviewer_role, actor=cast.hhsadmin, is_active=False)
    memberships.membership_add(user=cast.reviewer2, actor=cast.hhsadmin, organization=cast.hhs, role=Role.AUDITOR)
    with pytest.raises(ValidationFailed, match="never held by one person") as refused:
        memberships.membership_change(membership=reviewer_role, actor=cast.hhsadmin, is_active=True)
    assert refused.value.field == "is_active"
    reviewer_role.refresh_from_db()
    assert reviewer_role.is_active is False


def test_nist_ac5_the_admin_role_form_shows_the_separation_refusal(client, cast):
    client.force_login(cast.hhsadmin)
    data = user_form(cast.approver)
    n = int(data["memberships-TOTAL_FORMS"])
    data.update(
        {
            "memberships-TOTAL_FORMS": str(n + 1),
            f"memberships-{n}-organization": str(cast.hhs.pk),
            f"memberships-{n}-role": Role.AUDITOR,
            f"memberships-{n}-is_active": "on",
        }
    )
    response = client.post(reverse("admin:ratings_user_change", args=[cast.approver.pk]), data, follow=True)
    assert "never held by one person" in response.content.decode()
    assert not Membership.objects.filter(user=cast.approver, role=Role.AUDITOR).exists()
