# The two quickstart commands: `make demo` (render the order workflow, then run the emitted
# ASL locally with the real services on a sample order) and
# `make test` (lint, type-check and test). Both set up their own virtualenv in .venv.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# The stepfunctions SDK (the `sdk` extra) pulls ~200 MB and takes seconds to import; its
# tests run in a venv of their own so the main one shows orderflow without it.
SDK_VENV  ?= .venv-sdk
SDK_STAMP := $(SDK_VENV)/.installed

.PHONY: demo test lint typecheck pytest pytest-sdk bench conformance clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

$(SDK_STAMP): pyproject.toml
	$(PYTHON) -m venv $(SDK_VENV)
	$(SDK_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(SDK_VENV)/bin/python -m pip install --quiet -e '.[dev,sdk]'
	touch $(SDK_STAMP)

demo: $(STAMP)
	mkdir -p out
	$(BIN)/orderflow render --workflow order -o out/order_workflow.asl.json
	$(BIN)/orderflow render --workflow order --format mermaid -o out/order_workflow.mmd
	$(BIN)/orderflow run out/order_workflow.asl.json --trace
	@echo "rendered out/order_workflow.asl.json and out/order_workflow.mmd, ran it locally" >&2

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest

pytest-sdk: $(SDK_STAMP)
	$(SDK_VENV)/bin/mypy src/orderflow/sdk
	$(SDK_VENV)/bin/pytest tests/sdk

test: lint typecheck pytest pytest-sdk

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_executor.py
	$(BIN)/python benchmarks/bench_validation.py
	$(BIN)/python benchmarks/bench_import.py
	$(BIN)/python benchmarks/bench_render_html.py
	$(BIN)/python benchmarks/bench_serve.py

conformance: $(STAMP)
	$(BIN)/python -m orderflow.executor._conformance

clean:
	rm -rf $(VENV) $(SDK_VENV) out build *.egg-info
