"""Which audit events belong to a rating request or a rated order: everything under it.

A request's later events are filed under its rating authorization's number, its orders' numbers (issue, versions, documents,
supplier answers, amendments, cancellations), under the flow-down orders extended from them at
any depth, under assistance cases about them, or under no reference at all (notices about any of
these). The scope is found by a query over those records when it is read (one statement of
indexed lookups per reference), so the hash-chained events stay exactly as written. Registered with audit at
start-up: the auditors' search by reference, the request history and the evidence bundle all
read it (audit.scopes).
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Field, Q

from audit.scopes import Scope
from dpa_portal.prepared import statement_cursor
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

OBJECT_KINDS = (
    "ratings.RatingRequest",
    "ratings.RatingAuthorization",
    "ratings.RatedOrder",
    "ratings.RatedOrderVersion",
    "ratings.AssistanceCase",
    "ratings.Directive",
    "ratings.Notification",
)


def request_order_ids(rating_request_id: int) -> list[int]:
    """Every order issued for the request and the whole flow-down tree below them."""
    direct = RatedOrder.objects.filter(source_request_id=rating_request_id).values_list("pk", flat=True)
    return with_descendant_ids(direct)


def _names() -> dict[str, str]:
    """The quoted table and column names the scope's statement reads, from the models."""
    quote = connection.ops.quote_name
    fields = {
        "request": (RatingRequest, ["reference"]),
        "authorization": (RatingAuthorization, ["rating_request", "number"]),
        "order": (RatedOrder, ["source_request", "parent", "order_number"]),
        "version": (RatedOrderVersion, ["order"]),
        "case": (AssistanceCase, ["order", "reference"]),
        "directive": (Directive, ["order"]),
        "notice": (Notification, ["object_type", "object_id"]),
    }
    names: dict[str, str] = {}
    for name, (model, columns) in fields.items():
        names[name] = quote(model._meta.db_table)
        for column in columns:
            field = model._meta.get_field(column)
            assert isinstance(field, Field) and field.column, (model, column)
            names[f"{name}_{column}"] = quote(field.column)
    return names


# (kind, id, label) of the request with the reference (else the order with that number), its
# authorization, the orders issued for it and the flow-down tree below them (any depth), their
# versions, assistance cases and directives, and the notices about any of those. Labels are the
# records' own numbers, under which their events are filed.
_SCOPE = """
WITH RECURSIVE
req AS (SELECT id FROM {request} WHERE {request_reference} = %(reference)s),
roots AS (
    SELECT id FROM {order} WHERE {order_source_request} IN (SELECT id FROM req)
    UNION ALL
    SELECT id FROM {order} WHERE {order_order_number} = %(reference)s AND NOT EXISTS (SELECT 1 FROM req)
),
tree(id) AS (
    SELECT id FROM roots
    UNION
    SELECT o.id FROM {order} o JOIN tree ON o.{order_parent} = tree.id
),
scope(kind, id, label) AS (
    SELECT 'ratings.RatingRequest', CAST(id AS TEXT), '' FROM req
    UNION ALL SELECT 'ratings.RatingAuthorization', CAST(id AS TEXT), {authorization_number}
        FROM {authorization} WHERE {authorization_rating_request} IN (SELECT id FROM req)
    UNION ALL SELECT 'ratings.RatedOrder', CAST(id AS TEXT), {order_order_number}
        FROM {order} WHERE id IN (SELECT id FROM tree)
    UNION ALL SELECT 'ratings.RatedOrderVersion', CAST(id AS TEXT), ''
        FROM {version} WHERE {version_order} IN (SELECT id FROM tree)
    UNION ALL SELECT 'ratings.AssistanceCase', CAST(id AS TEXT), {case_reference}
        FROM {case} WHERE {case_order} IN (SELECT id FROM tree)
    UNION ALL SELECT 'ratings.Directive', CAST(id AS TEXT), ''
        FROM {directive} WHERE {directive_order} IN (SELECT id FROM tree)
)
SELECT kind, id, label FROM scope
UNION ALL
SELECT 'ratings.Notification', CAST(n.id AS TEXT), '' FROM {notice} n
    JOIN scope ON n.{notice_object_type} = scope.kind AND n.{notice_object_id} = scope.id
"""
_sql: list[str] = []  # _SCOPE with the names filled in, once per process


def reference_scope(reference: str) -> Scope | None:
    """A request: itself, every order issued for it and the whole flow-down tree below them, their
    versions, answers, cases, directives and notices. An order: itself and its subtree. None for
    a reference that is neither (audit then searches the reference alone).

    One statement, written by hand: Django compiled the four to six querysets it replaces on every
    search, which cost more than the database spent answering them."""
    if not _sql:
        _sql.append(_SCOPE.format(**_names()))
    # Prepared on the server once per connection: planning this statement cost more than running it.
    with statement_cursor(connection) as cursor:
        cursor.execute(_sql[0], {"reference": reference})
        rows: list[tuple[str, str, str]] = cursor.fetchall()
    if not rows:
        return None
    objects: dict[str, list[str]] = {kind: [] for kind in OBJECT_KINDS}
    references = [reference]
    for kind, pk, label in rows:
        objects[kind].append(pk)
        if label:  # the authorization's, the orders' and the cases' own numbers
            references.append(label)
    return Scope.of(references, objects)


def organizations_named(text: str) -> list[tuple[str, str]]:
    """The auditors' organization filter (audit.vocabulary.organization_id): (id, legal name) of
    the organization numbered `text`, else of those named `text` (any case, legal or short name),
    else of those whose name contains it; eleven at most, by name."""
    found = Organization.objects.order_by("legal_name", "pk")
    if text.isdigit():
        found = found.filter(pk=int(text)) if len(text) < 19 else found.none()
    else:
        exact = found.filter(Q(legal_name__iexact=text) | Q(short_name__iexact=text))
        found = exact if exact.exists() else found.filter(Q(legal_name__icontains=text) | Q(short_name__icontains=text))
    return [(str(pk), name) for pk, name in found.values_list("pk", "legal_name")[:11]]
