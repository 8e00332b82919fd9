# zhifa: `make demo` brings the platform up with demo data; `make test` runs every check.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_ADMIN_URL ?= postgres://postgres@127.0.0.1:5432/postgres
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/zhifa
export ZHIFA_DATA_DIR ?= $(CURDIR)/var

.PHONY: demo test install install-dev system-deps lint migrations-check test-sqlite test-postgres serve bench clean

$(BIN)/python:
	@bash scripts/ensure-python.sh $(PYTHON)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

demo: install
	$(BIN)/zhifa migrate --noinput
	$(BIN)/zhifa collectstatic --noinput --verbosity 0
	$(BIN)/zhifa demo
	$(BIN)/zhifa ledger checkpoint
	ZHIFA_HTTPS=0 $(BIN)/zhifa serve

serve: install
	ZHIFA_HTTPS=0 $(BIN)/zhifa serve

system-deps:
	@bash scripts/ensure-system-deps.sh

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

migrations-check: install-dev
	ZHIFA_DATA_DIR=$$(mktemp -d) $(BIN)/zhifa makemigrations --check --dry-run

test-sqlite: install-dev system-deps
	ZHIFA_DATA_DIR=$$(mktemp -d) $(BIN)/python -m pytest

PG_TEST_DB ?= test_zhifa_make

test-postgres: install-dev system-deps
	@$(BIN)/python scripts/check_postgres.py "$(PG_ADMIN_URL)"
	ZHIFA_DATA_DIR=$$(mktemp -d) DATABASE_URL=$(PG_TEST_URL) ZHIFA_TEST_DB_NAME=$(PG_TEST_DB) \
		$(BIN)/python -m pytest --create-db
	@$(BIN)/python scripts/check_postgres.py "$(PG_ADMIN_URL)" --drop $(PG_TEST_DB)

test: lint migrations-check test-sqlite test-postgres
	@echo "make test: 全部检查通过 (ruff, migrations, pytest on SQLite and PostgreSQL)"

bench: install-dev
	$(BIN)/python bench/web.py

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
