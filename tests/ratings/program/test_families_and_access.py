"""The item-family mapping and who may see the program view: audited refusals and downloads."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission

from audit.constants import Outcome
from dpa_portal.errors import PermissionRefused, ValidationFailed
from ratings.models import ItemFamily, ItemFamilyKey
from ratings.services.program import access, families
from tests.helpers import events_after, last_sequence

pytestmark = pytest.mark.django_db


def grant(user):
    user.user_permissions.add(Permission.objects.get(codename="see_program_view"))
    for cached in ("_perm_cache", "_user_perm_cache"):
        if hasattr(user, cached):
            delattr(user, cached)
    return user


def test_a_family_maps_normalised_part_numbers_and_descriptions(cast):
    start = last_sequence()
    family = families.item_family_create(
        actor=grant(cast.reviewer),
        name=" Nitrile gloves ",
        part_numbers=["GLV-100", "glv 100", ""],
        descriptions=["Nitrile  Exam Glove"],
    )
    assert family.name == "Nitrile gloves"
    assert sorted(family.keys.values_list("key", flat=True)) == ["desc:nitrile exam glove", "pn:GLV100"]
    [event] = events_after(start)
    assert (event.action, event.outcome, event.changes["keys"][1]) == (
        "item_family.create",
        Outcome.SUCCESS,
        ["pn:GLV100", "desc:nitrile exam glove"],
    )


def test_update_changes_keys_and_records_before_and_after(cast):
    reviewer = grant(cast.reviewer)
    family = families.item_family_create(actor=reviewer, name="Gloves", part_numbers=["GLV-100"])
    start = last_sequence()
    families.item_family_update(family=family, actor=reviewer, name="Gloves", part_numbers=["GLV-200"])
    assert list(family.keys.values_list("key", flat=True)) == ["pn:GLV200"]
    [event] = events_after(start)
    assert event.changes == {"keys": [["pn:GLV100"], ["pn:GLV200"]]}


def test_a_key_belongs_to_one_family(cast):
    reviewer = grant(cast.reviewer)
    families.item_family_create(actor=reviewer, name="Gloves", part_numbers=["GLV-100"])
    start = last_sequence()
    with pytest.raises(ValidationFailed, match="GLV100 already belongs to the family Gloves"):
        families.item_family_create(actor=reviewer, name="Other", part_numbers=["glv100"])
    assert ItemFamily.objects.count() == 1 and ItemFamilyKey.objects.count() == 1
    assert events_after(start) == []


def test_a_family_needs_a_key(cast):
    with pytest.raises(ValidationFailed, match="at least one part number or description"):
        families.item_family_create(actor=grant(cast.reviewer), name="Empty")


@pytest.mark.parametrize("who", ["reviewer", "hhsadmin", "supplier"])
def test_program_view_refused_without_permission_or_business_data_and_audited(cast, who):
    user = getattr(cast, who)
    if who == "hhsadmin":
        grant(user)  # even with the permission: an administrator reads no business data (AC-5)
    start = last_sequence()
    with pytest.raises(PermissionRefused):
        access.program_view_open(actor=user, page="dashboard")
    [event] = events_after(start)
    assert (event.action, event.outcome, event.reference) == ("program_view.open", Outcome.DENIED, "dashboard")


def test_program_view_open_writes_nothing_for_a_permitted_user(cast):
    start = last_sequence()
    access.program_view_open(actor=grant(cast.auditor), page="dashboard")
    assert events_after(start) == []


def test_each_download_is_audited(cast):
    start = last_sequence()
    access.program_view_export(actor=grant(cast.approver), table="requests", filters={"program": ""}, rows=3)
    [event] = events_after(start)
    assert (event.action, event.outcome, event.data) == (
        "program_view.export",
        Outcome.SUCCESS,
        {"table": "requests", "filters": {"program": ""}, "rows": 3},
    )
