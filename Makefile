# The portal's commands (CONTRACT section 1). Needs only Python 3.11+ and make.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test serve bench lint format messages venv

$(VENV)/.runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

venv: $(VENV)/.dev

# Zero-setup demo: SQLite, jobs in-process, DEBUG on. Re-running reuses the database.
demo: $(VENV)/.runtime
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py seed_demo --scale small
	DEBUG=1 $(PY) manage.py backfill_metrics --days 90
	@DEBUG=1 $(PY) manage.py demo_logins
	@trap 'kill 0' INT TERM EXIT; \
	DEBUG=1 $(PY) manage.py run_scheduler & \
	DEBUG=1 $(PY) manage.py runserver --noreload $(HOST):$(PORT)

# The whole suite. Uses DATABASE_URL / REDIS_URL when set, SQLite and in-process jobs otherwise.
test: $(VENV)/.dev
	$(PY) -m pytest $(PYTEST_ARGS)

# Production-style: gunicorn, a Celery worker and Celery beat against DATABASE_URL and REDIS_URL.
serve: $(VENV)/.runtime
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput
	@trap 'kill 0' INT TERM EXIT; \
	$(VENV)/bin/celery -A config worker -l info --concurrency 2 & \
	$(VENV)/bin/celery -A config beat -l info --schedule $${BEAT_SCHEDULE_FILE:-/tmp/goodcar-celerybeat-schedule} & \
	$(VENV)/bin/gunicorn config.wsgi --bind $(HOST):$(PORT) --workers $${WEB_WORKERS:-3} --access-logfile - ; wait

bench: $(VENV)/.dev
	$(PY) bench/run.py

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Regenerate the catalogues from the code, then compile (the .mo files are committed).
messages: $(VENV)/.dev
	DEBUG=1 $(PY) manage.py makemessages -l zh_Hans --ignore=.venv --ignore=staticfiles --ignore=bench --ignore=test-artifacts --ignore="*/tests/*" --ignore=tests --no-obsolete
	DEBUG=1 $(PY) manage.py compilemessages --ignore=.venv
