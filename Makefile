# One-command entry points. `make run` serves the demo site; `make test` runs the suite.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app contest
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test install install-dev lock lock-check translations i18n migrate demo serve lint typecheck audit browser deploy-tools bench-tools node mutation clean

run: install translations migrate demo serve

test: install-dev translations browser deploy-tools node
	$(BIN)/pytest $(PYTEST_ARGS)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# Installs come from the lock files: exact versions, each download checked against its hash.
# Stamp files keep repeated runs quick: pip runs again only when a lock file changes.
$(VENV)/.runtime: requirements.lock | $(BIN)/python
	$(BIN)/pip install -q --require-hashes -r requirements.lock
	touch $@

$(VENV)/.dev: requirements.lock requirements-dev.lock | $(BIN)/python
	$(BIN)/pip install -q --require-hashes -r requirements-dev.lock
	touch $@ $(VENV)/.runtime

install: $(VENV)/.runtime
install-dev: $(VENV)/.dev

# requirements*.txt are the edited inputs; `make lock` pins them (and their dependencies) with
# hashes for Linux x86_64 / Python 3.11, keeping existing pins. LOCK_ARGS=--upgrade takes the
# newest versions the inputs allow. The dev lock is constrained to the runtime lock's versions.
LOCK = $(abspath $(BIN))/uv pip compile -q --generate-hashes --python-version 3.11 \
  --python-platform x86_64-manylinux_2_28 --custom-compile-command "make lock" $(LOCK_ARGS)
define compile-locks
	cd $(1) && $(LOCK) requirements.txt -o requirements.lock
	cd $(1) && $(LOCK) requirements-dev.txt -c requirements.lock -o requirements-dev.lock
endef

lock: install-dev
	$(call compile-locks,.)

# Fails when a requirements*.txt was edited without `make lock`: recompiles copies and compares
# the pins (not the hashes: PyPI may add a wheel to a pinned release, which changes nothing here).
lock-check: install-dev
	$(eval LOCK_TMP := $(shell mktemp -d))
	cp requirements.txt requirements-dev.txt requirements.lock requirements-dev.lock $(LOCK_TMP)
	$(call compile-locks,$(LOCK_TMP))
	for lock in requirements.lock requirements-dev.lock; do \
	  grep -v -e '--hash=' $$lock > $(LOCK_TMP)/committed; grep -v -e '--hash=' $(LOCK_TMP)/$$lock > $(LOCK_TMP)/fresh; \
	  diff -u $(LOCK_TMP)/committed $(LOCK_TMP)/fresh || \
	  { echo "$$lock does not match requirements*.txt: run make lock and commit it."; exit 1; }; \
	done
	rm -rf $(LOCK_TMP)

# Compile the kk/ru/en catalogs (.mo files are build output, not kept in git).
translations: | $(VENV)/.runtime
	$(BIN)/pybabel -q compile -d contest/translations

# Extract messages from code and templates, update the three catalogs, fill English, compile.
i18n: install-dev
	$(BIN)/python -m contest.catalogs update
	$(BIN)/pybabel -q compile -d contest/translations

migrate: install
	$(FLASK) db upgrade

demo: install
	$(FLASK) demo

serve: install
	$(FLASK) run --host $(HOST) --port $(PORT)

lint: install-dev
	$(BIN)/ruff check .

# mypy on contest/ (configured in pyproject.toml: strict on the pure rule modules).
typecheck: install-dev
	$(BIN)/mypy

# Known vulnerabilities in the pinned runtime dependencies (pip-audit over requirements.lock). Fails
# on a finding; when the vulnerability service cannot be reached it says so and passes, unless
# AUDIT_ARGS=--strict.
audit: install-dev
	$(BIN)/python .ci/audit.py requirements.lock $(AUDIT_ARGS)

# Browser tests drive Debian's Chromium; install it when missing and we may (root, apt).
browser:
	@test -x /usr/bin/chromium || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) ; } || \
	  echo "Chromium is missing and could not be installed: browser tests will be skipped."

# The deploy/ checks (tests/ops/test_deploy.py, tests/ops/test_backup.py) and the two-servers proof
# (tests/deploy/) run Debian's nginx (`nginx -t` on deploy/nginx/, a proxy in front of two app servers), openssl (a certificate for it) and pg_dump/pg_restore (backups);
# installed the same way when missing.
DEPLOY_TOOLS := nginx:nginx openssl:openssl pg_dump:postgresql-client
deploy-tools:
	@missing=$$(for pair in $(DEPLOY_TOOLS); do tool=$${pair%%:*}; \
	  PATH="$$PATH:/usr/sbin" command -v $$tool >/dev/null || echo $${pair#*:}; done); \
	test -z "$$missing" || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null) ; } || \
	  echo "Missing and not installed: $$missing; the deploy/ checks that need them will be skipped."
# The load generator of bench/public_pages.py: Debian's wrk, installed when missing and we may
# (without it the bench falls back to slower Python clients).
bench-tools:
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null) ; } || \
	  echo "wrk is missing and could not be installed: bench/public_pages.py uses Python clients."

# The page checks' tools from npm (package-lock.json): axe-core, injected into each page by the browser
# tests, and the Nu HTML Checker (vnu-jar, run with Java 17+). `npm ci` runs again only when the lock
# is newer than node_modules; install scripts are skipped (vnu-jar's would fetch a Java we do not use).
node: node_modules/.package-lock.json

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	touch $@

# Mutation testing of the rule modules ([tool.mutmut] in pyproject.toml; figures in tests/MUTANTS.md).
# One module: make mutation MODULE=contest/results/ranking.py. Not part of CI: it takes long.
MUTATION_JOBS ?= 1
mutation: install-dev translations
	$(BIN)/mutmut run --max-children $(MUTATION_JOBS) $(if $(MODULE),"$(subst /,.,$(MODULE:.py=)).*")

clean:
	rm -rf $(VENV) node_modules instance/contest.sqlite3
