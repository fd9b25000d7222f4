# The two commands: `make run` serves the portal, `make test` runs the whole suite.
# Both set everything up on a fresh Debian/Ubuntu machine; DATABASE_URL / REDIS_URL point them at
# existing servers instead of the private ones under var/.
SHELL := /bin/bash
.ONESHELL:
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
HOST ?= 127.0.0.1
SCALE ?= small
export DJANGO_SETTINGS_MODULE := portal.settings
export PYTHONUNBUFFERED := 1
SERVICES_ENV = eval "$$(scripts/services.sh env)"

.PHONY: help run test setup services stop migrate demo static messages bench load lint check faults clean

help:
	@echo "make run    - set up, start PostgreSQL/Redis if needed, load the demo province, serve on http://$(HOST):$(PORT)/"
	@echo "make test   - set up and run the whole test suite"
	@echo "make stop   - stop the private PostgreSQL and Redis under var/"
	@echo "make bench  - registry benchmarks (import vs COPY, API vs a bare view); see docs/performance.md"
	@echo "make load   - locust load scenario against gunicorn + worker on a demo database (LOAD_TIME, SCALE)"
	@echo "make backup - dump the database (DATABASE_URL) into var/backups/<UTC timestamp>.dump"
	@echo "make restore FILE=var/backups/<timestamp>.dump - restore a backup into the database (stop the portal first)"

# --- set-up -----------------------------------------------------------------------------------------
$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	command -v npm >/dev/null || scripts/ensure-debian.sh nodejs npm
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

var/vendor/.copied: node_modules/.installed scripts/vendor.sh
	scripts/vendor.sh
	touch $@

setup: $(VENV)/.installed var/vendor/.copied messages

messages: $(VENV)/.installed
	command -v msgfmt >/dev/null || scripts/ensure-debian.sh gettext
	$(PY) manage.py compilemessages --ignore '.venv' --ignore 'node_modules' --ignore 'var' -v 0

services:
	scripts/services.sh start

stop:
	scripts/services.sh stop

migrate: setup services
	$(SERVICES_ENV)
	$(PY) manage.py migrate --noinput -v 0

static: setup
	$(PY) manage.py collectstatic --noinput -v 0

demo: migrate
	$(SERVICES_ENV)
	$(PY) manage.py load_demo --scale $(SCALE) --if-empty

# --- the two commands ---------------------------------------------------------------------------------
run: demo static
	$(SERVICES_ENV)
	HOST=$(HOST) PORT=$(PORT) scripts/run.sh

test: setup services static
	$(SERVICES_ENV)
	command -v chromium >/dev/null || scripts/ensure-debian.sh chromium
	$(PY) manage.py check --fail-level WARNING
	$(PY) manage.py makemigrations --check --dry-run -v 0
	$(VENV)/bin/ruff check .
	$(PY) -m pytest -q -n 2 $(PYTEST_ARGS)

# Benchmarks (docs/performance.md): measured side by side in one run, never asserted in tests.
bench: setup services
	$(SERVICES_ENV)
	command -v wrk >/dev/null || scripts/ensure-debian.sh wrk
	$(PY) bench/registry_bench.py --rows $${BENCH_ROWS:-1000000}

# Load (docs/performance.md, "Load"): the real stack on its own demo database (LOAD_DB, default
# portal_load), locust headless on loopback; fails if any request failed.
load: setup services static
	$(SERVICES_ENV)
	SCALE=$(SCALE) bench/load/run.sh

# --- backup and restore (scripts/backup.sh; docs/operations.md) ----------------------------------------
.PHONY: backup restore
backup:
	scripts/backup.sh backup

restore:
	@test -n "$(FILE)" || { echo "usage: make restore FILE=var/backups/<timestamp>.dump" >&2; exit 2; }
	scripts/backup.sh restore "$(FILE)"

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

clean: stop
	rm -rf var node_modules $(VENV)
