# Dolbom: `make run` serves the site with demo data on SQLite; `make test` runs every check.
SHELL := /bin/bash
VENV ?= .venv
PYTHON ?= $(shell scripts/venv-python)
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
STAMP := $(VENV)/.installed

.PHONY: run serve install translations migrate demo test browser-deps lint pytest extract-messages bench-quotes bench-bookings bench-settlement

run: install translations migrate demo serve

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

translations: install
	$(BIN)/pybabel compile --statistics -d translations 2>&1 | tail -n 3

migrate: install
	$(FLASK) db upgrade

demo: install
	$(FLASK) demo-data --if-empty

serve:
	@echo "Dolbom is at http://127.0.0.1:5000 (Ctrl+C to stop)"
	$(FLASK) run --host 127.0.0.1 --port 5000

# every check CI runs: lint, layer contract, migrations in sync, the whole suite on SQLite and
# PostgreSQL (a local server is started when none runs), browser tests when Chromium is present
test: install translations browser-deps lint pytest

# axe-core for the accessibility checks of the browser tests (pinned in package-lock.json)
browser-deps:
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --silent; else echo "npm not found: browser tests will be skipped"; fi

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

pytest: install
	@url=$$(scripts/ensure-postgres.sh) && \
	DOLBOM_TEST_POSTGRES_URL="$$url" DOLBOM_REQUIRE_POSTGRES=1 $(BIN)/python -m pytest $(PYTEST_ARGS)

extract-messages: install
	$(BIN)/pybabel extract --no-location --sort-by-file -F babel.cfg -k _l -k N_ -o translations/messages.pot .
	$(BIN)/pybabel update --no-fuzzy-matching -d translations -i translations/messages.pot
	$(BIN)/python scripts/english-catalogue.py

bench-quotes: install translations
	$(BIN)/python bench/quotes.py

# requests → quote → reserved hours → ranking → offers on PostgreSQL (copies dolbom_bench, made on
# first run); then every offer accepted at once, and a SQL proof of no double booking
bench-bookings: install translations
	$(BIN)/python bench/bookings.py

# lock and claim one national month on PostgreSQL (copies dolbom_bench, made on first run)
bench-settlement: install
	$(BIN)/python bench/settlement.py
