"""Which audit events belong to a rating request or a rated order: everything under it.

A request's later events are filed under its rating authorization's number, its orders' numbers (issue, versions, documents,
supplier answers, amendments, cancellations), under the flow-down orders extended from them at
any depth, under assistance cases about them, or under no reference at all (notices about any of
these). The scope is found by a query over those records when it is read (a few indexed queries
per reference), so the hash-chained events stay exactly as written. Registered with audit at
start-up: the auditors' search by reference, the request history and the evidence bundle all
read it (audit.scopes).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import F, Q, QuerySet, Value

from audit.scopes import Scope
from ratings.models import (
    AssistanceCase,
    Directive,
    Notification,
    Organization,
    RatedOrder,
    RatedOrderVersion,
    RatingAuthorization,
    RatingRequest,
)
from ratings.selectors.orders import with_descendant_ids


def request_order_ids(rating_request_id: int) -> list[int]:
    """Every order issued for the request and the whole flow-down tree below them."""
    direct = RatedOrder.objects.filter(source_request_id=rating_request_id).values_list("pk", flat=True)
    return with_descendant_ids(direct)


def _ids_by_kind(parts: dict[str, tuple[QuerySet[Any], Any]]) -> dict[str, list[tuple[int, str]]]:
    """(id, label) of each kind's rows, every kind in one UNION ALL statement: each part is a
    queryset and the expression of its label."""
    rows = [
        queryset.annotate(scope_kind=Value(kind), scope_label=label).values_list("scope_kind", "pk", "scope_label")
        for kind, (queryset, label) in parts.items()
    ]
    found: dict[str, list[tuple[int, str]]] = {kind: [] for kind in parts}
    for kind, pk, label in rows[0].union(*rows[1:], all=True):
        found[kind].append((pk, label))
    return found


def _under_orders(order_ids: list[int]) -> dict[str, list[tuple[int, str]]]:
    """The orders' own numbers and the versions, assistance cases and directives under them:
    every search by reference reads them."""
    if not order_ids:
        return {"order": [], "version": [], "case": [], "directive": []}
    return _ids_by_kind(
        {
            "order": (RatedOrder.objects.filter(pk__in=order_ids), F("order_number")),
            "version": (RatedOrderVersion.objects.filter(order_id__in=order_ids), Value("")),
            "case": (AssistanceCase.objects.filter(order_id__in=order_ids), F("reference")),
            "directive": (Directive.objects.filter(order_id__in=order_ids), Value("")),
        }
    )


def _scope(
    references: list[str], request_ids: list[int], order_ids: list[int], authorizations: Iterable[tuple[int, str]] = ()
) -> Scope:
    authorizations = list(authorizations)
    under = _under_orders(order_ids)
    orders, cases = under["order"], under["case"]
    version_ids = [pk for pk, _ in under["version"]]
    directive_ids = [pk for pk, _ in under["directive"]]
    about = {
        "ratings.RatingRequest": [str(pk) for pk in request_ids],
        "ratings.RatingAuthorization": [str(pk) for pk, _ in authorizations],
        "ratings.RatedOrder": [str(pk) for pk, _ in orders],
        "ratings.RatedOrderVersion": [str(pk) for pk in version_ids],
        "ratings.AssistanceCase": [str(pk) for pk, _ in cases],
        "ratings.Directive": [str(pk) for pk in directive_ids],
    }
    notices = Q(pk__in=[])
    for object_type, ids in about.items():
        if ids:
            notices |= Q(object_type=object_type, object_id__in=ids)
    notice_ids = list(Notification.objects.filter(notices).values_list("pk", flat=True))
    return Scope.of(
        [
            *references,
            *(number for _, number in authorizations),
            *(number for _, number in orders),
            *(reference for _, reference in cases),
        ],
        {**about, "ratings.Notification": notice_ids},
    )


def _by_request_reference(reference: str) -> dict[str, list[tuple[int, str]]]:
    """The request with this reference, its authorizations (id, number) and the orders issued
    for it, in one statement."""
    return _ids_by_kind(
        {
            "request": (RatingRequest.objects.filter(reference=reference), Value("")),
            "authorization": (RatingAuthorization.objects.filter(rating_request__reference=reference), F("number")),
            "order": (RatedOrder.objects.filter(source_request__reference=reference), Value("")),
        }
    )


def reference_scope(reference: str) -> Scope | None:
    """A request: itself, every order issued for it and the whole flow-down tree below them, their
    versions, answers, cases, directives and notices. An order: itself and its subtree. None for
    a reference that is neither (audit then searches the reference alone)."""
    request = _by_request_reference(reference)
    if request["request"]:
        request_id = request["request"][0][0]
        # The rating authorization approval signed is filed under its own number.
        orders = with_descendant_ids(pk for pk, _ in request["order"])
        return _scope([reference], [request_id], orders, request["authorization"])
    order = RatedOrder.objects.filter(order_number=reference).values_list("pk", flat=True).first()
    if order is not None:
        return _scope([reference], [], with_descendant_ids([order]))
    return None


def organization_choices() -> list[tuple[str, str]]:
    """The organizations picklist of the auditors' filter: (id, legal name), by name."""
    rows = Organization.objects.order_by("legal_name", "pk").values_list("pk", "legal_name")
    return [(str(pk), name) for pk, name in rows]
