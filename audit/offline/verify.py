#!/usr/bin/env python3
"""Offline verifier of a DPA evidence bundle. Python standard library plus `cryptography`.

Run it with no arguments in the unpacked bundle folder. Exit 0 when everything holds;
otherwise exit 1 and print every problem found, naming the file, line and sequence number.

Checks:
1. manifest.json is signed by public_key.pem (Ed25519) and lists every file's SHA-256.
2. checkpoint.json is signed by the same key.
3. Each line of events.jsonl hashes (by the portal's own chain.py, shipped beside this file)
   to its `hash`; lines are in increasing sequence order; each event is listed in the
   manifest and sits in the chain segment at its sequence.
4. chain.jsonl is a contiguous run of (sequence, prev_hash, hash) whose links hold, ending at
   the signed checkpoint's sequence and hash: so every event is proven part of the signed trail.
5. Every document's bytes match the SHA-256 in the manifest and in documents.json, and the
   SHA-256 recorded when it was stored or signed by the audit event named in documents.json
   (an event of this bundle whose own hash was checked in step 3).
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

try:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import serialization
except ImportError:  # run on an auditor's machine: say what is missing instead of a traceback
    sys.exit("verify.py needs the `cryptography` package (pip install cryptography).")

try:  # in an unpacked bundle, the portal's chain.py sits beside this file
    from chain import canonical_json, compute_hash  # type: ignore[import-not-found,unused-ignore]
except ImportError:  # inside the portal's source tree
    from audit.chain import canonical_json, compute_hash


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(65536), b""):
            digest.update(block)
    return digest.hexdigest()


def signature_ok(public_key: Any, body: dict[str, Any], signature: Any) -> bool:
    try:
        public_key.verify(bytes.fromhex(str(signature)), canonical_json(body))
    except (InvalidSignature, ValueError):
        return False
    return True


def check(root: Path) -> list[str]:
    problems: list[str] = []
    try:
        public_key = serialization.load_pem_public_key((root / "public_key.pem").read_bytes())
        manifest = json.loads((root / "manifest.json").read_text("utf-8"))
        checkpoint = json.loads((root / "checkpoint.json").read_text("utf-8"))
    except (OSError, ValueError) as error:
        return [f"cannot read the bundle's public_key.pem, manifest.json or checkpoint.json: {error}"]

    body = {k: v for k, v in manifest.items() if k not in ("signature", "public_key_id")}
    if not signature_ok(public_key, body, manifest.get("signature")):
        problems.append("manifest.json: signature is not valid (manifest changed or signed by another key)")
    cp_body = {k: checkpoint.get(k) for k in ("sequence", "hash", "signed_at")}
    if not signature_ok(public_key, cp_body, checkpoint.get("signature")):
        problems.append("checkpoint.json: signature is not valid (checkpoint changed or forged)")
    if manifest.get("checkpoint") != checkpoint:
        problems.append("checkpoint.json does not match the checkpoint named in manifest.json")

    # Chain segment: contiguous, linked, ending at the signed head.
    chain: dict[int, dict[str, Any]] = {}
    previous: dict[str, Any] | None = None
    chain_lines = (root / "chain.jsonl").read_text("utf-8").splitlines() if (root / "chain.jsonl").exists() else []
    if not chain_lines:
        problems.append("chain.jsonl is missing or empty")
    for number, line in enumerate(chain_lines, start=1):
        try:
            link = json.loads(line)
            sequence = int(link["sequence"])
        except (ValueError, KeyError, TypeError):
            problems.append(f"chain.jsonl line {number}: not a valid chain link")
            continue
        if previous is not None:
            if sequence != previous["sequence"] + 1:
                problems.append(
                    f"chain.jsonl line {number} (sequence {sequence}): expected sequence {previous['sequence'] + 1}: "
                    "a link was deleted, inserted or reordered"
                )
            elif link.get("prev_hash") != previous.get("hash"):
                problems.append(f"chain.jsonl line {number} (sequence {sequence}): does not link to the previous hash")
        chain[sequence] = link
        previous = {"sequence": sequence, "hash": link.get("hash")}
    if previous is not None and (previous["sequence"], previous["hash"]) != (
        checkpoint.get("sequence"),
        checkpoint.get("hash"),
    ):
        problems.append(
            f"chain.jsonl ends at sequence {previous['sequence']}, not at the signed checkpoint "
            f"(sequence {checkpoint.get('sequence')})"
        )

    # Events.
    listed = [int(s) for s in manifest.get("event_sequences", [])]
    seen: list[int] = []
    verified: dict[int, dict[str, Any]] = {}  # events whose content matches their hash
    event_lines = (root / "events.jsonl").read_text("utf-8").splitlines() if (root / "events.jsonl").exists() else []
    last_sequence = 0
    for number, line in enumerate(event_lines, start=1):
        try:
            event = json.loads(line)
            sequence = int(event["sequence"])
            recomputed = compute_hash(event)
        except (ValueError, KeyError, TypeError):
            problems.append(f"events.jsonl line {number}: not a valid event")
            continue
        where = f"events.jsonl line {number} (sequence {sequence})"
        if sequence not in listed:
            problems.append(f"{where}: not listed in the manifest: an inserted line")
        if sequence <= last_sequence:
            problems.append(f"{where}: comes after sequence {last_sequence}: lines were reordered")
        last_sequence = max(last_sequence, sequence)
        if recomputed != event.get("hash"):
            problems.append(f"{where}: content changed: it no longer matches its hash")
        else:
            verified[sequence] = event
        link = chain.get(sequence)
        if link is None:
            problems.append(f"{where}: not in the signed chain segment")
        elif (link.get("hash"), link.get("prev_hash")) != (recomputed, event.get("prev_hash")):
            problems.append(f"{where}: does not match the signed chain at its sequence")
        seen.append(sequence)
    for sequence in listed:
        if sequence not in seen:
            problems.append(f"events.jsonl: sequence {sequence} listed in the manifest is missing: a deleted line")

    # Files (documents, request data, events, chain) against the signed manifest.
    for name, expected in sorted(manifest.get("files", {}).items()):
        path = root / name
        if not path.is_file():
            problems.append(f"{name}: missing from the bundle")
        elif sha256_file(path) != expected:
            problems.append(f"{name}: changed: its SHA-256 does not match the manifest")
    try:
        documents = json.loads((root / "documents.json").read_text("utf-8"))
    except (OSError, ValueError):
        documents = []
        problems.append("documents.json: missing or not valid JSON")
    for document in documents:
        problems += document_problems(root, document, verified)
    return problems


def document_problems(root: Path, document: dict[str, Any], events: dict[int, dict[str, Any]]) -> list[str]:
    """The file against documents.json, and against the SHA-256 its audit event recorded."""
    name, where = document.get("name"), document.get("path")
    path = root / str(where or "")
    if not path.is_file():
        return [f"document {name!r}: file {where} is missing"]
    actual = sha256_file(path)
    problems = []
    if actual != document.get("sha256"):
        problems.append(f"document {name!r} ({where}): changed: SHA-256 does not match")
    sequence = document.get("audit_event_sequence")
    event = events.get(int(sequence)) if isinstance(sequence, int) else None
    if event is None:
        problems.append(f"document {name!r} ({where}): no verified audit event in the bundle records its SHA-256")
        return problems
    data = event.get("data")
    audited = data.get("sha256") if isinstance(data, dict) else None
    if actual != audited:
        problems.append(
            f"document {name!r} ({where}): SHA-256 {actual} is not the {audited} audited by event {sequence}: "
            "the file was changed or replaced"
        )
    return problems


def main() -> int:
    problems = check(Path.cwd())
    if problems:
        print("EVIDENCE BUNDLE FAILED VERIFICATION:")
        for problem in problems:
            print(f"  - {problem}")
        return 1
    documents = json.loads((Path.cwd() / "documents.json").read_text("utf-8"))
    print("Evidence bundle verified: signatures, chain links, events and documents all hold.")
    print(f"{len(documents)} document(s) match the SHA-256 recorded in the audit trail when stored or signed.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
