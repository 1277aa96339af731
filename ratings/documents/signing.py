"""PAdES signatures with pyHanko, using the agency certificate and key named in settings.

`sign_pdf` adds an incremental PAdES signature (any PDF reader shows it); `validate_pdf`
checks it against a trust root. `ensure_dev_certificate` writes a self-signed development pair
for the quick start and the tests; production points DOCUMENT_SIGNING_CERT/KEY at the
agency's real ones.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.x509.oid import NameOID
from django.conf import settings
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.general import get_pyca_cryptography_hash
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

SIGNATURE_FIELD = "HHSAgencySignature"
SIGNATURE_BYTES_RESERVED = 16_384


class SigningUnavailable(Exception):
    """The signing certificate or key is missing or unreadable (a configuration error)."""


def ensure_dev_certificate(cert_path: Path, key_path: Path, *, common_name: str = "DPA Portal DEVELOPMENT") -> bool:
    """Write a self-signed certificate and key if they do not exist. True when created."""
    if cert_path.exists() and key_path.exists():
        return False
    cert_path.parent.mkdir(parents=True, exist_ok=True)
    key_path.parent.mkdir(parents=True, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "US"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "HHS ASPR (development only)"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    key_path.chmod(0o600)
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return True


# The signer (key and certificate, parsed and checked) is loaded once per process and kept until
# the files or the settings naming them change: loading it is most of a signature's cost.
_signers: dict[tuple[str, str, float, float], signers.SimpleSigner] = {}
_signers_lock = threading.Lock()


def _signer() -> signers.SimpleSigner:
    cert, key = Path(settings.DOCUMENT_SIGNING_CERT), Path(settings.DOCUMENT_SIGNING_KEY)
    if not cert.exists() or not key.exists():
        raise SigningUnavailable(
            f"The document signing certificate or key is missing ({cert}, {key}); "
            "run `manage.py ensure_signing_cert` in development."
        )
    identity = (str(cert), str(key), cert.stat().st_mtime, key.stat().st_mtime)
    with _signers_lock:
        signer = _signers.get(identity)
        if signer is None:
            _signers.clear()
            signer = _signers[identity] = _load_signer(cert, key)
    return signer


class _ParsedKeySigner(signers.SimpleSigner):
    """pyHanko's SimpleSigner parses the private key again (with RSA's costly consistency
    checks) for every raw signature; this one parses it once."""

    _private_key: Any = None

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        if mechanism != "rsassa_pkcs1v15":
            return super().sign_raw(data, digest_algorithm)
        if self._private_key is None:
            self._private_key = serialization.load_der_private_key(self.signing_key.dump(), password=None)
        return self._private_key.sign(data, PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm))  # type: ignore[no-any-return]


def _load_signer(cert: Path, key: Path) -> signers.SimpleSigner:
    if not cert.exists() or not key.exists():
        raise SigningUnavailable(
            f"The document signing certificate or key is missing ({cert}, {key}); "
            "run `manage.py ensure_signing_cert` in development."
        )
    passphrase = settings.DOCUMENT_SIGNING_KEY_PASSPHRASE.encode() or None
    loaded = signers.SimpleSigner.load(str(key), str(cert), key_passphrase=passphrase)
    if loaded is None:
        raise SigningUnavailable("The document signing certificate or key could not be read.")
    return _ParsedKeySigner(
        signing_cert=loaded.signing_cert, signing_key=loaded.signing_key, cert_registry=loaded.cert_registry
    )


def sign_pdf(pdf: bytes, *, reason: str, location: str = "Washington, DC") -> bytes:
    """Add a PAdES signature of the agency to an unsigned PDF."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    meta = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        reason=reason,
        location=location,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
    )
    signer = _signer()

    def sign() -> bytes:
        # A fixed reservation for the CMS signature (an RSA-2048 one with its certificate takes
        # about 2.5 KB): otherwise pyHanko signs twice, once only to measure the size.
        return signers.sign_pdf(writer, meta, signer=signer, bytes_reserved=SIGNATURE_BYTES_RESERVED).getvalue()  # type: ignore[no-any-return]

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return sign()
    # pyHanko's synchronous API runs its own event loop, which cannot start inside a running one
    # (an ASGI worker, or a browser test driving Playwright's sync API): sign on a thread of its own.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(sign).result()


@dataclass(frozen=True)
class ValidationResult:
    intact: bool
    valid: bool
    trusted: bool
    summary: str

    @property
    def ok(self) -> bool:
        return self.intact and self.valid and self.trusted


def validate_pdf(data: bytes, *, trust_root: Path) -> ValidationResult:
    """Validate the document's signature with pyHanko, trusting `trust_root` (a PEM certificate)."""
    try:
        reader = PdfFileReader(io.BytesIO(data))
        signatures = reader.embedded_signatures
        if len(signatures) != 1:
            return ValidationResult(False, False, False, f"{len(signatures)} signatures")
        context = ValidationContext(trust_roots=[load_cert_from_pemder(str(trust_root))])
        status = validate_pdf_signature(signatures[0], context)
    except Exception as error:  # a damaged file is "not valid", whatever pyHanko raised
        return ValidationResult(False, False, False, f"{type(error).__name__}: {error}")
    return ValidationResult(bool(status.intact), bool(status.valid), bool(status.trusted), status.summary())
