#!/usr/bin/env bash
# The API against its own OpenAPI schema: a live server on a fresh SQLite copy of the demo data,
# and schemathesis (every check, stateful links where the schema has them) as a manufacturer, a
# supplier, HHS staff and an auditor. Fails on any server error, undocumented status code or
# schema violation. EXAMPLES (per operation) keeps the run to a few minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
EXAMPLES=${EXAMPLES:-5}
tmp=$(mktemp -d)
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
export DJANGO_SETTINGS_MODULE=dpa_portal.settings.dev
export DATABASE_URL="sqlite:///$tmp/contract.sqlite3"
export PRIVATE_STORAGE_ROOT="$tmp/private" EMAIL_FILE_PATH="$tmp/mail"
export DOCUMENT_SIGNING_CERT="$tmp/signing/cert.pem" DOCUMENT_SIGNING_KEY="$tmp/signing/key.pem"
export AUDIT_SIGNING_KEY_PATH="$tmp/audit_signing_key.pem"
# The fuzzer is one client making thousands of calls: the throttles would answer most of them.
export API_THROTTLE_USER=1000000/minute API_THROTTLE_ANON=1000000/minute
# Endpoints the fuzzer registers must look public; deliveries give up fast.
export WEBHOOK_ALLOW_PRIVATE_URLS=0 WEBHOOK_TIMEOUT_SECONDS=2
export LOG_LEVEL=ERROR
py=.venv/bin/python
port=${PORT:-8765}
base="http://127.0.0.1:$port"

$py manage.py migrate --no-input -v0
$py manage.py ensure_signing_cert >/dev/null
$py manage.py ensure_audit_key >/dev/null
$py manage.py seed_demo >/dev/null
tokens=$($py manage.py shell --no-imports -c "exec(open('scripts/api_contract_tokens.py').read())")
# As in production: errors and unknown addresses under /api/ are problem+json, not debug pages.
DEBUG=0 $py manage.py runserver --noreload --nothreading "127.0.0.1:$port" >"$tmp/server.log" 2>&1 &
server=$!
for _ in $(seq 120); do curl -s -o /dev/null "$base/api/v1/programs/" && break; sleep 0.5; done
if ! kill -0 "$server" 2>/dev/null; then cat "$tmp/server.log" >&2; exit 1; fi

status=0
for line in $tokens; do
  role=${line%%=*}
  token=${line#*=}
  curl -fs -H "Authorization: Token $token" "$base/api/schema/?format=json" -o "$tmp/schema-$role.json"
  echo "== schemathesis as $role"
  .venv/bin/st --config-file scripts/api_contract.toml run "$tmp/schema-$role.json" --url "$base" -H "Authorization: Token $token" \
    --checks all --max-examples "$EXAMPLES" --seed 16 --generation-deterministic \
    --request-timeout 30 --no-color --warnings off --output-truncate true || status=1
done
# Only the API is under test: the harness serves without collected static files, so a portal
# page rendered for the fuzzer's probes of "/" cannot find its stylesheet (not an API failure).
if grep -q "Internal Server Error: /api/" "$tmp/server.log"; then
  echo "api contract: the server logged an error" >&2
  grep -A20 "Internal Server Error: /api/" "$tmp/server.log" | head -60 >&2
  status=1
fi
exit $status
