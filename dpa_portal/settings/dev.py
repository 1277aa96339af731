"""Quick start: embedded SQLite, tasks run in-process after commit, mail written to var/mail."""

import os

os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("SECRET_KEY", "dev-only-insecure-key-never-use-in-production")
os.environ.setdefault("DATABASE_URL", "sqlite:///db.sqlite3")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
# Audit signing key: a development key is created in var/ on first use (manage.py ensure_audit_key).
os.environ.setdefault("AUDIT_SIGNING_KEY_AUTOGENERATE", "1")
# A webhook receiver on this machine (http://127.0.0.1:…) is allowed only here.
os.environ.setdefault("WEBHOOK_ALLOW_PRIVATE_URLS", "1")

from dpa_portal.settings.base import *  # noqa: F403
