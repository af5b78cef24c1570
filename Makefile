# Sensorium: `make run` sets everything up and starts the server; `make test` runs the suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# Every extra for both: the integration tests run the real models.
EXTRAS_ALL := all,test
EXTRAS_TEST := all,test

# Weights that no installable package ships ready to load live here (fetched at setup).
MODELS_DIR ?= $(CURDIR)/.models
export SENSORIUM_MODELS_DIR := $(MODELS_DIR)
MTCNN_WHEEL := facenet_pytorch-2.6.0-py3-none-any.whl

.PHONY: run test lint bench models clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed-all: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --disable-pip-version-check -q -e '.[$(EXTRAS_ALL)]'
	touch $@ $(VENV)/.installed-test

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --disable-pip-version-check -q -e '.[$(EXTRAS_TEST)]'
	touch $@

# MTCNN's P/R/O-net state dicts, read as data from the facenet-pytorch wheel (never
# installed: its pins clash with ours).
$(MODELS_DIR)/mtcnn/onet.pt: | $(VENV)/.installed-test
	$(BIN)/python -m pip download --disable-pip-version-check --no-deps -q \
		-d $(MODELS_DIR)/wheels facenet-pytorch==2.6.0
	$(BIN)/python -m sensorium.models.faces.weights $(MODELS_DIR)/wheels/$(MTCNN_WHEEL) $(MODELS_DIR)

models: $(MODELS_DIR)/mtcnn/onet.pt

run: $(VENV)/.installed-all models
	$(BIN)/sensorium serve

test: $(VENV)/.installed-test models
	$(BIN)/python -m pytest

lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy src

bench: $(VENV)/.installed-test
	$(BIN)/python bench/collections_roundtrip.py
	$(BIN)/python bench/faces_search.py

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info .pytest_cache .mypy_cache .ruff_cache
