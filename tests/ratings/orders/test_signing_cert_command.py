"""`manage.py ensure_signing_cert`: the quick start's self-signed development certificate."""

from __future__ import annotations

import asyncio

import pytest
from django.core.management import CommandError, call_command

from ratings.documents.render import render_pdf
from ratings.documents.signing import sign_pdf, validate_pdf
from tests.ratings.orders.test_render_unit import sample_content


def test_the_command_creates_a_usable_pair_once_in_debug(settings, tmp_path):
    settings.DEBUG = True
    settings.DOCUMENT_SIGNING_CERT, settings.DOCUMENT_SIGNING_KEY = tmp_path / "c.pem", tmp_path / "k.pem"

    call_command("ensure_signing_cert")
    first = settings.DOCUMENT_SIGNING_CERT.read_bytes()
    call_command("ensure_signing_cert")  # idempotent: the pair is kept

    assert settings.DOCUMENT_SIGNING_CERT.read_bytes() == first
    assert oct(settings.DOCUMENT_SIGNING_KEY.stat().st_mode & 0o777) == "0o600"
    signed = sign_pdf(render_pdf(sample_content()), reason="test")
    assert validate_pdf(signed, trust_root=settings.DOCUMENT_SIGNING_CERT).ok is True


def test_the_command_refuses_to_invent_a_certificate_outside_debug(settings, tmp_path):
    settings.DEBUG = False
    settings.DOCUMENT_SIGNING_CERT, settings.DOCUMENT_SIGNING_KEY = tmp_path / "c.pem", tmp_path / "k.pem"
    with pytest.raises(CommandError, match="agency's certificate"):
        call_command("ensure_signing_cert")
    assert not settings.DOCUMENT_SIGNING_CERT.exists()


def test_signing_works_inside_a_running_event_loop(settings, tmp_path):
    """An ASGI worker, or a browser test driving Playwright's sync API, calls in with an event
    loop running: the signature is made all the same (pyHanko's own loop runs on a thread)."""
    settings.DEBUG = True
    settings.DOCUMENT_SIGNING_CERT, settings.DOCUMENT_SIGNING_KEY = tmp_path / "c.pem", tmp_path / "k.pem"
    call_command("ensure_signing_cert")

    async def inside_a_loop() -> bytes:
        return sign_pdf(render_pdf(sample_content()), reason="test")

    signed = asyncio.run(inside_a_loop())

    assert validate_pdf(signed, trust_root=settings.DOCUMENT_SIGNING_CERT).ok is True
