# Passerelle — every target sets up what it needs first, so a fresh clone needs only
# `make demo` or `make test`.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
RASA_VENV := .venv-rasa
RASA_STAMP := $(RASA_VENV)/.installed-stamp

.PHONY: help demo test test-fast lint fmt env db demo-data rasa-venv nlu-train nlu-serve bench clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	@$(BIN)/pip install --quiet --disable-pip-version-check --upgrade pip
	@$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

$(RASA_STAMP): nlu/requirements-rasa.txt
	@echo "Creating Rasa's own Python 3.10 environment in $(RASA_VENV) (first time only, ~2 min)…"
	@test -d $(RASA_VENV) || "$$(scripts/find-python310.sh)" -m venv $(RASA_VENV)
	@$(RASA_VENV)/bin/pip install --quiet --disable-pip-version-check --upgrade pip
	@$(RASA_VENV)/bin/pip install --quiet --disable-pip-version-check -r nlu/requirements-rasa.txt
	@touch $(RASA_STAMP)

env: $(STAMP) ## Generate local secrets into .env (only if .env is missing)
	@test -f .env || $(BIN)/passerelle keys --write .env

db: env ## Apply database migrations
	@$(BIN)/passerelle db upgrade

demo-data: db ## Load the demo territory into the embedded database
	@$(BIN)/passerelle resources demo --quiet

rasa-venv: $(RASA_STAMP) ## Create Rasa's virtual environment

nlu-train: $(RASA_STAMP) ## Train the Rasa NLU model (only when the training data changed)
	@scripts/nlu.sh train

nlu-serve: nlu-train ## Serve the NLU model on 127.0.0.1:5005 (foreground)
	@scripts/nlu.sh serve

demo: demo-data nlu-train ## Start the console chat on the embedded default (SQLite, local Rasa)
	@scripts/demo.sh

test: $(STAMP) nlu-train ## Run the whole test suite (SQLite and PostgreSQL, real Rasa)
	@scripts/ensure-chromium.sh
	@$(BIN)/pytest

test-fast: $(STAMP) ## Unit tests only
	@$(BIN)/pytest tests/unit -q

lint: $(STAMP) ## ruff, mypy, import contracts
	@$(BIN)/ruff check .
	@$(BIN)/ruff format --check .
	@$(BIN)/mypy flows bot nlu resources_db
	@$(BIN)/lint-imports

fmt: $(STAMP) ## Format the code
	@$(BIN)/ruff format .
	@$(BIN)/ruff check --fix .

bench: $(STAMP) ## Run the benchmark suite and write docs/benchmarks.md (not part of `make test`)
	@$(BIN)/python -m benchmarks.suite --write docs/benchmarks.md
	@$(BIN)/python -m benchmarks.search

clean: ## Remove virtual environments, models and local data
	rm -rf $(VENV) $(RASA_VENV) nlu/rasa/models data/*.db*
