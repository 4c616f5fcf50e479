# make run: set up everything and serve the app on SQLite at http://127.0.0.1:$(PORT)/
# make test: the same set-up, then the whole test suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.requirements.txt
# Development values: production is the default (DEBUG off, a real SECRET_KEY and ALLOWED_HOSTS required).
DEV := DEBUG=1

.PHONY: setup run test lint format messages bench loadtest

$(STAMP): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	cp requirements.txt $(STAMP)

setup: $(STAMP)

# The mail worker (send_mail_queue) runs beside the server, its emails printed here, and stops with it.
run: setup
	$(DEV) $(BIN)/python manage.py migrate --noinput
	$(DEV) $(BIN)/python manage.py load_demo
	$(DEV) $(BIN)/python manage.py send_mail_queue --loop & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(DEV) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: setup
	$(DEV) $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Regenerate the English catalogue after changing user-facing strings (needs GNU gettext).
messages: setup
	$(DEV) $(BIN)/python manage.py makemessages --locale en --ignore '.venv/*' --ignore 'tests/*' --no-obsolete
	$(DEV) $(BIN)/python manage.py compilemessages --locale en --ignore '.venv/*'

# Load and fault test: gunicorn + a throwaway PostgreSQL, 64 users for 60 s, the database stopped for 5 s midway;
# prints figures and checks the invariants afterwards (needs postgresql-15; see bench/load.py).
loadtest: setup
	$(BIN)/python -m bench.load

# Time the public pages on SQLite and PostgreSQL at 10k and 100k practices (several minutes; see bench/run.py).
bench: setup
	$(BIN)/python -m bench.run
