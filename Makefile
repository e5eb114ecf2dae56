# `make run` and `make test` set themselves up on first use: .venv, packages, database.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test lint hooks

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Reinstall whenever the dependencies change.
$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --editable .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --editable '.[test]'
	@touch $@ $(VENV)/.installed

run: $(VENV)/.installed
	$(PY) manage.py migrate --no-input
	$(PY) manage.py load_demo_data
	$(PY) manage.py generate_demo_data --if-empty --possible-duplicate
	$(PY) manage.py load_demo_audits
	$(PY) manage.py refresh_figures --schedule
	$(PY) manage.py publish_demo_quarter
	$(PY) manage.py send_reminders --schedule
	@echo "Neglect Portal: http://127.0.0.1:8000 (Ctrl+C to stop)"
	$(RUN_WITH_WORKER) $(PY) manage.py runserver 127.0.0.1:8000

# The background worker (census imports) runs beside the web server and stops with it, however
# that ends: Ctrl+C, an error, or the server exiting. Without reloading, so that stopping this
# process stops the worker itself.
RUN_WITH_WORKER = $(PY) manage.py db_worker --no-reload --interval 2 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	trap 'exit 130' INT TERM;

# Unit and integration tests first, then the browser tests in real Chromium. Django refuses
# synchronous database calls from Playwright's event loop unless told it is safe, so that
# permission is given to the browser run only.
test: $(VENV)/.installed-test
	$(PY) -m pytest --ignore=tests/e2e $(PYTEST_ARGS)
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(PY) -m pytest tests/e2e $(PYTEST_ARGS)

# The checks CI runs before the tests: lint, formatting, the layers contract, types.
lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

# The same checks before every commit (.pre-commit-config.yaml).
hooks: $(VENV)/.installed-test
	$(VENV)/bin/pre-commit install
