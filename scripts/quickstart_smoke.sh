#!/usr/bin/env bash
# The quick start on SQLite, set up by the same make target as `make run PORT=8123`: every link
# it writes (e-mails, order documents) must name that port. Then scripts/quickstart_smoke.py
# seeds again (idempotent), pushes one new request through the whole workflow and verifies the
# audit chain.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export DJANGO_SETTINGS_MODULE=dpa_portal.settings.dev
export DATABASE_URL="sqlite:///$tmp/smoke.sqlite3"
export PRIVATE_STORAGE_ROOT="$tmp/private" EMAIL_FILE_PATH="$tmp/mail"
export DOCUMENT_SIGNING_CERT="$tmp/signing/cert.pem" DOCUMENT_SIGNING_KEY="$tmp/signing/key.pem"
export AUDIT_SIGNING_KEY_PATH="$tmp/audit_signing_key.pem"
# The address must come from HOST and PORT alone, whatever the calling shell has set.
unset SITE_URL ALLOWED_HOSTS HOST PORT
export LOG_LEVEL=WARNING
py=.venv/bin/python

make -s --no-print-directory quickstart PORT=8123 >/dev/null
sites=$(grep -rhoE "https?://[A-Za-z0-9.:-]+" "$tmp/mail" | sort -u | tr '\n' ' ')
if [ "$sites" != "http://127.0.0.1:8123 " ]; then
  echo "smoke: the seeded e-mails link to '$sites', expected only http://127.0.0.1:8123" >&2
  exit 1
fi
echo "smoke: $(ls "$tmp/mail" | wc -l) e-mail files link to http://127.0.0.1:8123"

# One process for the rest: each manage.py start costs about 2 s.
SITE_URL=http://127.0.0.1:8123 $py manage.py shell --no-imports -c "exec(open('scripts/quickstart_smoke.py').read())"
echo "quick-start smoke on SQLite: OK"
