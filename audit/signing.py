"""The audit signing key (Ed25519): signs checkpoints, export manifests and evidence bundles.

The private key comes from settings: AUDIT_SIGNING_KEY (PEM text) or the PEM file at
AUDIT_SIGNING_KEY_PATH. `manage.py ensure_audit_key` creates a development key in that file;
production provisions its own and never lets the web tier generate one.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def canonical_json(payload: Any) -> bytes:
    """The bytes that get signed: sorted keys, no spaces, UTF-8 (same rule as verify.py)."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def key_path() -> Path:
    return Path(settings.AUDIT_SIGNING_KEY_PATH)


def generate_key_file(path: Path) -> bool:
    """Write a new private key to `path` unless one is there. True when a key was created."""
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    return True


def private_key() -> Ed25519PrivateKey:
    pem = (settings.AUDIT_SIGNING_KEY or "").strip().encode()
    if not pem:
        path = key_path()
        if not path.exists() and settings.AUDIT_SIGNING_KEY_AUTOGENERATE:
            generate_key_file(path)
        if not path.exists():
            raise ImproperlyConfigured(
                f"No audit signing key: set AUDIT_SIGNING_KEY or create {path} (manage.py ensure_audit_key)."
            )
        pem = path.read_bytes()
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ImproperlyConfigured("The audit signing key must be an Ed25519 private key.")
    return key


def public_key() -> Ed25519PublicKey:
    return private_key().public_key()


def public_key_pem() -> str:
    return (
        public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    )


def key_id(key: Ed25519PublicKey | None = None) -> str:
    raw = (key or public_key()).public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def sign(payload: Any) -> str:
    return private_key().sign(canonical_json(payload)).hex()


def verify(payload: Any, signature_hex: str, key: Ed25519PublicKey | None = None) -> bool:
    try:
        (key or public_key()).verify(bytes.fromhex(signature_hex), canonical_json(payload))
    except (InvalidSignature, ValueError):
        return False
    return True


def sign_document(document: dict[str, Any]) -> dict[str, Any]:
    """Return `document` plus its signature and the key that made it."""
    body = {k: v for k, v in document.items() if k not in ("signature", "public_key_id")}
    return {**body, "public_key_id": key_id(), "signature": sign(body)}


def verify_document(raw: bytes, key: Ed25519PublicKey | None = None) -> bool:
    """True when `raw` is a JSON document signed by `sign_document` with the audit key."""
    try:
        document = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return False
    if not isinstance(document, dict) or not isinstance(document.get("signature"), str):
        return False
    body = {k: v for k, v in document.items() if k not in ("signature", "public_key_id")}
    return verify(body, document["signature"], key)
