"""The evidence bundle of one rating request: what the bundle holds of the request (audit.bundle
writes the ZIP, its events, chain segment, signed checkpoint and manifest, and audits it)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core import serializers
from django.db.models import FileField, Model

from audit import bundle
from dpa_portal.errors import NotFound
from ratings.models import AssistanceCase, AssistanceEntry, Directive, RatingRequest, SupplierResponse, User
from ratings.selectors import holds as hold_selectors


def _related(rr: RatingRequest) -> list[tuple[str, list[Model]]]:
    """Every object that points at the request directly (line items, attachments, questions,
    and whatever other modules add later, e.g. rated orders and their documents)."""
    related = []
    for relation in RatingRequest._meta.related_objects:
        if not (relation.one_to_many or relation.one_to_one):
            continue
        name = relation.get_accessor_name()
        if name is None:
            continue
        if relation.one_to_one:
            obj = getattr(rr, name, None)
            objects = [obj] if obj is not None else []
        else:
            objects = list(getattr(rr, name).all())
        related.append((name, objects))
    return related


def _dump(objects: Any) -> list[dict[str, Any]]:
    return list(json.loads(serializers.serialize("json", objects)))


def request_data(rr: RatingRequest) -> dict[str, Any]:
    data: dict[str, Any] = {"request": _dump([rr])[0]}
    for name, objects in _related(rr):
        data[name] = _dump(objects)
    data["deliveries"] = _dump([d for item in rr.line_items.all() for d in item.deliveries.all()])
    data["legal_holds"] = _dump(hold_selectors.request_holds(rr))
    orders = list(rr.rated_orders.all())
    data["supplier_responses"] = _dump(SupplierResponse.objects.filter(order__in=orders))
    data["assistance_cases"] = _dump(AssistanceCase.objects.filter(order__in=orders))
    data["assistance_entries"] = _dump(AssistanceEntry.objects.filter(case__order__in=orders))
    data["directives"] = _dump(Directive.objects.filter(order__in=orders))
    return data


def _also(rr: RatingRequest) -> list[str]:
    """The records belonging to the request whose events are filed under their own reference:
    its rated orders, and the assistance cases about them."""
    orders = list(rr.rated_orders.values_list("order_number", flat=True))
    cases = list(AssistanceCase.objects.filter(order__source_request=rr).values_list("reference", flat=True))
    return [*orders, *cases]


def _documents(rr: RatingRequest) -> list[bundle.BundleDocument]:
    """Every stored file of the request's objects, with the SHA-256 recorded when it was stored."""
    found = []
    for _, objects in _related(rr):
        for obj in objects:
            for field in obj._meta.fields:
                if isinstance(field, FileField):
                    file = getattr(obj, field.name)
                    if file:
                        label = getattr(obj, "original_name", "") or Path(file.name).name
                        found.append(
                            bundle.BundleDocument(
                                name=f"{obj._meta.model_name}-{obj.pk}-{Path(label).name}",
                                file=file,
                                recorded_sha256=getattr(obj, "sha256", ""),
                            )
                        )
    return found


def rating_request_bundle(*, reference: str, out: Path, actor: User | None = None) -> dict[str, Any]:
    """Write the request's evidence bundle to `out` (auditors and the system only); return its signed manifest."""
    rr = RatingRequest.objects.filter(reference=reference).first()
    if rr is None:
        raise NotFound(f"No request with reference {reference!r}.")
    return bundle.build(
        out,
        subject=rr,
        reference=rr.reference,
        organization_id=rr.applicant_organization_id,
        record_name="request.json",
        record=request_data(rr),
        documents=_documents(rr),
        actor=actor,
        also=_also(rr),
    )
