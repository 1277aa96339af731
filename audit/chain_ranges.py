"""Verification of the hash chain from raw rows, one contiguous range of sequence numbers at a
time, so ranges can run in parallel processes and be joined afterwards.

PostgreSQL sends each row as its canonical serialization (audit/chain.py) in pieces: every
scalar field already JSON-escaped by `to_json` (the same escapes as Python's `json.dumps` with
`ensure_ascii=False`), the three JSON documents as stored, which Python re-serializes compactly
with sorted keys. Python hashes the bytes itself, so the database only formats and never vouches
for a hash. The COPY runs with a delimiter and quote character that JSON text cannot hold raw
(both are control characters, which JSON escapes), so a row arrives as plain fields with no
quoting to undo.

No Django here: a worker process connects with psycopg alone.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]
from typing import Any

import psycopg

from audit.chain import HASHED_FIELDS

DELIMITER = b"\x02"
MISSING, LINK, ALTERED = "missing", "link", "altered"
JSON_FIELDS = ("actor_roles", "changes", "data")
NUMBER_FIELDS = ("actor_id", "organization_id", "sequence")
TIMESTAMP = """to_char({} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')"""
_scan = json.JSONDecoder().scan_once  # type: ignore[attr-defined]


def json_encoder(item_separator: str, key_separator: str) -> Callable[[Any], str]:
    """`json.dumps(value, sort_keys=True, ensure_ascii=False, separators=...)` without building an
    encoder per call: the C encoder made once (no circular-reference bookkeeping, values read
    from the database have no cycles)."""
    if c_make_encoder is None:  # pragma: no cover - CPython always has the C encoder
        return json.JSONEncoder(sort_keys=True, separators=(item_separator, key_separator), ensure_ascii=False).encode
    encoder = c_make_encoder(None, None, encode_basestring, None, key_separator, item_separator, True, False, True)

    def encode(value: Any) -> str:
        return "".join(encoder(value, 0))

    return encode


# What `chain.canonical_json` does to a value.
_encode = json_encoder(",", ":")


def _canonical_pieces() -> list[str]:
    """SQL expressions whose texts, with each JSON document re-serialized in between, concatenate
    to `chain.canonical_bytes`: scalar pieces at even positions, JSON columns at odd ones."""
    pieces: list[str] = []
    current: list[str] = []
    for n, name in enumerate(sorted(HASHED_FIELDS)):
        current.append("'" + ("{" if n == 0 else ",") + f'"{name}":' + "'")
        if name in JSON_FIELDS:
            pieces.append(" || ".join(current))
            pieces.append(f"coalesce({name}::text, 'null')")
            current = []
        elif name in NUMBER_FIELDS:
            current.append(f"coalesce({name}::text, 'null')")
        elif name == "occurred_at":
            current.append(f"to_json({TIMESTAMP.format(name)})::text")
        else:
            current.append(f"to_json({name})::text")
    current.append("'}'")
    pieces.append(" || ".join(current))
    return pieces


def copy_sql(table: str, low: int, high: int) -> str:
    """COPY of the rows low..high (integers, inlined: COPY takes no parameters)."""
    columns = ", ".join(["sequence", "coalesce(prev_hash, '')", "coalesce(hash, '')", *_canonical_pieces()])
    query = f"SELECT {columns} FROM {table} WHERE sequence BETWEEN {int(low)} AND {int(high)} ORDER BY sequence"  # noqa: S608
    return f"COPY ({query}) TO STDOUT (FORMAT csv, DELIMITER E'\\x02', QUOTE E'\\x01')"


def compact_json(text: bytes) -> bytes:
    """PostgreSQL's text of a JSON document in the canonical form (sorted keys, no spaces)."""
    if text == b"{}" or text == b"[]":
        return text
    return _encode(parse_json(text)).encode("utf-8")


def parse_json(text: bytes) -> Any:
    """`json.loads`, without its checks for a byte-order mark and encoding on every call."""
    decoded = text.decode("utf-8")
    try:
        value, end = _scan(decoded, 0)
    except StopIteration:
        return json.loads(decoded)
    return value if end == len(decoded) else json.loads(decoded)


@dataclass(frozen=True)
class RangeResult:
    """What one range found: its first row's position and link (checked when ranges are joined),
    how many rows held, the last good hash, and the first problem inside the range if any."""

    low: int
    high: int
    first_sequence: int | None = None
    first_prev_hash: str = ""
    checked: int = 0
    last_hash: str = ""
    bad_sequence: int | None = None
    kind: str = ""
    found_sequence: int | None = None  # for a missing row: the next row found, None when past the range


def verify_range(connection: Any, table: str, low: int, high: int) -> RangeResult:
    """Check rows low..high on a psycopg connection: consecutive sequence numbers, each row's
    hash, and each row's link to the one before it inside the range (the first row's link is the
    join's business). Stops at the first problem."""
    expected = low
    first_sequence: int | None = None
    first_prev = ""
    last_hash: bytes | None = None
    checked = 0
    sha256 = hashlib.sha256
    with connection.cursor() as cursor, cursor.copy(copy_sql(table, low, high)) as copy:
        for message in copy:
            sequence_text, prev, stored, a, roles, b, changes, c, data, d = bytes(message[:-1]).split(DELIMITER)
            sequence = int(sequence_text)
            result: dict[str, Any] = {}
            if first_sequence is None:
                first_sequence, first_prev = sequence, prev.decode()
            if sequence != expected:
                result = {"bad_sequence": expected, "kind": MISSING, "found_sequence": sequence}
            elif last_hash is not None and prev != last_hash:
                result = {"bad_sequence": sequence, "kind": LINK}
            elif (
                sha256(b"".join((a, compact_json(roles), b, compact_json(changes), c, compact_json(data), d)))
                .hexdigest()
                .encode()
                != stored
            ):
                result = {"bad_sequence": sequence, "kind": ALTERED}
            if result:
                # Leaving the COPY early would need a round trip to cancel it: read it out.
                for _ in copy:
                    pass
                return RangeResult(
                    low, high, first_sequence, first_prev, checked, last_hash.decode() if last_hash else "", **result
                )
            last_hash = stored
            expected += 1
            checked += 1
    last = last_hash.decode() if last_hash else ""
    if first_sequence is not None and expected <= high:  # the range ends early: the next row is a later range's
        return RangeResult(low, high, first_sequence, first_prev, checked, last, expected, MISSING)
    return RangeResult(low, high, first_sequence, first_prev, checked, last)


def verify_range_in_worker(params: dict[str, Any], table: str, low: int, high: int) -> RangeResult:
    """`verify_range` on a connection of its own (the entry point of a worker process)."""
    with psycopg.connect(**params) as connection:
        return verify_range(connection, table, low, high)
