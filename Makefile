# The two commands: `make run` (the system on its embedded default) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# The PostgreSQL the suite also runs against (trust auth on this machine and in CI).
TEST_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/uscpis
TEST_ENV := SECRET_KEY=test-only-not-a-secret DEBUG=0 ALLOWED_HOSTS=testserver,127.0.0.1,localhost SECURE_SSL_REDIRECT=0 SECURE_COOKIES=0
RUN_ENV := DEBUG=1

.PHONY: run test lint install tools bench samples

install: $(VENV)/.installed

# The programs the tests and the benchmark start, from Debian's packages: the browser the page's
# tests drive, wrk for the load benchmark, pdftoppm to look at report pages. Installed when missing.
TOOLS := /usr/bin/chromium /usr/bin/wrk /usr/bin/pdftoppm
tools: $(TOOLS)

/usr/bin/chromium /usr/bin/wrk /usr/bin/pdftoppm &:
	@test "$$(id -u)" = 0 || { echo "$@ is missing: install Debian's chromium, wrk and poppler-utils (needs root)"; exit 1; }
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium wrk poppler-utils >/dev/null

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

run: install
	$(RUN_ENV) $(BIN)/python manage.py migrate --noinput
	$(RUN_ENV) $(BIN)/python manage.py seed_demo --if-empty --site http://$(HOST):$(PORT)
	@echo "Starting the web server on http://$(HOST):$(PORT)/reports and a report worker (Ctrl+C stops both)."
	@echo "Scheduled reports' mails are written to $(CURDIR)/var/mail/ (no mail server needed)."
	@trap 'kill 0' INT TERM EXIT; \
	$(RUN_ENV) SITE_URL=http://$(HOST):$(PORT) $(BIN)/python manage.py db_worker --no-reload --interval 0.5 & \
	$(RUN_ENV) $(BIN)/python manage.py runserver --noreload $(HOST):$(PORT)

# Page images of every report type (docs/samples): demo data in a scratch SQLite database, rendered as PDF.
SAMPLES_DATABASE := /tmp/uscpis-samples.sqlite3
samples: install tools
	rm -f $(SAMPLES_DATABASE)
	$(RUN_ENV) DATABASE_URL=sqlite:///$(SAMPLES_DATABASE) $(BIN)/python manage.py migrate --noinput -v0
	$(RUN_ENV) DATABASE_URL=sqlite:///$(SAMPLES_DATABASE) $(BIN)/python manage.py seed_demo > /dev/null
	$(RUN_ENV) DATABASE_URL=sqlite:///$(SAMPLES_DATABASE) $(BIN)/python manage.py report_samples --output docs/samples

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint tools
	$(TEST_ENV) $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	@echo "== Test suite on SQLite =="
	$(TEST_ENV) $(BIN)/pytest
	@echo "== Test suite on PostgreSQL ($(TEST_POSTGRES_URL)) =="
	$(TEST_ENV) DATABASE_URL=$(TEST_POSTGRES_URL) $(BIN)/pytest

# The benchmark (docs/benchmarks.md): sizes S, M and L, every report against bare SQL, the API at
# 10,000 reports, the status endpoint under wrk, 1/2/4 workers. It replaces all data in its own
# database. Quicker: `make bench SIZES=S` (add BENCH_PARTS=reports to skip the API, load, workers and process start).
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/uscpis_bench
SIZES ?= S,M,L
BENCH_PARTS ?= reports,api,load,workers,startup
# A commit whose process start time the startup part measures beside this checkout's (none: this one alone).
STARTUP_AGAINST ?=
BENCH_ENV := SECRET_KEY=bench-only-not-a-secret DEBUG=0 DATABASE_URL=$(BENCH_DATABASE_URL)

bench: install tools
	$(BENCH_ENV) $(BIN)/python -m bench.run --sizes $(SIZES) --parts $(BENCH_PARTS) \
		--startup-against "$(STARTUP_AGAINST)" \
		--command "make bench SIZES=$(SIZES) BENCH_PARTS=$(BENCH_PARTS)$(if $(STARTUP_AGAINST), STARTUP_AGAINST=$(STARTUP_AGAINST))"
