# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= $(shell scripts/find-python)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST := $(BIN)/python -m pytest
COVERAGE := $(BIN)/python -m coverage

# The lowest supported pair (Python 3.11, Django 5.2 LTS) gets a venv of its own;
# .venv has the newest Python here and the newest Django.
LOW_PYTHON ?= $(shell scripts/find-python 3.11)
LOW_VENV := .venv-low
LOW_BIN := $(LOW_VENV)/bin

.PHONY: install install-db install-bench install-low coverage test test-low test-postgres test-mariadb test-all test-slow test-oracle lint format docs demo bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q -U pip

# DB drivers are extras: mysqlclient needs libmariadb-dev (see .ci/run).
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test,dev]'
	@touch $@

$(VENV)/.installed-demo: $(STAMP)
	$(BIN)/python -m pip install -q -e '.[test,dev,demo]'
	@touch $@

$(VENV)/.installed-db: $(STAMP)
	$(BIN)/python -m pip install -q -e '.[test,dev,postgres,mariadb]'
	@touch $@

# Benches get their own venv: the bench extra pins a real project's packages, and with
# them Django 5.2, which must not replace the test venv's Django.
BENCH_VENV := .venv-bench
BENCH_BIN := $(BENCH_VENV)/bin

$(BENCH_BIN)/python:
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_BIN)/python -m pip install -q -U pip

$(BENCH_VENV)/.installed: pyproject.toml | $(BENCH_BIN)/python
	$(BENCH_BIN)/python -m pip install -q -e '.[test,bench]'
	@touch $@

$(LOW_BIN)/python:
	@test -n "$(LOW_PYTHON)" || { echo "make: no Python 3.11 here (pyenv install 3.11)"; exit 1; }
	$(LOW_PYTHON) -m venv $(LOW_VENV)
	$(LOW_BIN)/python -m pip install -q -U pip

$(LOW_VENV)/.installed: pyproject.toml | $(LOW_BIN)/python
	$(LOW_BIN)/python -m pip install -q -e '.[test]' 'django>=5.2,<5.3'
	@touch $@

install: $(STAMP)

install-db: $(VENV)/.installed-db

install-bench: $(BENCH_VENV)/.installed

install-low: $(LOW_VENV)/.installed

# The whole suite on SQLite (slow load tests excluded: `make test-slow`).
test: $(STAMP)
	$(COVERAGE) erase
	ZERODOWNTIME_TEST_DB=sqlite $(COVERAGE) run -m pytest -m "not slow" $(PYTEST_ARGS)
	$(COVERAGE) combine -q
	$(COVERAGE) report --fail-under=0

# The SQLite suite on the lowest supported pair (no coverage: `make coverage` combines
# the runs of .venv).
test-low: $(LOW_VENV)/.installed
	ZERODOWNTIME_TEST_DB=sqlite $(LOW_BIN)/python -m pytest -m "not slow" $(PYTEST_ARGS)

test-postgres: $(VENV)/.installed-db
	ZERODOWNTIME_TEST_DB=postgres $(COVERAGE) run -m pytest -m "db and not slow" $(PYTEST_ARGS)

test-mariadb: $(VENV)/.installed-db
	ZERODOWNTIME_TEST_DB=mariadb $(COVERAGE) run -m pytest -m "db and not slow" $(PYTEST_ARGS)

# Branch coverage of every run since `make test` (SQLite, PostgreSQL, MariaDB), combined;
# fails below fail_under (pyproject.toml). `make test` alone reports SQLite without a floor.
coverage: $(STAMP)
	$(COVERAGE) combine -q --append
	$(COVERAGE) report

test-all: test test-postgres test-mariadb coverage

# The demo's own test is among them: it draws the timeline (the demo extra).
test-slow: $(VENV)/.installed-demo
	$(PYTEST) -m slow $(PYTEST_ARGS)

# Every rule scenario through the oracle on PostgreSQL and MariaDB (bench/oracle,
# docs/oracle.rst); on SQLite they are part of test-slow.
test-oracle: $(VENV)/.installed-db
	for db in postgres mariadb; do \
		ZERODOWNTIME_TEST_DB=$$db $(PYTEST) -m "db" tests/test_oracle.py $(PYTEST_ARGS) || exit 1; \
	done

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
# demo-output/timeline.svg (matplotlib, the demo extra).
demo: $(VENV)/.installed-demo
	$(BIN)/python example_project/deploy/demo.py --out demo-output

# Each bench writes bench/results/<bench>.json; report.py remakes every table from them.
# bench/backfill.py needs both database drivers: the test venv has them.
# bench/corpus.py: real upgrades of 12 reusable apps through the oracle (bench/README.md says
# how long; its first run also builds their virtualenvs in .corpus-venvs/ with pip).
bench: $(BENCH_VENV)/.installed $(VENV)/.installed-db
	$(BENCH_BIN)/python bench/health.py
	$(BENCH_BIN)/python bench/reload.py
	$(BENCH_BIN)/python bench/safe_migrate.py
	$(BENCH_BIN)/python bench/safe_migrate_base.py
	$(BENCH_BIN)/python bench/deploy.py
	$(BIN)/python bench/backfill.py
	$(BIN)/python bench/corpus.py
	$(BENCH_BIN)/python bench/report.py

clean:
	rm -rf $(VENV) $(LOW_VENV) $(BENCH_VENV) docs/_build .coverage .coverage.* .pytest_cache .mypy_cache .ruff_cache
