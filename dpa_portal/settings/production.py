"""Production: nothing secret has a default; HTTPS everywhere; rate limits shared in Redis."""

import os

# Rate limits, throttles and lockout counters must be shared by every worker: Redis, always.
os.environ.setdefault("CACHE_URL", "redis://127.0.0.1:6379/1")
# Persistent database connections: a new connection per request costs more than most pages'
# queries. Health checks (base.py) replace a connection the database dropped.
os.environ.setdefault("DB_CONN_MAX_AGE", "600")

from dpa_portal.settings.base import *  # noqa: F403
from dpa_portal.settings.base import SESSION_ABSOLUTE_SECONDS, env_bool

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_SECONDS
