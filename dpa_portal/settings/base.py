"""Settings shared by every environment. Everything that differs comes from the environment.

dev.py, test.py and production.py only set defaults for the variables read here; the README
lists every variable. Sections, in order: core, database, security, authentication (second
factor included), sessions, time and language, static files and storage, mail, cache, REST API,
logging; then product.py: Celery, audit, rating rules, notifications, rated-order documents, and
last the Celery beat schedule (every periodic task in one place).
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dj_database_url

from dpa_portal.settings.environment import BASE_DIR, env, env_bool, env_int, env_list

# --- Core -------------------------------------------------------------------------------------
DEBUG = env_bool("DEBUG", False)
# Absolute address of the site, used in e-mails and on documents (verification URL, QR code).
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    # API tokens: hashed, named, expiring, scoped (ratings.ApiToken is knox's token model).
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_fsm",
    "axes",
    # The second factor: TOTP apps, recovery codes and passkeys (WebAuthn).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    "csp",
    "audit",
    "ratings",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # NUL bytes and broken UTF-8 are a 400 before anything reads them; then the CSP, no-store
    # and Permissions-Policy headers on every dynamic response.
    "ratings.accounts.middleware.InputGuardMiddleware",
    "csp.middleware.CSPMiddleware",
    "ratings.accounts.middleware.ResponseHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # user.is_verified(); session limits (a form sent after expiry is kept); the second factor
    # before anything else for whoever must use one.
    "ratings.accounts.middleware.OTPMiddleware",
    "ratings.accounts.middleware.SessionLimitsMiddleware",
    "ratings.accounts.middleware.SecondFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # After authentication, so the audit context knows the request id and client address.
    "audit.middleware.AuditContextMiddleware",
    # Last, as django-axes requires: turns a locked-out sign-in into its lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "dpa_portal.urls"
WSGI_APPLICATION = "dpa_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ratings.accounts.context.session_limits",
                "ratings.portal.context.unread_notices",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL"), conn_max_age=env_int("DB_CONN_MAX_AGE", 0), conn_health_checks=True
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The few fixed statements every request or transition runs (dpa_portal/prepared.py) are prepared
# on the PostgreSQL server once per connection. Turn off behind a pooler in transaction mode that
# cannot keep prepared statements (PgBouncer before 1.21).
DB_PREPARED_STATEMENTS = env_bool("DB_PREPARED_STATEMENTS", True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend with a faster reader of `timestamptz` values (dpa_portal/postgresql/base.py).
    DATABASES["default"]["ENGINE"] = "dpa_portal.postgresql"
    if DB_PREPARED_STATEMENTS:
        # psycopg prepares only when a threshold is set (Django leaves it unset); Django's own
        # queries bind on the client and are never prepared, so this reaches only those statements.
        DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 1

# --- Security ---------------------------------------------------------------------------------
SECRET_KEY = env("SECRET_KEY")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
CSRF_FAILURE_VIEW = "ratings.accounts.views.session.csrf_failure"  # a page that says what to do
# The client address (lockout, throttles, audit) comes from X-Forwarded-For only through trusted
# hops: a count of proxies ("1") or their networks ("10.0.0.0/8,192.0.2.7"); "0": REMOTE_ADDR.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", "0")
SECURE_CONTENT_TYPE_NOSNIFF, SECURE_REFERRER_POLICY, X_FRAME_OPTIONS = True, "same-origin", "DENY"
_SELF = ("'self'",)  # CSP: no inline script or style anywhere (static files only), no frames or plugins
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        **dict.fromkeys(["default-src", "script-src", "style-src", "font-src", "connect-src"], _SELF),
        **dict.fromkeys(["base-uri", "form-action"], _SELF),
        **dict.fromkeys(["object-src", "frame-ancestors"], ("'none'",)),
        "img-src": [*_SELF, "data:"],
    }
}
_OFF = ("accelerometer", "camera", "geolocation", "gyroscope", "magnetometer", "microphone", "payment", "usb")
_PASSKEYS = "publickey-credentials-get=(self), publickey-credentials-create=(self)"
PERMISSIONS_POLICY = env("PERMISSIONS_POLICY", ", ".join([*(f"{f}=()" for f in _OFF), _PASSKEYS]))
FILE_UPLOAD_HANDLERS = ["ratings.uploads.LimitedUploadHandler"]  # to disk, cut at the size limit

# --- Authentication ---------------------------------------------------------------------------
AUTH_USER_MODEL = "ratings.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
# Portal: "/" sends HHS staff to the admin and everyone else to the portal home.
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# NIST AC-7: after LOGIN_FAILURE_LIMIT consecutive failed sign-ins for a username from a client
# address, that pair is locked for LOGIN_LOCKOUT_MINUTES (django-axes): one person's typos
# never lock out everyone behind a proxy; spraying from one address meets LOGIN_RATE_LIMIT.
# Django's model backend with the session's user read by a query compiled once per process.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "ratings.accounts.backends.ModelBackend"]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE, AXES_RESET_ON_SUCCESS, AXES_VERBOSE = "dpa_portal.net.client_address", True, False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Per client address (django-ratelimit syntax); password resets also per e-mail address.
LOGIN_RATE_LIMIT = env("LOGIN_RATE_LIMIT", "30/m")
PASSWORD_RESET_RATE_LIMIT = env("PASSWORD_RESET_RATE_LIMIT", "5/h")

# Second factor (NIST SP 800-63B AAL2): HHS staff and auditors always, others when their organization
# requires it. TOTP first (signatures re-enter a code, 21 CFR 11.200), then passkeys, recovery codes.
OTP_TOTP_ISSUER = OTP_WEBAUTHN_RP_NAME = env("OTP_TOTP_ISSUER", "DPA Priority Ratings")
# Passkeys (https or localhost only): the relying party is the browser's host name; accepted
# origins are these plus the browser's own when its host is in ALLOWED_HOSTS.
OTP_WEBAUTHN_RP_ID_CALLABLE = "ratings.accounts.mfa.relying_party_id"
_LOCAL = SITE_URL.replace(urlsplit(SITE_URL).hostname or "", "localhost", 1)  # http: passkeys need localhost
OTP_WEBAUTHN_ALLOWED_ORIGINS = env_list("PASSKEY_ORIGINS", SITE_URL if SITE_URL.startswith("https://") else _LOCAL)
OTP_WEBAUTHN_HELPER_CLASS = "ratings.accounts.mfa.WebAuthnHelper"
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False  # a passkey is a second factor, after the password
MFA_RECOVERY_CODES = env_int("MFA_RECOVERY_CODES", 10)

# --- Sessions ---------------------------------------------------------------------------------
# AAL2 sessions (staff, and portal users who must use a second factor) 30 minutes idle, other
# portal users 60, everyone 12 hours at most; pages warn before the idle limit; a form sent
# after expiry is kept (ratings.accounts.middleware).
SESSION_IDLE_SECONDS_STAFF = env_int("SESSION_IDLE_SECONDS_STAFF", 30 * 60)
SESSION_IDLE_SECONDS_PORTAL = env_int("SESSION_IDLE_SECONDS_PORTAL", 60 * 60)
SESSION_ABSOLUTE_SECONDS = env_int("SESSION_ABSOLUTE_SECONDS", 12 * 60 * 60)
SESSION_WARNING_SECONDS = env_int("SESSION_WARNING_SECONDS", 120)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_SECONDS
# Every signed-in request reads its session: from the shared cache (Redis, CACHE_URL) when there
# is one, written through to the database. Without it, the database: a per-process cache would
# keep a session signed out in one worker alive in the others. Nothing deletes session rows
# behind the session store's back (sign-out, expiry and password changes all go through it or
# through the user row, which is read from the database on every request).
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if os.environ.get("CACHE_URL")
    else "django.contrib.sessions.backends.db"
)

# --- Time and language ------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
USE_I18N = True
USE_TZ = True
# Time zone in which working days and "end of the due day" are read; stored times stay UTC.
AGENCY_TIME_ZONE = env("AGENCY_TIME_ZONE", "America/New_York")
# NIST AU-8: every stored time is UTC (USE_TZ; the database connection works in UTC). Pages,
# e-mails and documents show the agency's time with its zone (ratings.clock.agency_time), so the
# zone Django shows times in is the agency's, and its date formats name the zone.
TIME_ZONE = AGENCY_TIME_ZONE
FORMAT_MODULE_PATH = ["dpa_portal.formats"]

# --- Static files and storage -----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"] if (BASE_DIR / "static").exists() else []

# Uploaded attachments and generated documents hold §705(d) confidential data: they live in
# private storage outside any public URL and are only ever streamed by permission-checked views.
PRIVATE_STORAGE_ROOT = Path(env("PRIVATE_STORAGE_ROOT", str(BASE_DIR / "var" / "private")))
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_STORAGE_ROOT), "base_url": None},
    },
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_STORAGE_ROOT), "base_url": None},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024)
ATTACHMENTS_PER_REQUEST_MAX = env_int("ATTACHMENTS_PER_REQUEST_MAX", 30)
ATTACHMENTS_PER_ANSWER_MAX = env_int("ATTACHMENTS_PER_ANSWER_MAX", 10)

# --- Mail -------------------------------------------------------------------------------------
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# An SMTP server that hangs must not hold a delivery past the task time limit.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "DPA Priority Ratings <dpa-ratings@hhs.example.gov>")

# --- Cache ------------------------------------------------------------------------------------
# Redis when set (production always): rate limits shared by every worker; else local memory.
# Redis unreachable is a miss, never an error (dpa_portal/cache.py): sessions are read from the
# database; on its return the session copies are deleted, as any may be stale.
CACHES: dict[str, dict[str, Any]] = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if os.environ.get("CACHE_URL"):
    CACHES = {
        "default": {
            "BACKEND": "dpa_portal.cache.ResilientRedisCache",
            "LOCATION": env("CACHE_URL"),
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", "dpa"),
            "OPTIONS": {
                "RETRY_SECONDS": env_int("CACHE_RETRY_SECONDS", 5),
                "FLUSH_ON_RECOVERY": ["django.contrib.sessions.cached_db*"],
            },
        }
    }

# --- REST API ---------------------------------------------------------------------------------
# A personal token (knox: hashed, named, expiring, scoped; /accounts/tokens/) or the session;
# problem+json errors; throttles per client address (anonymous, failed tokens) and per user.
KNOX_TOKEN_MODEL = "ratings.ApiToken"
MIGRATION_MODULES = {"knox": None}  # knox's own table is replaced by ratings.ApiToken
REST_KNOX = {"TOKEN_TTL": None, "AUTH_HEADER_PREFIX": "Token"}  # the expiry is chosen per token
API_TOKEN_DEFAULT_DAYS, API_TOKEN_MAX_DAYS = env_int("API_TOKEN_DEFAULT_DAYS", 90), env_int("API_TOKEN_MAX_DAYS", 365)
API_THROTTLE_BAD_TOKEN = env("API_THROTTLE_BAD_TOKEN", "10/minute")
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "ratings.accounts.api_auth.ApiTokenAuthentication",
        "ratings.accounts.api_auth.VerifiedSessionAuthentication",
        "ratings.accounts.api_auth.AnonymousCallThrottle",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "ratings.accounts.api_auth.TokenScopePermission",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": ["ratings.api.throttles.PerTokenThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("API_THROTTLE_ANON", "30/minute"),
        "user": env("API_THROTTLE_USER", "600/minute"),
    },
    "EXCEPTION_HANDLER": "ratings.api.problems.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "DPA Priority Rating Portal API",
    "DESCRIPTION": "Prepare, certify and submit requests for DPA priority ratings (45 CFR part 101); answer "
    "and extend rated orders; ask HHS for special priorities assistance and work its cases; receive events "
    "by signed webhook (Standard Webhooks) or from the event feed. "
    "Errors are RFC 9457 problem details. Changes need If-Match (the ETag you read); POSTs take an "
    "Idempotency-Key. All company data is business confidential under DPA §705(d).",
    "VERSION": "1.0.0",
    # One name per choice set, so clients generate one type for each (stable across releases).
    "ENUM_NAME_OVERRIDES": {
        "RatingLevelEnum": "ratings.constants.RatingLevel",
        "RequestStateEnum": "ratings.constants.RequestState",
        "OrderStatusEnum": "ratings.constants.OrderStatus",
        "RejectionReasonEnum": "ratings.constants.RejectionReason",
        "HealthResourceCategoryEnum": "ratings.constants.HealthResourceCategory",
        "WebhookEventTypeEnum": "ratings.constants.WebhookEventType",
        "WebhookDeliveryStatusEnum": "ratings.constants.WebhookDeliveryStatus",
        "AuthorizationStatusEnum": "ratings.constants_authorization.AuthorizationStatus",
        "AuditOutcomeEnum": "audit.constants.Outcome",
        "AssistanceStatusEnum": "ratings.constants_assistance.AssistanceStatus",
        "AssistanceProblemEnum": "ratings.constants_assistance.AssistanceProblem",
        "AssistanceUrgencyEnum": "ratings.constants_assistance.AssistanceUrgency",
        "AssistanceOutcomeEnum": "ratings.constants_assistance.AssistanceOutcome",
        "AssistancePartyEnum": "ratings.constants_assistance.AssistanceParty",
        "AssistanceEntryKindEnum": "ratings.constants_assistance.AssistanceEntryKind",
    },
    "COMPONENT_SPLIT_REQUEST": True,
    "PREPROCESSING_HOOKS": ["ratings.api.schema.api_v1_only"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Not the anonymous-call counter (an authentication class that never authenticates).
    "AUTHENTICATION_WHITELIST": [
        f"ratings.accounts.api_auth.{c}Authentication" for c in ("ApiToken", "VerifiedSession")
    ],
}

# --- Logging ----------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
}

# The product's own settings: Celery, the audit trail, the rating rules, notices, documents and
# every periodic task.
from dpa_portal.settings.product import *  # noqa: E402, F403
