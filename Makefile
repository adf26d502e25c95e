# The two quickstart commands: `make demo` (render the order workflow, then run the emitted
# ASL locally with the real services on a sample order) and
# `make test` (lint, type-check and test). Both set up their own virtualenv in .venv.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint typecheck pytest bench conformance clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	mkdir -p out
	$(BIN)/orderflow render -o out/order_workflow.asl.json
	$(BIN)/orderflow render --format mermaid -o out/order_workflow.mmd
	$(BIN)/orderflow run out/order_workflow.asl.json --trace
	@echo "rendered out/order_workflow.asl.json and out/order_workflow.mmd, ran it locally" >&2

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest

test: lint typecheck pytest

bench: $(STAMP)
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) out build *.egg-info
