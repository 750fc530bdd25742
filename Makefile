# Mediviz: `make run` serves the dashboard, `make test` runs the whole test suite. Both install what they need.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
RUNTIME := $(VENV)/.runtime-installed
DEV     := $(VENV)/.dev-installed
AXE     := node_modules/axe-core/axe.min.js

.PHONY: run test lint format browser clean screenshots bench bench-comparisons chaos

run: $(RUNTIME)
	$(PY) -m dashboard

test: $(DEV) browser $(AXE)
	$(PY) -m pytest

lint: $(DEV)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy dashboard data components pages tests wsgi.py

format: $(DEV)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(RUNTIME): requirements.txt | $(VENV)/bin/python
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(DEV): requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@ $(RUNTIME)

# axe-core (npm registry, pinned in package-lock.json): the accessibility checker the browser tests run.
$(AXE): package.json package-lock.json
	@command -v npm >/dev/null || { echo "Installez Node.js et npm : sudo apt-get install -y nodejs npm" >&2; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Headless Chromium and its driver for the browser tests (Debian packages; nothing downloads a browser).
browser:
	@command -v chromedriver >/dev/null && command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium chromium-driver; \
	  else echo "Installez Chromium : sudo apt-get install -y chromium chromium-driver" >&2; exit 1; fi; }

clean:
	rm -rf $(VENV) node_modules .pytest_cache .mypy_cache .ruff_cache

# Screenshots of every page on the demo data, for the README (docs/img/*.png).
screenshots: $(DEV) browser
	$(PY) docs/make_screenshots.py

# The speed benchmark of issue 4 (MariaDB at 127.0.0.1, Redis, Chromium): tables printed and docs/benchmarks.md.
bench: $(DEV) browser
	$(PY) -m dashboard.bench

# Only its section of the v1 answers with their comparisons (issue 13), at 1M visits (a few minutes).
bench-comparisons: $(DEV)
	$(PY) -m dashboard.bench --comparisons-only

# The fault matrix of issue 10 (MariaDB at 127.0.0.1, redis-server, root for a small tmpfs; about 10 minutes):
# every dependency fails in turn under load; the table is printed and written to docs/reliability.md.
chaos: $(DEV)
	$(PY) -m dashboard.chaos
