# The two commands of the README's quick start, and the steps they are made of.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO := build/demo

.PHONY: setup demo test golden clean

$(BIN)/backsmith: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

setup: $(BIN)/backsmith

# Generate the clinic example as a new project on SQLite and run its own test suite.
demo: setup
	rm -rf $(DEMO)
	mkdir -p build
	$(BIN)/backsmith new demo --directory build --feature examples/clinic.md
	cd $(DEMO) && ../../$(BIN)/pytest --cov=app --cov-fail-under=90

# backsmith's own tests: unit, golden files, and end-to-end on SQLite and PostgreSQL.
test: setup
	$(BIN)/pytest -n 2 --dist worksteal --durations=20

# Rewrite the golden files after an intended change to the templates.
golden: setup
	BACKSMITH_UPDATE_GOLDEN=1 $(BIN)/pytest tests/golden -q

clean:
	rm -rf build $(VENV)
