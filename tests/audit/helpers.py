"""Fast creation of valid audit chains for tests and the benchmark."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.db import connection
from django.utils import timezone

from audit.chain import GENESIS_HASH, compute_hash
from audit.models import AuditEvent


def bulk_events(count: int, *, batch: int = 5000, **overrides: Any) -> int:
    """Append `count` events with valid hashes after the current head; return the new head sequence."""
    last = AuditEvent.objects.order_by("-sequence").values("sequence", "hash").first()
    sequence = last["sequence"] if last else 0
    prev = last["hash"] if last else GENESIS_HASH
    start = timezone.now() - dt.timedelta(seconds=count)
    rows: list[AuditEvent] = []
    for i in range(count):
        sequence += 1
        fields: dict[str, Any] = {
            "sequence": sequence,
            "occurred_at": start + dt.timedelta(seconds=i),
            "actor_id": None,
            "actor_label": "bench",
            "actor_roles": [],
            "action": "bench.event",
            "outcome": "success",
            "object_type": "bench.Thing",
            "object_id": str(i),
            "object_label": f"thing {i}",
            "reference": "",
            "organization_id": None,
            "from_state": "",
            "to_state": "",
            "reason": f"reason number {i}",
            "changes": {},
            "data": {"i": i},
            "source": "system",
            "request_id": "",
            "client_address": "",
            "prev_hash": prev,
        }
        fields.update(overrides)
        fields["hash"] = compute_hash(fields)
        prev = fields["hash"]
        rows.append(fields)
        if len(rows) >= batch:
            _insert(rows)
            rows = []
    if rows:
        _insert(rows)
    return sequence


JSON_FIELDS = ("actor_roles", "changes", "data")


def _insert(rows: list[dict[str, Any]]) -> None:
    """COPY on PostgreSQL (fast), bulk_create elsewhere."""
    if connection.vendor != "postgresql":
        AuditEvent.objects.bulk_create(AuditEvent(**row) for row in rows)
        return
    columns = list(rows[0])
    sql = f"COPY audit_auditevent ({', '.join(columns)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row([json.dumps(row[c]) if c in JSON_FIELDS else row[c] for c in columns])
