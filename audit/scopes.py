"""What "the events of reference X" means: the record with that reference and everything under it.

A record's later events are often filed under the references of records that belong to it (a
rating request's orders, their flow-down orders and assistance cases) or name no reference at
all (a notice about one of those orders). Audit knows nothing of those records, so the app that
owns them registers, once at start-up (`register_expander`), a function giving the scope of a
reference: the references and the objects whose events belong to it. It is a query over the
records at read time: the hash-chained rows stay as written. Without an expander, or for a
reference it does not know, the scope is the reference alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from django.db.models import Q


@dataclass(frozen=True)
class Scope:
    """Events filed under or naming one of `references`, or about one of `objects`
    ({object type, e.g. "ratings.Notification": its primary keys})."""

    references: tuple[str, ...]
    objects: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def q(self) -> Q:
        condition = Q(reference__in=self.references) | Q(object_label__in=self.references)
        for object_type, ids in sorted(self.objects.items()):
            if ids:
                condition |= Q(object_type=object_type, object_id__in=ids)
        return condition

    @classmethod
    def of(cls, references: Iterable[str], objects: Mapping[str, Iterable[object]] | None = None) -> Scope:
        unique = tuple(dict.fromkeys(r for r in references if r))
        return cls(
            references=unique,
            objects={kind: tuple(dict.fromkeys(str(i) for i in ids)) for kind, ids in (objects or {}).items()},
        )


Expander = Callable[[str], "Scope | None"]

_expanders: list[Expander] = []


def register_expander(expander: Expander) -> None:
    """`expander(reference)` returns the scope of a reference its app owns, or None."""
    if expander not in _expanders:
        _expanders.append(expander)


def scope_of(reference: str) -> Scope:
    for expander in _expanders:
        scope = expander(reference)
        if scope is not None:
            return scope
    return Scope.of([reference])
