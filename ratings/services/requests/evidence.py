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
from ratings.models import (
    AssistanceCase,
    AssistanceEntry,
    Directive,
    Document,
    RatedOrder,
    RatedOrderVersion,
    RatingRequest,
    Signature,
    SupplierResponse,
    User,
)
from ratings.selectors import holds as hold_selectors
from ratings.selectors import timeline


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
    orders = list(RatedOrder.objects.filter(pk__in=timeline.request_order_ids(rr.pk)))
    data["rated_orders"] = _dump(orders)
    data["order_versions"] = _dump(RatedOrderVersion.objects.filter(order__in=orders))
    data["signatures"] = _dump(Signature.objects.filter(version__order__in=orders))
    data["documents"] = _dump(Document.objects.filter(version__order__in=orders))
    data["supplier_responses"] = _dump(SupplierResponse.objects.filter(order__in=orders))
    data["assistance_cases"] = _dump(AssistanceCase.objects.filter(order__in=orders))
    data["assistance_entries"] = _dump(AssistanceEntry.objects.filter(case__order__in=orders))
    data["directives"] = _dump(Directive.objects.filter(order__in=orders))
    return data


def _documents(rr: RatingRequest) -> list[bundle.BundleDocument]:
    """Every stored file of the request's objects (attachments) and every signed document of its
    orders (each version of each order in the flow-down tree), with the SHA-256 recorded when it
    was stored and the object whose audit event recorded it."""
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
                                # an attachment's `sha256`; a signed record's `<file field>_sha256`
                                recorded_sha256=getattr(obj, "sha256", "") or getattr(obj, f"{field.name}_sha256", ""),
                                audited_as=(obj._meta.label, str(obj.pk)),
                                about=_signed_by(obj),
                            )
                        )
    return [*found, *_signed_documents(timeline.request_order_ids(rr.pk))]


def _signed_by(obj: Model) -> dict[str, Any] | None:
    """What a record that carries its own signature (a rating authorization) says of it."""
    if not all(hasattr(obj, name) for name in ("printed_name", "meaning", "signed_at")):
        return None
    return {
        "record": str(obj),
        "signature": {
            "printed_name": obj.printed_name,  # type: ignore[attr-defined]
            "title": getattr(obj, "title", ""),
            "meaning": obj.meaning,  # type: ignore[attr-defined]
            "signed_at": obj.signed_at.isoformat(),  # type: ignore[attr-defined]
        },
    }


def _signed_documents(order_ids: list[int]) -> list[bundle.BundleDocument]:
    documents = Document.objects.filter(version__order_id__in=order_ids).select_related("version__order")
    signatures = {
        (s.version_id, s.kind): s for s in Signature.objects.filter(version__order_id__in=order_ids).order_by()
    }
    found = []
    for document in documents.order_by("version__order_id", "version__number", "kind"):
        version = document.version
        signature = signatures.get((version.pk, document.kind))
        about: dict[str, Any] = {
            "order_number": version.order.order_number,
            "version": version.number,
            "kind": document.kind,
        }
        if signature is not None:
            about["signature"] = {
                "printed_name": signature.printed_name,
                "title": signature.title,
                "meaning": signature.meaning,
                "signed_at": signature.signed_at.isoformat(),
            }
        found.append(
            bundle.BundleDocument(
                name=f"{version.order.order_number}-v{version.number}-{document.kind}.pdf",
                file=document.file,
                recorded_sha256=document.sha256,
                audited_as=(Document._meta.label, str(document.pk)),
                about=about,
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
    )
