# make run: set up everything and serve the app on SQLite at http://127.0.0.1:$(PORT)/
# make test: the same set-up, then the whole test suite.
# make serve: what production runs, on this machine (see the target below); deploy/README.md for a real server.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.requirements.txt
# Development values: production is the default (DEBUG off, a real SECRET_KEY and ALLOWED_HOSTS required).
DEV := DEBUG=1

.PHONY: setup run test serve lint format messages bench loadtest

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

# Production settings (DEBUG off) under gunicorn with deploy/gunicorn.conf.py, at http://127.0.0.1:$(PORT)/: to try
# what production runs (collected, compressed static files; the 404 and 500 pages; a load test) before deploying.
# Plain http on this machine only, hence no https redirect, HSTS or https-only cookies; a secret key of its own,
# made once in $(SERVE_KEY) (git-ignored). The database is DATABASE_URL's, else make run's db.sqlite3.
SERVE_KEY := .serve-secret-key
SERVE := DEBUG=0 SECRET_KEY="$$(cat $(SERVE_KEY))" ALLOWED_HOSTS=127.0.0.1,localhost SITE_URL=http://127.0.0.1:$(PORT) \
	SECURE_SSL_REDIRECT=0 SECURE_HSTS_SECONDS=0 SECURE_COOKIES=0

$(SERVE_KEY):
	umask 077 && $(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))' > $@

serve: setup $(SERVE_KEY)
	$(SERVE) $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(SERVE) $(BIN)/python manage.py migrate --noinput
	$(SERVE) GUNICORN_BIND=127.0.0.1:$(PORT) $(BIN)/gunicorn --config deploy/gunicorn.conf.py

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
