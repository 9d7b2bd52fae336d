# One-command entry points. `make run` serves the demo site; `make test` runs the suite.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app contest
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test install install-dev translations i18n migrate demo serve lint audit browser mutation clean

run: install translations migrate demo serve

test: install-dev translations browser
	$(BIN)/pytest $(PYTEST_ARGS)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# Stamp files keep repeated runs quick: pip runs again only when a requirements file changes.
$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

install: $(VENV)/.runtime
install-dev: $(VENV)/.dev

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

# Known vulnerabilities in the runtime dependencies (pip-audit). Fails on a finding; when the
# vulnerability service cannot be reached it says so and passes, unless AUDIT_ARGS=--strict.
audit: install-dev
	$(BIN)/python .ci/audit.py requirements.txt $(AUDIT_ARGS)

# Browser tests drive Debian's Chromium; install it when missing and we may (root, apt).
browser:
	@test -x /usr/bin/chromium || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) ; } || \
	  echo "Chromium is missing and could not be installed: browser tests will be skipped."

# Mutation testing of the rule modules ([tool.mutmut] in pyproject.toml; figures in tests/MUTANTS.md).
# One module: make mutation MODULE=contest/results/ranking.py. Not part of CI: it takes long.
MUTATION_JOBS ?= 1
mutation: install-dev translations
	$(BIN)/mutmut run --max-children $(MUTATION_JOBS) $(if $(MODULE),"$(subst /,.,$(MODULE:.py=)).*")

clean:
	rm -rf $(VENV) instance/contest.sqlite3
