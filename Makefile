# Zhili: `make run` serves the demo district on SQLite; `make test` runs every check and test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
PYTEST_ARGS ?= -n 2

.DEFAULT_GOAL := help

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN{FS=":.*## "}{printf "  %-12s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed ## Create the virtual environment with the pinned dependencies

migrate: venv ## Apply database migrations
	mkdir -p var staticfiles
	$(PY) manage.py migrate --noinput
	$(PY) manage.py createcachetable

# The demo's certificates print this address in their QR codes and verify links (no address: refused, see
# licences/documents.py): the local server, on purpose. A phone on the network needs the machine's address.
demo run: export PUBLIC_BASE_URL ?= http://127.0.0.1:$(PORT)

demo: migrate ## Load the demo district (idempotent)
	$(PY) manage.py seed_demo

run: demo ## Serve the demo on http://127.0.0.1:$(PORT) with the background job consumer
	$(PY) manage.py demo_logins
	@set -m; $(PY) manage.py run_huey --quiet & HUEY_PID=$$!; \
	trap 'kill $$HUEY_PID 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver 127.0.0.1:$(PORT) --noreload

lint: venv ## ruff format check and lint
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .

format: venv ## Reformat the code
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

typecheck: venv ## mypy with django-stubs
	$(VENV)/bin/mypy .

architecture: venv ## import-linter: the arrows of DESIGN.md
	$(VENV)/bin/lint-imports

migrations-check: venv ## No model change without its migration
	$(PY) manage.py makemigrations --check --dry-run

pytest: venv ## The test suite (SQLite, or PostgreSQL when DATABASE_URL is set)
	$(VENV)/bin/pytest $(PYTEST_ARGS)

test: lint typecheck architecture migrations-check pytest ## Every check and the whole test suite

bench: venv ## Benchmarks; each prints ratios against a baseline measured in the same run (HTTP reads: PostgreSQL only)
	@for b in bench/bench_*.py; do echo "== $$b"; $(PY) "$$b" || exit 1; done

load: venv ## Load suite: gunicorn + huey on PostgreSQL and Redis, a mixed workload with locust (docs/performance.md)
	$(PY) bench/load/run.py

.PHONY: help venv migrate demo run lint format typecheck architecture migrations-check pytest test bench load
