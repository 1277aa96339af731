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

.PHONY: run test install lint typecheck migrations-check pytest smoke lock clean vendor

$(STAMP): requirements.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install -q --disable-pip-version-check uv==0.13.9
	@$(VENV)/bin/uv pip sync -q --python $(PY) requirements.lock
	@rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

## make run: set up the quick start (SQLite, eager tasks, mail to var/mail) and serve it.
run: install
	@mkdir -p var/mail
	@$(PY) manage.py migrate --no-input -v0
	@$(PY) manage.py ensure_signing_cert
	@$(PY) manage.py ensure_audit_key
	@LOG_LEVEL=WARNING $(PY) manage.py seed_demo
	@$(PY) manage.py audit_checkpoint
	@echo ""
	@echo "  DPA Priority Rating Portal: http://$(HOST):$(PORT)/   (HHS staff: http://$(HOST):$(PORT)/admin/)"
	@echo "  Logins (password dpa-demo): applicant, applicant2, supplier (also supplier2, membrana, resina),"
	@echo "                              intake, reviewer, approver (DO), secretary (DX), hhsadmin, auditor"
	@echo "  E-mail is written to var/mail/."
	@echo ""
	@$(PY) manage.py runserver $(HOST):$(PORT)

## make test: lint, types, migrations, the whole suite on PostgreSQL, then the SQLite quick-start smoke.
test: install lint typecheck migrations-check pytest smoke

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache --no-logo

typecheck: install
	$(TEST_ENV) $(VENV)/bin/mypy dpa_portal ratings audit

migrations-check: install
	$(TEST_ENV) DATABASE_URL=sqlite:///:memory: $(PY) manage.py makemigrations --check --dry-run

pytest: install node_modules/.package-lock.json
	$(TEST_ENV) $(PY) -m pytest --create-db -p no:cacheprovider

smoke: install
	@bash scripts/quickstart_smoke.sh

lock:
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev -o requirements.lock

clean:
	rm -rf $(VENV) db.sqlite3 var staticfiles

## --- Front end (portal) ------------------------------------------------------------------
# node_modules holds axe-core for the browser tests and USWDS for `make vendor`; runtime needs neither.
node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund

## make vendor: copy the USWDS CSS, JS, fonts and images we use into static/vendor/uswds (committed).
vendor: node_modules/.package-lock.json
	$(PY) scripts/vendor_uswds.py
