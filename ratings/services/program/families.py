"""The item-family mapping HHS keeps: which part numbers and descriptions are one family of items
whose supply the concentration view measures. Keys are normalised as the conflict check does
(`item_key`): a part number ignoring case, spaces and punctuation; a description ignoring case
and spacing. A key belongs to one family at most."""

from __future__ import annotations

from collections.abc import Iterable

from audit import services as audit
from dpa_portal.errors import ValidationFailed
from ratings import audit_actions, permissions
from ratings.models import ItemFamily, ItemFamilyKey, User
from ratings.selectors.orders import item_key
from ratings.services import items, transition

NAME_MAX_LENGTH = 120
KEYS_MAX = 200
KEY_MAX_LENGTH = 310  # ItemFamilyKey.key

ITEM_FAMILY: transition.Kind[ItemFamily] = transition.Kind(
    model=ItemFamily,
    noun="Item family",
    reference=lambda family: family.name,
    organization_id=lambda family: None,
    filed_under=lambda family: "",
)
ITEM_FAMILY_UPDATE = transition.Action(
    audit=audit_actions.ITEM_FAMILY_UPDATE, permission=permissions.program_view_refusal
)


def family_keys(*, part_numbers: Iterable[str], descriptions: Iterable[str]) -> list[str]:
    """The normalised keys of the lines given (blank lines ignored, duplicates once)."""
    keys = [item_key(p, "") for p in part_numbers if item_key(p, "") != "desc:"]
    keys += ["desc:" + " ".join(d.casefold().split()) for d in descriptions if d.strip()]
    unique = list(dict.fromkeys(keys))
    if not unique:
        raise ValidationFailed("Give at least one part number or description of the family.", field="part_numbers")
    if len(unique) > KEYS_MAX:
        raise ValidationFailed(f"A family has at most {KEYS_MAX} part numbers and descriptions.", field="part_numbers")
    if any(len(key) > KEY_MAX_LENGTH for key in unique):
        raise ValidationFailed("A part number or description is too long.", field="descriptions")
    return unique


def _set_keys(family: ItemFamily, keys: list[str]) -> list[str]:
    taken = list(
        ItemFamilyKey.objects.filter(key__in=keys).exclude(family=family).values_list("key", "family__name")[:1]
    )
    if taken:
        key, other = taken[0]
        raise ValidationFailed(f"{key.split(':', 1)[1]} already belongs to the family {other}.", field="part_numbers")
    before = sorted(family.keys.values_list("key", flat=True)) if family.pk else []
    ItemFamilyKey.objects.filter(family=family).exclude(key__in=keys).delete()
    ItemFamilyKey.objects.bulk_create(
        [ItemFamilyKey(family=family, key=key) for key in keys if key not in before], ignore_conflicts=False
    )
    return before


def _clean_name(name: str) -> str:
    return items.clean_text(name, field="name", label="The family's name", max_length=NAME_MAX_LENGTH)


def item_family_create(
    *, actor: User, name: str, part_numbers: Iterable[str] = (), descriptions: Iterable[str] = (), notes: str = ""
) -> ItemFamily:
    def apply() -> ItemFamily:
        clean = _clean_name(name)
        keys = family_keys(part_numbers=part_numbers, descriptions=descriptions)
        if ItemFamily.objects.filter(name=clean).exists():
            raise ValidationFailed(f"A family named {clean} exists already.", field="name")
        family = ItemFamily.objects.create(name=clean, notes=notes.strip())
        _set_keys(family, keys)
        audit.record(
            action=audit_actions.ITEM_FAMILY_CREATE,
            actor=actor,
            target=family,
            reference=family.name,
            changes={"name": [None, family.name], "keys": [None, keys]},
        )
        return family

    return transition.perform_create(
        audit_actions.ITEM_FAMILY_CREATE,
        actor=actor,
        refusal=permissions.program_view_refusal(None, actor),
        apply=apply,
    )


def item_family_update(
    *,
    family: ItemFamily,
    actor: User,
    name: str,
    part_numbers: Iterable[str] = (),
    descriptions: Iterable[str] = (),
    notes: str = "",
) -> ItemFamily:
    def apply(locked: ItemFamily) -> transition.Applied:
        clean = _clean_name(name)
        keys = family_keys(part_numbers=part_numbers, descriptions=descriptions)
        if ItemFamily.objects.filter(name=clean).exclude(pk=locked.pk).exists():
            raise ValidationFailed(f"A family named {clean} exists already.", field="name")
        changes: dict[str, list[object]] = {}
        if locked.name != clean:
            changes["name"] = [locked.name, clean]
        if locked.notes != notes.strip():
            changes["notes"] = [locked.notes, notes.strip()]
        locked.name, locked.notes = clean, notes.strip()
        before = _set_keys(locked, keys)
        if before != sorted(keys):
            changes["keys"] = [before, sorted(keys)]
        return transition.Applied(changes=changes, unchanged=not changes)

    return transition.perform(ITEM_FAMILY, ITEM_FAMILY_UPDATE, target=family, actor=actor, apply=apply)
