"""The only code that writes the audit trail: `record` appends (`verify_chain`, from
`audit.verification`, checks).

Call `record` inside the transaction of the action it describes, so the event and the action
commit or roll back together (21 CFR 11.10(e)).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import Model
from django.db.transaction import TransactionManagementError
from django.utils import timezone

from audit import chain, context
from audit.access import Actor
from audit.actions import AuditAction, resolve
from audit.chain import GENESIS_HASH, compute_hash
from audit.constants import SYSTEM_ACTOR_LABEL, Outcome
from audit.models import AuditEvent
from audit.verification import ChainReport as ChainReport
from audit.verification import verify_chain as verify_chain
from audit.verification import verify_rows
from dpa_portal import prepared

# Any constant works: it only has to be the same for every writer of the chain.
_CHAIN_LOCK_KEY = 0x44504141  # "DPAA"


def _json_safe(value: dict[str, Any]) -> dict[str, Any]:
    """Round-trip through JSON so what is hashed is exactly what the database gives back."""
    if not value:
        return {}
    result: dict[str, Any] = json.loads(json.dumps(value, cls=DjangoJSONEncoder))
    return result


def _lock_chain() -> None:
    # One writer at a time appends to the chain. On PostgreSQL a transaction-scoped advisory
    # lock; SQLite serializes writers on its own.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])


def actor_snapshot(actor: Actor) -> tuple[int | None, str, list[str]]:
    if actor is None or not actor.is_authenticated:
        return None, SYSTEM_ACTOR_LABEL, []
    full_name = actor.get_full_name() or actor.get_username()
    roles_of = getattr(actor, "audit_roles", None)
    roles = list(roles_of()) if callable(roles_of) else []
    return actor.pk, f"{full_name} ({actor.get_username()})", roles


def record(
    *,
    action: AuditAction | str,
    actor: Actor,
    target: Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_label: str = "",
    reference: str = "",
    organization_id: int | None = None,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    changes: dict[str, Any] | None = None,
    data: dict[str, Any] | None = None,
    outcome: str = Outcome.SUCCESS,
    actor_label: str | None = None,
    commit: bool = False,
) -> AuditEvent:
    """Append one event to the chain, in the caller's transaction. `action` must be registered
    (audit.actions).

    `commit=True`: the event is the last thing the caller's outermost `atomic(durable=True)`
    block does, so the append and the COMMIT go to the server together and the chain lock is
    held only while the server appends and flushes the commit, never while this process waits
    for its turn on a busy CPU. Nothing may run in the block after it (a statement there raises
    TransactionManagementError). Inside a wider
    transaction (a test's, a savepoint) the block commits at its end as usual."""
    name = resolve(action).name
    if target is not None:
        object_type = object_type or target._meta.label
        object_id = object_id or str(target.pk)
        object_label = object_label or str(target)
    actor_id, label, roles = actor_snapshot(actor)
    ctx = context.current()
    if ctx.credential:
        data = {**(data or {}), "credential": ctx.credential}
    fields: dict[str, Any] = {
        "occurred_at": timezone.now(),
        "actor_id": actor_id,
        "actor_label": actor_label or label,
        "actor_roles": roles,
        "action": name,
        "outcome": str(outcome),
        "object_type": object_type,
        "object_id": str(object_id),
        "object_label": object_label[:200],
        "reference": reference,
        "organization_id": organization_id,
        "from_state": str(from_state or ""),
        "to_state": str(to_state or ""),
        "reason": reason,
        "changes": _json_safe(changes or {}),
        "data": _json_safe(data or {}),
        "source": str(ctx.source),
        "request_id": ctx.request_id,
        "client_address": ctx.client_address,
    }
    if connection.vendor == "postgresql":
        return _append_in_one_statement(fields, commit=commit and _outermost_durable_block())
    with transaction.atomic():  # SQLite (the quick start) serializes writers on its own
        last = AuditEvent.objects.order_by("-sequence").values("sequence", "hash").first()
        fields["sequence"] = (last["sequence"] + 1) if last else 1
        fields["prev_hash"] = last["hash"] if last else GENESIS_HASH
        fields["hash"] = compute_hash(fields)
        return AuditEvent.objects.create(**fields)


def record_many(events: list[dict[str, Any]]) -> list[AuditEvent]:
    """Append many system events (each the keyword arguments of `record`, actor None) in the
    caller's transaction: the chain lock and head once, the hashes in Python, one INSERT however
    many events. For batch jobs; call it last in the transaction, like `record`."""
    if not events:
        return []
    ctx = context.current()
    now = timezone.now()
    rows: list[dict[str, Any]] = []
    for event in events:
        target: Model | None = event.get("target")
        rows.append(
            {
                "occurred_at": now,
                "actor_id": None,
                "actor_label": SYSTEM_ACTOR_LABEL,
                "actor_roles": [],
                "action": resolve(event["action"]).name,
                "outcome": str(event.get("outcome", Outcome.SUCCESS)),
                "object_type": event.get("object_type") or (target._meta.label if target is not None else ""),
                "object_id": str(event.get("object_id") or (target.pk if target is not None else "")),
                "object_label": (event.get("object_label") or (str(target) if target is not None else ""))[:200],
                "reference": event.get("reference", ""),
                "organization_id": event.get("organization_id"),
                "from_state": str(event.get("from_state") or ""),
                "to_state": str(event.get("to_state") or ""),
                "reason": event.get("reason", ""),
                "changes": _json_safe(event.get("changes") or {}),
                "data": _json_safe(event.get("data") or {}),
                "source": str(ctx.source),
                "request_id": ctx.request_id,
                "client_address": ctx.client_address,
            }
        )
    with transaction.atomic():
        _lock_chain()
        last = AuditEvent.objects.order_by("-sequence").values("sequence", "hash").first()
        sequence, prev = (last["sequence"], last["hash"]) if last else (0, GENESIS_HASH)
        for fields in rows:
            sequence += 1
            fields["sequence"], fields["prev_hash"] = sequence, prev
            fields["hash"] = prev = compute_hash(fields)
        return _insert_rows(rows)


_COLUMNS = [field.column for field in AuditEvent._meta.concrete_fields if not field.primary_key]


def _insert_rows(rows: list[dict[str, Any]]) -> list[AuditEvent]:
    """Insert the hashed rows in one statement: they travel as one JSON array (its time as
    ISO 8601 with microseconds, which PostgreSQL reads back to the same instant that was hashed),
    so neither the statement count nor the parameter count grows with the batch."""
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(column) for column in _COLUMNS)
    payload = json.dumps([{**fields, "occurred_at": fields["occurred_at"].isoformat()} for fields in rows])
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} "  # noqa: S608 (names from the model; values bound)
            f"FROM jsonb_populate_recordset(NULL::{table}, %s::jsonb) RETURNING id, sequence",
            [payload],
        )
        ids = dict((sequence, pk) for pk, sequence in cursor.fetchall())
    return [AuditEvent(id=ids[fields["sequence"]], **fields) for fields in rows]


def _outermost_durable_block() -> bool:
    blocks = connection.atomic_blocks
    return (
        len(blocks) == 1
        and blocks[0].durable  # type: ignore[attr-defined]
        and not connection.savepoint_ids
        and not connection.needs_rollback
        # The COMMIT rides in the same query.
        and prepared.takes_several_statements(connection)
    )


def _refuse_statements_until_the_block_ends() -> None:
    """After the append committed the caller's transaction, a statement still inside its atomic
    block would run outside the transaction the block promises: refuse it. The block's end is
    known by a commit hook: pending while the block is open, gone once it committed (the hook
    runs) or rolled back (Django drops it)."""

    def block_ended() -> None:
        if guard in connection.execute_wrappers:
            connection.execute_wrappers.remove(guard)

    def guard(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
        owner = context["connection"]
        if any(hook is block_ended for _, hook, _ in owner.run_on_commit):
            raise TransactionManagementError(
                "The audit append committed this transaction (record(commit=True)); nothing may run after it "
                "in the same atomic block."
            )
        owner.execute_wrappers.remove(guard)  # the block ended in a rollback
        return execute(sql, params, many, context)

    connection.execute_wrappers.append(guard)
    transaction.on_commit(block_ended)


def _append_in_one_statement(fields: dict[str, Any], *, commit: bool = False) -> AuditEvent:
    """Lock, read the head and insert in one call of `audit_append` (migration 0010): no
    savepoint, and the chain lock is taken only now, at the end of the caller's work, and held
    until its commit (with `commit`, sent in the same round trip). Python serializes the event
    once, canonically, without its sequence and previous hash; the function reads the row from
    those bytes, splices the position in and hashes the same bytes `compute_hash` would."""
    sql = "SELECT * FROM audit_append(%s, %s, %s, %s)"
    with connection.cursor() as cursor:
        # A failed append skips the COMMIT and leaves the transaction to the block's rollback;
        # after a COMMIT the driver knows the connection is idle, and the block's own commit
        # sends nothing (on_commit callbacks still run then).
        cursor.execute(f"{sql}; COMMIT" if commit else sql, [_CHAIN_LOCK_KEY, *chain.canonical_parts(fields)])
        event_id, sequence, prev_hash, hash_ = cursor.fetchone()
    if commit:
        _refuse_statements_until_the_block_ends()
    stored = {**fields, "id": event_id, "sequence": sequence, "prev_hash": prev_hash, "hash": hash_}
    # As Django builds a stored row (positional, its fast path), so it knows it is saved.
    return AuditEvent.from_db(connection.alias, _ATTNAMES, [stored[name] for name in _ATTNAMES])


_ATTNAMES = [field.attname for field in AuditEvent._meta.concrete_fields]


def event_fields(event: AuditEvent) -> dict[str, Any]:
    return {
        "sequence": event.sequence,
        "occurred_at": event.occurred_at,
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "actor_roles": event.actor_roles,
        "action": event.action,
        "outcome": event.outcome,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_label": event.object_label,
        "reference": event.reference,
        "organization_id": event.organization_id,
        "from_state": event.from_state,
        "to_state": event.to_state,
        "reason": event.reason,
        "changes": event.changes,
        "data": event.data,
        "source": event.source,
        "request_id": event.request_id,
        "client_address": event.client_address,
        "prev_hash": event.prev_hash,
    }


def verify_events(events: Iterable[AuditEvent], *, progress: Callable[[int], None] | None = None) -> ChainReport:
    """Walk events in sequence order; report the first one that breaks the chain."""
    return verify_rows(({**event_fields(event), "hash": event.hash} for event in events), progress=progress)
