# samverkansgraf — `make help` lists the targets.
# Both entry points (`make run`, `make test`) create .venv and install what they
# need on a fresh machine with only Python 3.11 and the package index.

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
SGRAF  := $(BIN)/samverkansgraf

.DEFAULT_GOAL := help
.PHONY: help run test test-fast install install-test build validate lint format check bench bench-l bench-xl clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[pandas]'
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed ## create .venv and install the package (with the pandas extra)

install-test: $(VENV)/.installed-test ## create .venv and install the package with test extras

run: install ## build the dataset into dist/ and print its summary (the main job)
	$(SGRAF) build

build: run ## alias of run

validate: install ## validate the curated data against shapes/ and print the report
	$(SGRAF) validate

# The suite runs in one worker process per CPU (pytest-xdist), four at most:
# on the 2-CPU machine 4 minutes instead of 10. PYTEST_WORKERS=0 runs it in
# this process (a debugger, -x that stops at once).
PYTEST_WORKERS ?= auto --maxprocesses=4

test: install-test ## run the whole test suite in parallel workers (installs Debian's chromium for the browser test when it can)
	@.ci/install-browser || true
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS)

test-fast: install-test ## the quick tests only: no slow, network (server) or browser tests
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) -m "not slow and not network and not browser"

lint: install-test ## ruff check, ruff format check and mypy (0 errors)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

format: install-test ## format the code with ruff
	$(BIN)/ruff check --fix src tests benchmarks
	$(BIN)/ruff format src tests benchmarks

check: lint test ## lint + test

bench: install-test ## S/M/L (1.1M triples): build, rebuild, I/O limit, baseline (~10 min) -> benchmarks/results/latest.{json,md} + README figures
	$(BIN)/python -m benchmarks.run

bench-l: install-test ## make bench with publish at L too (~60,000 pages; adds minutes) -> the same results + README figures
	$(BIN)/python -m benchmarks.run --publish-scales S,M,L

bench-xl: install-test ## the ~5M-triple run of docs/scale.md (not in make bench) -> benchmarks/results/xl/latest.{json,md}
	$(BIN)/python -m benchmarks.run --scales XL --baseline-scales "" --out benchmarks/results/xl

clean: ## remove build output and caches (keeps .venv)
	rm -rf dist site build .build-cache .pytest_cache .ruff_cache src/*.egg-info
