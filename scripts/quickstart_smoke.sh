#!/usr/bin/env bash
# The quick start on SQLite, as `make run` sets it up: migrate, seed (twice: idempotent), push
# one new request through the whole workflow, verify the audit chain.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export DJANGO_SETTINGS_MODULE=dpa_portal.settings.dev
export DATABASE_URL="sqlite:///$tmp/smoke.sqlite3"
export PRIVATE_STORAGE_ROOT="$tmp/private" EMAIL_FILE_PATH="$tmp/mail"
export DOCUMENT_SIGNING_CERT="$tmp/signing/cert.pem" DOCUMENT_SIGNING_KEY="$tmp/signing/key.pem"
export AUDIT_SIGNING_KEY_PATH="$tmp/audit_signing_key.pem"
py=.venv/bin/python
$py manage.py migrate --no-input -v0
$py manage.py ensure_signing_cert >/dev/null
$py manage.py ensure_audit_key >/dev/null
$py manage.py seed_demo >/dev/null
$py manage.py seed_demo >/dev/null
$py manage.py shell -c "exec(open('scripts/quickstart_smoke.py').read())"
$py manage.py audit_checkpoint
$py manage.py audit_verify
echo "quick-start smoke on SQLite: OK"
