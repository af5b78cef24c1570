# Sensorium: `make run` sets everything up and starts the server; `make test` runs the suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# Every extra for both: the integration tests run the real models.
EXTRAS_ALL := all,test
EXTRAS_TEST := all,test

.PHONY: run test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed-all: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --disable-pip-version-check -q -e '.[$(EXTRAS_ALL)]'
	touch $@ $(VENV)/.installed-test

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --disable-pip-version-check -q -e '.[$(EXTRAS_TEST)]'
	touch $@

run: $(VENV)/.installed-all
	$(BIN)/sensorium serve

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest

lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy src

bench: $(VENV)/.installed-test
	$(BIN)/python bench/collections_roundtrip.py

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info .pytest_cache .mypy_cache .ruff_cache
