"""Canonical serialization and hashing of audit events (NIST AU-9(3)).

Standard library only: evidence bundles ship this very file beside their offline verifier
(`audit/offline/verify.py`), so the portal and the auditor's machine hash with one rule.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
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


# The canonical JSON's keys are sorted, so the chain position's two fields split the others in
# three fixed groups: those before "prev_hash", those between it and "sequence", those after.
_UNPLACED = sorted(set(HASHED_FIELDS) - {"prev_hash", "sequence"})
_BEFORE_PREV = tuple(name for name in _UNPLACED if name < "prev_hash")
_BEFORE_SEQUENCE = tuple(name for name in _UNPLACED if "prev_hash" < name < "sequence")
_AFTER_SEQUENCE = tuple(name for name in _UNPLACED if name > "sequence")
assert _BEFORE_PREV and _BEFORE_SEQUENCE and _AFTER_SEQUENCE  # each piece joins the next with a comma


def canonical_parts(fields: dict[str, Any]) -> tuple[str, str, str]:
    """The canonical serialization of an event still without its chain position, in three
    pieces: `before_prev + prev_hash + before_sequence + str(sequence) + after_sequence` is
    exactly `canonical_bytes` decoded. The database appends with it (audit_append), since it
    learns the position only under the chain lock."""
    occurred_at = fields["occurred_at"]
    if isinstance(occurred_at, dt.datetime):
        fields = {**fields, "occurred_at": format_timestamp(occurred_at)}

    def members(names: tuple[str, ...]) -> str:
        return canonical_json({name: fields[name] for name in names}).decode("utf-8")[1:-1]

    return (
        "{" + members(_BEFORE_PREV) + ',"prev_hash":"',
        '",' + members(_BEFORE_SEQUENCE) + ',"sequence":',
        "," + members(_AFTER_SEQUENCE) + "}",
    )
