# Lotline: `make run` serves it on SQLite; `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
DEMO ?= 1
# the template pack a first start installs (food, pharma, automotive, electronics; none: no pack)
PACK ?= food
export LOTLINE_PORT := $(PORT)

FRONTEND_SOURCES := $(shell find frontend/src frontend/index.html frontend/vite.config.ts frontend/tsconfig*.json -type f 2>/dev/null)

.PHONY: run test install lint typecheck pytest frontend-test e2e bench clean

## run: set everything up and serve Lotline on http://$(HOST):$(PORT) (embedded SQLite)
run: $(VENV)/.stamp-install frontend/dist/index.html
	$(BIN)/lotline db upgrade
	$(BIN)/lotline users bootstrap --if-empty
	@if [ "$(PACK)" != none ]; then \
		$(BIN)/lotline packs install $(PACK) --first-start $(if $(filter 1,$(DEMO)),--demo); \
	elif [ "$(DEMO)" = 1 ]; then $(BIN)/lotline demo; fi
	$(BIN)/lotline run --host $(HOST) --port $(PORT)

## test: lint, types, Python tests (SQLite; PostgreSQL/Redis when configured), front-end tests, browser tests
test: $(VENV)/.stamp-test frontend/dist/index.html lint typecheck frontend-test pytest

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip setuptools wheel

$(VENV)/.stamp-install: $(VENV)/bin/python setup.cfg pyproject.toml
	$(BIN)/pip install --quiet -e '.[postgres,server]'
	@touch $@

$(VENV)/.stamp-test: $(VENV)/.stamp-install
	$(BIN)/pip install --quiet -e '.[postgres,server,test]'
	@touch $@

install: $(VENV)/.stamp-install

frontend/node_modules/.stamp-ci: frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

frontend/dist/index.html: frontend/node_modules/.stamp-ci $(FRONTEND_SOURCES)
	cd frontend && npm run build --silent

lint: $(VENV)/.stamp-test
	$(BIN)/ruff check src tests bench migrations
	$(BIN)/lint-imports --no-cache

typecheck: $(VENV)/.stamp-test frontend/node_modules/.stamp-ci
	$(BIN)/mypy
	cd frontend && npm run typecheck --silent

frontend-test: frontend/node_modules/.stamp-ci
	cd frontend && npm test --silent

pytest: $(VENV)/.stamp-test frontend/dist/index.html
	$(BIN)/python -m pytest $(PYTEST_ARGS)

e2e: $(VENV)/.stamp-test frontend/dist/index.html
	$(BIN)/python -m pytest tests/e2e $(PYTEST_ARGS)

## bench: the benchmarks in bench/ (never part of `make test`)
bench: $(VENV)/.stamp-test
	for script in bench/*.py; do $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) frontend/node_modules frontend/dist .pytest_cache .mypy_cache .ruff_cache
