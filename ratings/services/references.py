"""Human reference numbers: unique per kind and year, never reused."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from ratings.models import ReferenceCounter


def reference_allocate(*, kind: str, year: int) -> int:
    """Next number for (kind, year), under a row lock so concurrent callers never share one."""
    with transaction.atomic():
        counter = (
            ReferenceCounter.objects.select_for_update(of=("self",), no_key=True).filter(kind=kind, year=year).first()
        )
        if counter is None:
            try:
                with transaction.atomic():
                    ReferenceCounter.objects.create(kind=kind, year=year, last_value=0)
            except IntegrityError:
                pass  # another transaction created it first; lock it below
            counter = ReferenceCounter.objects.select_for_update(of=("self",), no_key=True).get(kind=kind, year=year)
        counter.last_value += 1
        counter.save(update_fields=["last_value"])
        return counter.last_value
