# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= $(shell scripts/find-python)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST := $(BIN)/python -m pytest
COVERAGE := $(BIN)/python -m coverage

.PHONY: install install-db coverage test test-postgres test-mariadb test-all test-slow lint format docs demo bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q -U pip

# DB drivers are extras: mysqlclient needs libmariadb-dev (see .ci/run).
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test,dev]'
	@touch $@

$(VENV)/.installed-db: $(STAMP)
	$(BIN)/python -m pip install -q -e '.[test,dev,postgres,mariadb]'
	@touch $@

$(VENV)/.installed-bench: $(STAMP)
	$(BIN)/python -m pip install -q -e '.[test,dev,bench]'
	@touch $@

install: $(STAMP)

install-db: $(VENV)/.installed-db

# The whole suite on SQLite (slow load tests excluded: `make test-slow`).
test: $(STAMP)
	$(COVERAGE) erase
	ZERODOWNTIME_TEST_DB=sqlite $(COVERAGE) run -m pytest -m "not slow" $(PYTEST_ARGS)
	$(COVERAGE) combine -q || true
	$(COVERAGE) report

test-postgres: $(VENV)/.installed-db
	ZERODOWNTIME_TEST_DB=postgres $(COVERAGE) run -m pytest -m "db and not slow" $(PYTEST_ARGS)

test-mariadb: $(VENV)/.installed-db
	ZERODOWNTIME_TEST_DB=mariadb $(COVERAGE) run -m pytest -m "db and not slow" $(PYTEST_ARGS)

# Branch coverage of every run since `make test` (SQLite, PostgreSQL, MariaDB), combined.
coverage: $(STAMP)
	$(COVERAGE) combine -q --append || true
	$(COVERAGE) report

test-all: test test-postgres test-mariadb coverage

test-slow: $(STAMP)
	$(PYTEST) -m slow $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

docs: $(STAMP)
	$(BIN)/sphinx-build -W --keep-going -q -b html docs docs/_build/html

# The whole story under load, on SQLite: four deploys, each step checked; writes
# demo-output/timeline.svg (matplotlib, from the bench extra).
demo: $(VENV)/.installed-bench
	$(BIN)/python example_project/deploy/demo.py --out demo-output

# Each bench writes bench/results/<bench>.json; report.py remakes every table from them.
bench: $(VENV)/.installed-bench
	$(BIN)/python bench/health.py
	$(BIN)/python bench/reload.py
	$(BIN)/python bench/safe_migrate.py
	$(BIN)/python bench/deploy.py
	$(BIN)/python bench/report.py

clean:
	rm -rf $(VENV) docs/_build .coverage .coverage.* .pytest_cache .mypy_cache .ruff_cache
