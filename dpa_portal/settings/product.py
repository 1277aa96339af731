"""The product's own settings: Celery, the audit trail, the rating rules, notices, documents,
and the Celery beat schedule (every periodic task in one place). Read by base.py."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from dpa_portal.settings.environment import BASE_DIR, env, env_bool, env_int, env_list

# --- Celery -----------------------------------------------------------------------------------
# Redis broker. Tasks are thin and idempotent; acks_late so a worker crash re-runs them.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 240)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing must not hang a request when the broker is down: fail fast, the outbox row stays
# pending and the sweep re-queues it.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": env_int("CELERY_PUBLISH_MAX_RETRIES", 2),
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5}

# --- Audit trail ------------------------------------------------------------------------------
# Ed25519 private key (PEM) that signs checkpoints, export manifests and evidence bundles: the
# PEM text in AUDIT_SIGNING_KEY, or a file. `manage.py ensure_audit_key` creates a dev key.
AUDIT_SIGNING_KEY = env("AUDIT_SIGNING_KEY", "")
AUDIT_SIGNING_KEY_PATH = Path(env("AUDIT_SIGNING_KEY_PATH", str(BASE_DIR / "var" / "audit_signing_key.pem")))
AUDIT_SIGNING_KEY_AUTOGENERATE = env_bool("AUDIT_SIGNING_KEY_AUTOGENERATE", False)
# Exports of more events than this run as a background job instead of streaming in the request.
AUDIT_EXPORT_STREAM_LIMIT = env_int("AUDIT_EXPORT_STREAM_LIMIT", 200_000)
AUDIT_SEARCH_PAGE_SIZE = env_int("AUDIT_SEARCH_PAGE_SIZE", 50)
# audit_verify splits a chain of at least AUDIT_VERIFY_PARALLEL_MIN events into ranges checked
# by this many worker processes at once (1: one process, in order).
AUDIT_VERIFY_WORKERS = env_int("AUDIT_VERIFY_WORKERS", 2)
AUDIT_VERIFY_PARALLEL_MIN = env_int("AUDIT_VERIFY_PARALLEL_MIN", 100_000)

# --- Rating rules (shared/domain.md marks these [U]: keep them configurable) ------------------
# Records retention, 45 CFR 101 / NIST AU-11. Years.
RECORD_RETENTION_YEARS = env_int("RECORD_RETENTION_YEARS", 3)
# HHS review target for a submitted request, in working days (paused while information is requested).
REVIEW_TARGET_WORKING_DAYS = env_int("REVIEW_TARGET_WORKING_DAYS", 10)
# A request returned for correction: "pause" counts the wait like a question, "restart" starts
# the review clock again when the corrected request is resubmitted.
REVIEW_CLOCK_WHEN_RETURNED = env("REVIEW_CLOCK_WHEN_RETURNED", "pause")
if REVIEW_CLOCK_WHEN_RETURNED not in {"pause", "restart"}:
    raise ImproperlyConfigured("REVIEW_CLOCK_WHEN_RETURNED must be 'pause' or 'restart'.")
# Supplier accept/reject deadline per rating level, working days (15 CFR 700.13(d); HRPAS [U]).
SUPPLIER_RESPONSE_WORKING_DAYS = {
    "DO": env_int("SUPPLIER_RESPONSE_WORKING_DAYS_DO", 15),
    "DX": env_int("SUPPLIER_RESPONSE_WORKING_DAYS_DX", 10),
}
# Each process reads the declared closure days again after this many seconds (a change made in
# the same process is seen at once).
CLOSURE_DAYS_REFRESH_SECONDS = env_int("CLOSURE_DAYS_REFRESH_SECONDS", 60)
# Written confirmation of a delay notice not given in writing, working days (15 CFR 700.13(d)).
DELAY_CONFIRMATION_WORKING_DAYS = env_int("DELAY_CONFIRMATION_WORKING_DAYS", 5)
# Special priorities assistance: HHS's target for a response to a case, working days [U].
ASSISTANCE_TARGET_WORKING_DAYS = env_int("ASSISTANCE_TARGET_WORKING_DAYS", 5)
# A directive takes precedence over DX orders: the approval authority it needs [U].
DIRECTIVE_AUTHORITY_LEVEL = env("DIRECTIVE_AUTHORITY_LEVEL", "DX")
# An applicant may ask for reconsideration of a denial or partial approval within this many
# working days of the decision (15 CFR 700.80-700.81 model; HRPAS period unconfirmed [U]).
RECONSIDERATION_PERIOD_WORKING_DAYS = env_int("RECONSIDERATION_PERIOD_WORKING_DAYS", 30)
# Reminders before a supplier response is due, in working days before the due day.
SUPPLIER_REMINDER_OFFSETS_WORKING_DAYS = [int(n) for n in env_list("SUPPLIER_REMINDER_OFFSETS_WORKING_DAYS", "5,1")]
# 45 CFR 101.36: an increase up to this share of the ordered quantity is "negligible" [U].
ORDER_NEGLIGIBLE_INCREASE_PERCENT = env_int("ORDER_NEGLIGIBLE_INCREASE_PERCENT", 5)
ISSUING_OFFICE = env(
    "ISSUING_OFFICE",
    "U.S. Department of Health and Human Services, Administration for Strategic Preparedness "
    "and Response (ASPR), 200 Independence Avenue SW, Washington, DC 20201",
)

# --- Program view: concentration and single points of failure ---------------------------------
# Herfindahl-Hirschman Index thresholds (sum of squared percentage shares, 0-10,000) of the 2023
# U.S. Merger Guidelines, Guideline 1 / section 2.1: above 1,800 highly concentrated; from 1,000
# moderately concentrated.
PROGRAM_HHI_HIGHLY_CONCENTRATED = env_int("PROGRAM_HHI_HIGHLY_CONCENTRATED", 1800)
PROGRAM_HHI_MODERATELY_CONCENTRATED = env_int("PROGRAM_HHI_MODERATELY_CONCENTRATED", 1000)
# A supplier holding more than this share (percent) of all open rated orders is flagged.
PROGRAM_SUPPLIER_LOAD_SHARE_PERCENT = env_int("PROGRAM_SUPPLIER_LOAD_SHARE_PERCENT", 25)

# --- Notifications (outbox) and invitations ---------------------------------------------------
# Outbox delivery: attempts in all (first try included), backoff base * 2**(attempt-1) with
# full jitter, capped; the sweep re-queues rows still pending this many seconds after they
# were due, and gives up on rows stuck "sending" (outcome unknown) after the stale timeout.
NOTIFICATION_MAX_ATTEMPTS = env_int("NOTIFICATION_MAX_ATTEMPTS", 6)
NOTIFICATION_RETRY_BASE_SECONDS = float(env("NOTIFICATION_RETRY_BASE_SECONDS", "30"))
NOTIFICATION_RETRY_MAX_SECONDS = float(env("NOTIFICATION_RETRY_MAX_SECONDS", "3600"))
NOTIFICATION_SWEEP_GRACE_SECONDS = float(env("NOTIFICATION_SWEEP_GRACE_SECONDS", "120"))
NOTIFICATION_SENDING_STALE_SECONDS = float(env("NOTIFICATION_SENDING_STALE_SECONDS", str(CELERY_TASK_TIME_LIMIT * 2)))
NOTIFICATION_SWEEP_BATCH = env_int("NOTIFICATION_SWEEP_BATCH", 500)
# Supplier-contact invitations: days a set-password link stays valid.
INVITATION_VALID_DAYS = env_int("INVITATION_VALID_DAYS", 7)
# The daily digest goes out from this hour (agency time) to everyone who chose it.
NOTIFICATION_DIGEST_HOUR = env_int("NOTIFICATION_DIGEST_HOUR", 7)

# --- Rated-order documents --------------------------------------------------------------------
# Agency X.509 certificate and private key (PEM) that PAdES-sign every rated-order document.
# The quick start creates a self-signed development pair here (manage.py ensure_signing_cert).
DOCUMENT_SIGNING_CERT = Path(env("DOCUMENT_SIGNING_CERT", str(BASE_DIR / "var" / "signing" / "dev-cert.pem")))
DOCUMENT_SIGNING_KEY = Path(env("DOCUMENT_SIGNING_KEY", str(BASE_DIR / "var" / "signing" / "dev-key.pem")))
DOCUMENT_SIGNING_KEY_PASSPHRASE = env("DOCUMENT_SIGNING_KEY_PASSPHRASE", "")
# Documents left pending (the broker was down at approval) are queued again by a sweep.
DOCUMENT_SWEEP_GRACE_SECONDS = float(env("DOCUMENT_SWEEP_GRACE_SECONDS", "120"))
# Public verification page: requests per IP (django-ratelimit syntax).
VERIFY_RATE_LIMIT = env("VERIFY_RATE_LIMIT", "30/m")

# --- Periodic tasks (Celery beat): every schedule here, in one dict ----------------------------
AUDIT_CHECKPOINT_MINUTES = env_int("AUDIT_CHECKPOINT_MINUTES", 60)
NOTIFICATION_SWEEP_INTERVAL_SECONDS = float(env("NOTIFICATION_SWEEP_INTERVAL_SECONDS", "60"))
# How often beat looks for answers due soon (reminders) or overdue (escalation), seconds.
SUPPLIER_REMINDER_INTERVAL_SECONDS = float(env("SUPPLIER_REMINDER_INTERVAL_SECONDS", "900"))
NOTIFICATION_DIGEST_INTERVAL_SECONDS = float(env("NOTIFICATION_DIGEST_INTERVAL_SECONDS", "900"))
# How often beat looks for HHS reviews past their target (the reviewer is told once per due day).
REVIEW_OVERDUE_INTERVAL_SECONDS = float(env("REVIEW_OVERDUE_INTERVAL_SECONDS", "900"))
# --- API: idempotent replays and webhooks (Standard Webhooks) --------------------------------
IDEMPOTENCY_KEY_HOURS = env_int("IDEMPOTENCY_KEY_HOURS", 24)
# Webhook delivery: attempts per event (first included), backoff as for notices; an endpoint
# failing this many attempts in a row is disabled and its organization told by e-mail.
WEBHOOK_MAX_ATTEMPTS = env_int("WEBHOOK_MAX_ATTEMPTS", 8)
WEBHOOK_RETRY_BASE_SECONDS = float(env("WEBHOOK_RETRY_BASE_SECONDS", "30"))
WEBHOOK_RETRY_MAX_SECONDS = float(env("WEBHOOK_RETRY_MAX_SECONDS", "21600"))
WEBHOOK_DISABLE_AFTER_FAILURES = env_int("WEBHOOK_DISABLE_AFTER_FAILURES", 15)
WEBHOOK_TIMEOUT_SECONDS = float(env("WEBHOOK_TIMEOUT_SECONDS", "10"))
# After a secret is rotated, the old one still signs (a second signature) this long.
WEBHOOK_SECRET_OVERLAP_HOURS = env_int("WEBHOOK_SECRET_OVERLAP_HOURS", 24)
# Development only: endpoints on http:// and on loopback/private addresses (a local receiver).
WEBHOOK_ALLOW_PRIVATE_URLS = env_bool("WEBHOOK_ALLOW_PRIVATE_URLS", False)

CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    # Sign the chain head, so tampering after it is detectable.
    "audit-checkpoint": {"task": "audit.tasks.checkpoint", "schedule": AUDIT_CHECKPOINT_MINUTES * 60.0},
    # Re-queue notices and order documents left pending (the broker was down when they were due).
    "notifications-sweep": {
        "task": "ratings.tasks.sweep_notifications",
        "schedule": NOTIFICATION_SWEEP_INTERVAL_SECONDS,
    },
    "order-documents-sweep": {
        "task": "ratings.tasks.sweep_order_documents",
        "schedule": NOTIFICATION_SWEEP_INTERVAL_SECONDS,
    },
    "supplier-response-reminders": {
        "task": "ratings.tasks.send_order_reminders",
        "schedule": SUPPLIER_REMINDER_INTERVAL_SECONDS,
    },
    # From the digest hour on, one daily digest to each recipient who chose it.
    "notification-digests": {
        "task": "ratings.tasks.send_notification_digests",
        "schedule": NOTIFICATION_DIGEST_INTERVAL_SECONDS,
    },
    "review-overdue-notices": {
        "task": "ratings.tasks.notify_overdue_reviews",
        "schedule": REVIEW_OVERDUE_INTERVAL_SECONDS,
    },
    "api-tokens-expire": {"task": "ratings.tasks.expire_api_tokens", "schedule": 3600.0},  # audited
    "idempotency-keys-purge": {"task": "ratings.tasks.purge_idempotency_keys", "schedule": 3600.0},
    # Re-queue webhook deliveries left pending (broker down, worker lost).
    "webhooks-sweep": {"task": "ratings.tasks.sweep_webhooks", "schedule": NOTIFICATION_SWEEP_INTERVAL_SECONDS},
}
