"""Tests: real PostgreSQL and Redis on 127.0.0.1 unless the environment says otherwise."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-insecure-key")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/dpa_portal")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")
os.environ.setdefault("AUDIT_SIGNING_KEY_AUTOGENERATE", "1")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")

from dpa_portal.settings.base import *  # noqa: F403
from dpa_portal.settings.base import BASE_DIR

# Fast hashing: tests create many users; production keeps Django's default PBKDF2.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
PRIVATE_STORAGE_ROOT = BASE_DIR / "var" / "test-private" / str(os.getpid())
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_STORAGE_ROOT), "base_url": None},
    },
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_STORAGE_ROOT), "base_url": None},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
AUDIT_SIGNING_KEY_PATH = PRIVATE_STORAGE_ROOT / "audit_signing_key.pem"

# The test client's login() calls authenticate() without a request, which django-axes refuses;
# tests/audit/test_login_lockout.py turns it on and signs in through the real form.
AXES_ENABLED = False
