"""Canonical serialization and hashing of audit events (NIST AU-9(3)).

Standard library only: evidence bundles ship this very file beside their offline verifier
(`audit/offline/verify.py`), so the portal and the auditor's machine hash with one rule.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from typing import Any

GENESIS_HASH = "0" * 64

# The fields covered by the hash, in the order an auditor reads them. Changing this list
# changes every hash: it is part of the trail's format.
HASHED_FIELDS = (
    "sequence",
    "occurred_at",
    "actor_id",
    "actor_label",
    "actor_roles",
    "action",
    "outcome",
    "object_type",
    "object_id",
    "object_label",
    "reference",
    "organization_id",
    "from_state",
    "to_state",
    "reason",
    "changes",
    "data",
    "source",
    "request_id",
    "client_address",
    "prev_hash",
)


def format_timestamp(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_json(payload: Any) -> bytes:
    """The one JSON form that is hashed or signed: sorted keys, no spaces, UTF-8."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def canonical_bytes(fields: dict[str, Any]) -> bytes:
    payload = {name: fields[name] for name in HASHED_FIELDS}
    if isinstance(payload["occurred_at"], dt.datetime):
        payload["occurred_at"] = format_timestamp(payload["occurred_at"])
    return canonical_json(payload)


def compute_hash(fields: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_bytes(fields)).hexdigest()


def canonical_parts(fields: dict[str, Any]) -> tuple[str, str, str]:
    """The canonical serialization of an event still without its chain position, in three
    pieces: `before_prev + prev_hash + before_sequence + str(sequence) + after_sequence` is
    exactly `canonical_bytes` decoded. The database appends with it (audit_append), since it
    learns the position only under the chain lock."""
    marker = f"\x1f{secrets.token_hex(16)}\x1f"
    text = canonical_bytes({**fields, "prev_hash": f"{marker}prev", "sequence": f"{marker}seq"}).decode("utf-8")
    prev_token = json.dumps(f"{marker}prev", ensure_ascii=False)[1:-1]
    sequence_token = json.dumps(f"{marker}seq", ensure_ascii=False)
    before_prev, rest = text.split(prev_token)
    before_sequence, after_sequence = rest.split(sequence_token)
    return before_prev, before_sequence, after_sequence
