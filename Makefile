# Sensorium: `make run` sets everything up and starts the server; `make test` runs the suite.
# Model weights install themselves: `sensorium serve` fetches what is missing on its first
# start (into the per-user cache, or SENSORIUM_MODELS_DIR).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# Every extra for both: the integration tests run the real models.
EXTRAS_ALL := all,test
EXTRAS_TEST := all,test

.PHONY: run test lint format bench models clean console chromium

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed-all: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --disable-pip-version-check -q -e '.[$(EXTRAS_ALL)]'
	touch $@ $(VENV)/.installed-test

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --disable-pip-version-check -q -e '.[$(EXTRAS_TEST)]'
	touch $@

models: $(VENV)/.installed-test
	$(BIN)/sensorium models fetch

run: $(VENV)/.installed-all
	$(BIN)/sensorium serve

test: $(VENV)/.installed-test models chromium
	$(BIN)/python -m pytest --durations=25

# The console's browser tests drive the system's Chromium (Debian's package): installed
# when missing, with sudo unless root. Elsewhere the tests skip (and fail under CI).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if ! command -v apt-get >/dev/null 2>&1; then \
	    echo "chromium is missing and apt-get is not here: install Chromium by hand"; exit 0; fi; \
	  sudo=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
	  $$sudo apt-get update -qq && \
	  $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

# Rebuilds the console's compiled files (src/sensorium/console/static, committed) from web/:
# only this target needs Node and npm.
console:
	cd web && npm ci && npm run build

lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy src tests

format: $(VENV)/.installed-test
	$(BIN)/ruff check --fix src tests bench
	$(BIN)/ruff format src tests bench

bench: $(VENV)/.installed-test
	$(BIN)/python bench/collections_roundtrip.py
	$(BIN)/python bench/faces_search.py

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info .pytest_cache .mypy_cache .ruff_cache
