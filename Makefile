# Trispace — the two commands a newcomer needs are `make demo` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
TOOLS := .tools
UV_VERSION := 0.13.9
UV := $(TOOLS)/bin/uv
VENV := .venv
PY := $(VENV)/bin/python
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
export PYTHONDONTWRITEBYTECODE := 1

PG_URL ?= postgres://postgres@127.0.0.1:5432/trispace
REDIS_TEST_URL ?= redis://127.0.0.1:6379/15
PYTEST_ARGS ?=

.PHONY: help install install-browser demo serve test test-sqlite test-postgres lint fmt bench messages clean

help:
	@echo "make demo   install everything, seed a demo network on SQLite, serve http://127.0.0.1:8000"
	@echo "make test   install what the tests need and run them all (SQLite; PostgreSQL, Redis, Chromium when present, always under CI=true)"
	@echo "make lint   ruff, mypy, import-linter layer contracts, makemigrations --check"
	@echo "make bench  run the benchmarks (JSON out)"

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

install: $(UV)
	$(UV) sync --locked --quiet

# Debian's Chromium (for Playwright) and a CJK font (for screenshots, posters and labels).
install-browser:
	@if [ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -qi "CJK"; then exit 0; fi; \
	if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	  echo "installing chromium and fonts-noto-cjk from Debian's packages"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	else \
	  echo "chromium / a CJK font are missing and cannot be installed here (not root or no apt-get)"; \
	  if [ "$$CI" = "true" ]; then exit 1; fi; \
	fi

demo: install
	TRISPACE_DEMO=1 $(PY) -m trispace.cli demo

serve: install
	$(PY) -m trispace.cli serve

test: install install-browser test-sqlite test-postgres

test-sqlite:
	TRISPACE_TESTING=1 TRISPACE_VAR_DIR=var/test DATABASE_URL=sqlite:///var/test/unused.sqlite3 \
	  REDIS_TEST_URL=$(REDIS_TEST_URL) $(PY) -m pytest -m "not postgres" $(PYTEST_ARGS)

# The whole suite again on PostgreSQL (and the tests only PostgreSQL can run). Under CI a missing
# server fails the run; elsewhere it is reported and skipped.
test-postgres:
	@if [ "$$CI" != "true" ] && ! $(PY) -c "import psycopg; psycopg.connect('$(PG_URL)'.rsplit('/',1)[0] + '/postgres', connect_timeout=2).close()" 2>/dev/null; then \
	  echo "PostgreSQL is not reachable at $(PG_URL): skipping the PostgreSQL pass (CI=true makes this an error)"; exit 0; fi; \
	TRISPACE_TESTING=1 TRISPACE_VAR_DIR=var/test DATABASE_URL=$(PG_URL) \
	  REDIS_TEST_URL=$(REDIS_TEST_URL) $(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check src
	$(VENV)/bin/ruff format --check src
	$(VENV)/bin/mypy src/trispace
	$(VENV)/bin/lint-imports
	TRISPACE_VAR_DIR=var/lint $(PY) -m trispace.cli makemigrations --check --dry-run

fmt: install
	$(VENV)/bin/ruff check --fix src
	$(VENV)/bin/ruff format src

bench: install
	$(PY) -m trispace.cli bench seed --dealers 20 --stores-per-dealer 50 --members-per-store 200

# Needs GNU gettext (msgfmt); the compiled .mo files are committed so nothing else needs it.
messages:
	cd src/trispace && ../../$(PY) -m trispace.cli makemessages -l zh_Hans --no-obsolete -i "*/tests/*" -i "config/seeding/*" -i "config/bench/*" && ../../$(PY) -m trispace.cli compilemessages -l zh_Hans

clean:
	rm -rf var/test var/lint
