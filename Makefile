# The two commands of the README: `make run` and `make test`. Everything else supports them.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell sha256sum requirements.lock | cut -c1-16)
HOST ?= 127.0.0.1
PORT ?= 8000
# make test: the suite runs on PostgreSQL (settings.test); override with DATABASE_URL.
TEST_ENV := DJANGO_SETTINGS_MODULE=dpa_portal.settings.test

.PHONY: api-contract run quickstart test chromium wrk install lint typecheck migrations-check pytest smoke bench lock clean vendor

$(STAMP): requirements.lock
	@test -x $(PY) || command -v $(PYTHON) >/dev/null \
	  || { echo "make: Python 3.11 is required and $(PYTHON) was not found; set PYTHON=/path/to/python3.11" >&2; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install -q --disable-pip-version-check uv==0.13.9
	@$(VENV)/bin/uv pip sync -q --python $(PY) requirements.lock
	@rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

# Every absolute link the quick start writes (e-mails, the verification URL and QR code on
# order documents) uses SITE_URL, so it follows HOST and PORT unless SITE_URL is set.
SITE_URL ?= http://$(HOST):$(PORT)
ALLOWED_HOSTS ?= localhost,127.0.0.1,$(HOST)

## make quickstart: set up the quick start (SQLite, eager tasks, mail to var/mail) without serving it.
quickstart run: export SITE_URL := $(SITE_URL)
quickstart run: export ALLOWED_HOSTS := $(ALLOWED_HOSTS)
quickstart: install
	@$(PY) manage.py migrate --no-input -v0
	@$(PY) manage.py ensure_signing_cert
	@$(PY) manage.py ensure_audit_key
	@LOG_LEVEL=WARNING $(PY) manage.py seed_demo
	@$(PY) manage.py audit_checkpoint

## make run: the quick start, served at http://$(HOST):$(PORT)/.
run: quickstart
	@echo ""
	@echo "  DPA Priority Rating Portal: http://$(HOST):$(PORT)/   (HHS staff: http://$(HOST):$(PORT)/admin/)"
	@echo "  Logins (password dpa-demo): applicant, applicant2, signer (Acme's authorized signer of rated orders),"
	@echo "                              supplier (also supplier2, membrana, resina),"
	@echo "                              intake, reviewer, approver (DO), secretary (DX), hhsadmin, auditor,"
	@echo "                              hhssigner (HHS's authorized signer: places HHS's own rated orders in the admin)"
	@echo "  HHS staff and auditors also enter a code from an authenticator app (demo only: every one of them"
	@echo "  shares the secret GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ; or run: .venv/bin/python manage.py demo_totp)."
	@echo "  Passkeys need https or localhost: open http://localhost:$(PORT)/ to add one."
	@echo "  E-mail is written to var/mail/."
	@echo ""
	@$(PY) manage.py runserver $(HOST):$(PORT)

## make test: lint, types, migrations, the whole suite on PostgreSQL, then the SQLite quick-start smoke.
# chromium comes first so a machine without it stops before minutes of other checks.
test: chromium install lint typecheck migrations-check pytest smoke

# The browser tests (tests/e2e) drive Debian's Chromium; never a downloaded browser.
CHROMIUM_PATH ?= /usr/bin/chromium
chromium:
	@if [ ! -x "$(CHROMIUM_PATH)" ]; then \
	  if [ "$$(id -u)" = 0 ] && [ "$(CHROMIUM_PATH)" = /usr/bin/chromium ]; then \
	    echo "make: installing Debian's chromium for the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	    [ -x /usr/bin/chromium ] || { echo "make: could not install chromium (apt-get install -y chromium)" >&2; exit 1; }; \
	  else \
	    echo "make: the browser tests need Chromium at $(CHROMIUM_PATH). Run: sudo apt-get update && sudo apt-get install -y chromium" >&2; \
	    exit 1; \
	  fi; \
	fi

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache --no-logo

typecheck: install
	$(TEST_ENV) $(VENV)/bin/mypy dpa_portal ratings audit

migrations-check: install
	$(TEST_ENV) DATABASE_URL=sqlite:///:memory: $(PY) manage.py makemigrations --check --dry-run

pytest: chromium install node_modules/.package-lock.json
	$(TEST_ENV) $(PY) -m pytest --create-db -p no:cacheprovider

smoke: install
	@bash scripts/quickstart_smoke.sh

## make api-contract: schemathesis against a live server as four roles (EXAMPLES=5 per operation by default).
api-contract: install
	@EXAMPLES=$${EXAMPLES:-5} bash scripts/api_contract.sh

## make bench: every benchmark in bench/ on PostgreSQL (not part of make test; minutes, not seconds).
bench: install wrk
	@failed=""; for script in bench/*.py; do $(TEST_ENV) $(PY) $$script || failed="$$failed $$script"; done; \
	  if [ -n "$$failed" ]; then echo "make bench: a goal was missed or a benchmark failed in:$$failed" >&2; exit 1; fi

# bench/pages.py's 32 clients are Debian's wrk in its own process (Python clients would take the
# cores they measure); installed as chromium is.
wrk:
	@if ! command -v wrk >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "make: installing Debian's wrk for the page benchmark's load phase"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
	    command -v wrk >/dev/null || { echo "make: could not install wrk (apt-get install -y wrk)" >&2; exit 1; }; \
	  else \
	    echo "make: the page benchmark needs wrk. Run: sudo apt-get update && sudo apt-get install -y wrk" >&2; \
	    exit 1; \
	  fi; \
	fi

lock:
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev -o requirements.lock --python $(PY)

clean:
	rm -rf $(VENV) db.sqlite3 var staticfiles

## --- Front end (portal) ------------------------------------------------------------------
# node_modules holds axe-core for the browser tests and USWDS for `make vendor`; runtime needs neither.
node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund

## make vendor: copy the USWDS CSS, JS, fonts and images we use into static/vendor/uswds (committed).
vendor: node_modules/.package-lock.json
	$(PY) scripts/vendor_uswds.py
