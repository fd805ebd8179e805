# Stord bolig: `make run` serves the app with demo data, `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation2 fonts-noto-core poppler-utils gettext
TEST_SYSTEM_PACKAGES := chromium
PYTEST_ARGS ?=

.PHONY: run test test-fast bench lint system-deps test-system-deps venv npm messages clean-var check-deploy audit \
	load test-faults

run: system-deps venv npm messages
	$(PY) -m stord_bolig.devrun

test: system-deps test-system-deps venv npm messages
	STORD_TESTING=1 $(PY) -m stord_bolig.embedded exec -- $(PY) -m pytest -p no:cacheprovider $(PYTEST_ARGS)

test-fast: venv messages
	STORD_TESTING=1 $(PY) -m stord_bolig.embedded exec -- $(PY) -m pytest -m "not e2e and not integration" $(PYTEST_ARGS)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	STORD_TESTING=1 $(PY) -m stord_bolig.embedded exec -- $(PY) manage.py makemigrations --check --dry-run

# Security findings fail unless accepted with a reason: ruff's S/DJ rules (`# noqa: S... - reason`), bandit
# ([tool.bandit] skips, `# <reason>  # nosec BXXX`) and known vulnerabilities in requirements.lock
# (security/accepted-vulnerabilities.toml). The dependency audit needs PyPI's JSON API.
audit: venv
	$(VENV)/bin/ruff check .
	@# bandit warns about every node of a statement that holds a nosec line (privacy.py's register: dozens); drop that noise.
	$(VENV)/bin/bandit -c pyproject.toml -q -r . 2> >(grep -v 'nosec encountered' >&2)
	$(PY) security/audit_deps.py

check-deploy: venv
	DEBUG=0 SECRET_KEY=$$(head -c 48 /dev/urandom | base64) ALLOWED_HOSTS=bolig.stord.kommune.no \
	  $(PY) -m stord_bolig.embedded exec -- $(PY) manage.py check --deploy --fail-level WARNING

bench: system-deps venv npm messages
	STORD_TESTING=1 $(PY) -m stord_bolig.embedded exec -- $(PY) manage.py bench $(BENCH_ARGS)

# Load test: 50 caseworkers for 2 minutes (work list -> case -> assessment -> decision -> letter) against gunicorn
# on 127.0.0.1, on the database load_$(LOAD_SCALE) (generated once and kept, like bench_<scale>). Prints p50/p95/p99
# and errors per step, writes bench/load.json, fails when the budget is missed (journey p95 300 ms, p99 1 s, no
# errors). E.g. make load LOAD_SCALE=oslo LOAD_ARGS="--users 20 --duration 60s"; all options: python -m loadtest.run -h
LOAD_SCALE ?= national
LOAD_ARGS ?=
load: system-deps venv npm messages
	STORD_TESTING=1 $(PY) -m stord_bolig.embedded exec -- $(PY) -m loadtest.run --scale $(LOAD_SCALE) $(LOAD_ARGS)

# Fault test (tests/faults, not part of `make test`): its own PostgreSQL and Redis restarted and a Celery worker
# killed mid-letter under a one-minute load; then every letter and reminder exists once and nothing is half-written.
test-faults: system-deps venv npm messages
	STORD_TESTING=1 STORD_FAULTS=1 $(PY) -m stord_bolig.embedded exec -- $(PY) -m pytest -p no:cacheprovider -m faults \
	  tests/faults $(PYTEST_ARGS)

# System libraries: WeasyPrint's Pango/HarfBuzz, the letter fonts, pdftotext, gettext; chromium for tests.
system-deps:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing system packages: $$missing"; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

test-system-deps:
	@missing=$$(for p in $(TEST_SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing system packages: $$missing"; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.lock pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.lock
	@touch $@

npm: node_modules/.installed

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq nodejs npm; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

messages: venv $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/django.po))

locale/%/LC_MESSAGES/django.mo: locale/%/LC_MESSAGES/django.po
	msgfmt --check-format -o $@ $<

clean-var:
	rm -rf var
