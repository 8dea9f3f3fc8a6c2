# Set-up is part of every target: a clean clone needs only `make demo` or `make test`.
# `make demo` installs the runtime (with torch, so that `show` steps a real LambdaLR);
# `make test` adds the test tools and the real libraries of the parity tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUNTIME := $(VENV)/.installed-runtime
TESTING := $(VENV)/.installed-test
PIP := $(BIN)/python -m pip --disable-pip-version-check -q
CONSTRAINTS := -c requirements/constraints.txt

.PHONY: install demo test lint fuzz bench dist clean

# torch first and pinned: the 2.13.0 CPU build (a plain `torch` would pull CUDA).
# Bytecode is compiled at install, so that start-up is fast even where
# PYTHONDONTWRITEBYTECODE is set.
$(RUNTIME): pyproject.toml requirements/constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install $(CONSTRAINTS) torch
	$(PIP) install $(CONSTRAINTS) -e '.[torch]'
	@$(BIN)/python -m compileall -q warmup_cli
	@touch $@

# timm with --no-deps for the parity tests: its package __init__ needs torchvision, whose
# PyPI wheel breaks beside this torch; the tests import timm.scheduler alone.
$(TESTING): $(RUNTIME)
	$(PIP) install $(CONSTRAINTS) -e '.[torch,test,dist,plot]'
	$(PIP) install --no-deps 'timm==1.0.31'
	@touch $@

install: $(RUNTIME)

demo: $(RUNTIME)
	$(BIN)/warmup show 'linear:4 > cosine:16,base=0.1' --epochs 20 --plot

test: $(TESTING)
	$(BIN)/python -m pytest -q
	$(BIN)/ruff check warmup_cli tests bench tools
	$(BIN)/mypy --strict warmup_cli

# The property-based tests of tests/fuzz with fresh random inputs until FUZZ_SECONDS of wall
# clock are used up (split between the tests); `make test` runs the same tests on a small
# fixed budget (the hypothesis profile "ci" in tests/conftest.py).
FUZZ_SECONDS ?= 600
fuzz: $(TESTING)
	HYPOTHESIS_PROFILE=fuzz WARMUP_FUZZ_SECONDS=$(FUZZ_SECONDS) $(BIN)/python -m pytest -q tests/fuzz

lint: $(TESTING)
	$(BIN)/ruff check warmup_cli tests bench tools
	$(BIN)/mypy --strict warmup_cli

bench: $(TESTING)
	$(PIP) install $(CONSTRAINTS) -e '.[test,bench]'
	$(BIN)/python bench/bench.py

# The wheel and the sdist in dist/.
dist: $(TESTING)
	rm -rf dist
	$(BIN)/python -m build --outdir dist .

clean:
	rm -rf $(VENV) build dist *.egg-info
