# Two commands matter: `make serve` (set up, build and serve the sample site) and
# `make test` (set up and run every test). Everything is installed into .venv
# from the pinned versions in requirements.lock.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup browser-deps audit build serve check test fuzz-incremental fuzz-properties lint format clean \
	i18n-extract i18n-init i18n-update i18n-compile

setup: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

# The browser tests' tools: Debian's Chromium (installed only when it is missing; apt-get
# needs root, as in CI) and the npm packages pinned in package-lock.json (the Nu HTML
# Checker, Lighthouse). --ignore-scripts: vnu-jar's install script would fetch a Java runtime.
NODE_STAMP := node_modules/.installed

browser-deps: $(NODE_STAMP)
	@test -x /usr/bin/chromium || { apt-get update && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y --no-install-recommends chromium fonts-dejavu-core; }

$(NODE_STAMP): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	touch $(NODE_STAMP)

# Lighthouse scores (accessibility, best practices, SEO) of every sample page: about 2.5 min.
audit: $(STAMP) browser-deps
	bench/audit

build: $(STAMP)
	$(BIN)/python build.py

serve: $(STAMP)
	$(BIN)/python build.py serve --host $(HOST) --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check: $(STAMP)
	$(BIN)/python build.py check

# pytest-xdist: a worker a core, each module's tests in one worker (`loadscope`), so a
# module's fixtures (a built site, a browser) are made once.
test: $(STAMP) lint browser-deps
	$(BIN)/python build.py check --strict
	$(BIN)/python -m pytest -q -n auto --dist loadscope

# Interface strings (Babel): extract them from the templates into templates/locale/messages.pot,
# start a language's catalogue (make i18n-init LANG=pt), merge new strings into every
# catalogue, and compile the catalogues the build reads (templates/locale/*/LC_MESSAGES/*.mo).
LOCALE := templates/locale

i18n-extract: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg --no-location --sort-output --add-comments=Translators: \
		--project=sitegen -o $(LOCALE)/messages.pot .

i18n-init: $(STAMP)
	$(BIN)/pybabel init -i $(LOCALE)/messages.pot -d $(LOCALE) -l $(LANG)

i18n-update: $(STAMP)
	$(BIN)/pybabel update --no-fuzzy-matching --width=100 -i $(LOCALE)/messages.pot -d $(LOCALE)

i18n-compile: $(STAMP)
	$(BIN)/pybabel compile --statistics -d $(LOCALE)

# The differential test of incremental builds (tests/test_incremental_differential.py)
# on many long random sequences of edits, where make test runs a few short ones from a
# fixed seed: about 6 s an example of 40 steps on 2 cores, half an hour in all.
FUZZ_EXAMPLES ?= 300
FUZZ_STEPS ?= 40

fuzz-incremental: $(STAMP)
	SITEGEN_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) SITEGEN_FUZZ_STEPS=$(FUZZ_STEPS) \
		$(BIN)/python -m pytest -q -p no:cacheprovider tests/test_incremental_differential.py -k builds_agree

# The hostile-input properties (tests/test_properties.py) on many more examples than the
# 60 of each that make test runs: about 0.25 s an example.
PROPERTY_EXAMPLES ?= 1000

fuzz-properties: $(STAMP)
	SITEGEN_PROPERTY_EXAMPLES=$(PROPERTY_EXAMPLES) \
		$(BIN)/python -m pytest -q -p no:cacheprovider tests/test_properties.py

clean:
	rm -rf site .site.* .cache .pytest_cache
