# The two commands: `make run` (the system on its embedded default) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# The PostgreSQL the suite also runs against (trust auth on this machine and in CI).
TEST_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/uscpis
TEST_ENV := SECRET_KEY=test-only-not-a-secret DEBUG=0 ALLOWED_HOSTS=testserver,127.0.0.1,localhost
RUN_ENV := DEBUG=1

.PHONY: run test lint install

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

run: install
	$(RUN_ENV) $(BIN)/python manage.py migrate --noinput
	$(RUN_ENV) $(BIN)/python manage.py seed_demo --if-empty
	@echo "Starting the web server on http://$(HOST):$(PORT)/reports and a report worker (Ctrl+C stops both)."
	@trap 'kill 0' INT TERM EXIT; \
	$(RUN_ENV) $(BIN)/python manage.py db_worker --no-reload --interval 0.5 & \
	$(RUN_ENV) $(BIN)/python manage.py runserver --noreload $(HOST):$(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint
	$(TEST_ENV) $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	@echo "== Test suite on SQLite =="
	$(TEST_ENV) $(BIN)/pytest
	@echo "== Test suite on PostgreSQL ($(TEST_POSTGRES_URL)) =="
	$(TEST_ENV) DATABASE_URL=$(TEST_POSTGRES_URL) $(BIN)/pytest
