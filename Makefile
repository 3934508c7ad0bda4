# Two commands do all the set-up on a fresh machine (Python 3.11+ and make):
#   make serve   serve the seeded API on SQLite at http://127.0.0.1:8000 (PORT=8001 for another)
#   make test    run the whole test suite, on SQLite and PostgreSQL
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

$(INSTALLED): pyproject.toml
	python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(INSTALLED)

.PHONY: install serve test lint
install: $(INSTALLED)

PORT ?= 8000
serve: $(INSTALLED)
	$(BIN)/eventdb serve --port $(PORT)

test: $(INSTALLED)
	$(BIN)/pytest

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
