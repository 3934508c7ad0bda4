# Two commands do all the set-up on a fresh machine (Python 3.11+ and make):
#   make serve   serve the seeded API on SQLite at http://127.0.0.1:8000 (PORT=8001 for another)
#   make test    run the whole test suite, on SQLite and PostgreSQL (and in Chromium)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

$(INSTALLED): pyproject.toml
	python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(INSTALLED)

# The browser tests (tests/test_docs_browser.py, tests/test_pages_browser.py) drive Debian's
# chromium with playwright-core: chromium comes from apt (as root, and only when it is missing),
# playwright-core from tests/browser/package-lock.json. The TypeScript contract test
# (tests/test_typescript_client.py) type-checks and runs the typed client of clients/typescript
# against the API, with the npm packages of clients/typescript/package-lock.json. Both folders'
# packages are installed with `npm ci`, again whenever a lock file changes; Node.js 20 comes
# with the machine. Where a piece cannot be installed, the tests that need it skip and say why,
# except under CI (CI=true), where they fail.
CHROMIUM := /usr/bin/chromium
BROWSER_MODULES := tests/browser/node_modules/.package-lock.json
CLIENT_MODULES := clients/typescript/node_modules/.package-lock.json

$(CHROMIUM):
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; \
	else \
		echo "note: no $(CHROMIUM), and apt-get as root is not at hand to install it:" \
			"the browser tests will skip (as root: apt-get install chromium)"; \
	fi

%/node_modules/.package-lock.json: %/package.json %/package-lock.json
	@if command -v npm >/dev/null; then \
		cd $* && npm ci --no-audit --no-fund && touch node_modules/.package-lock.json; \
	else \
		echo "note: no npm (Node.js 20 or later): the tests that need $* will skip"; \
	fi

.PHONY: install browser client serve test lint
install: $(INSTALLED)

browser: $(CHROMIUM) $(BROWSER_MODULES)

client: $(CLIENT_MODULES)

PORT ?= 8000
serve: $(INSTALLED)
	$(BIN)/eventdb serve --port $(PORT)

test: $(INSTALLED) browser client
	$(BIN)/pytest

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
