# Set-up is part of every target: a clean clone needs only `make demo` or `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PIP := $(BIN)/python -m pip --disable-pip-version-check -q

.PHONY: install demo test lint fuzz bench clean

$(STAMP): pyproject.toml requirements/constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install -c requirements/constraints.txt torch
	$(PIP) install -c requirements/constraints.txt -e '.[test]'
	# The real timm for the parity tests. --no-deps: its package __init__ needs torchvision,
	# whose PyPI wheel breaks beside this torch; the tests import timm.scheduler alone.
	$(PIP) install --no-deps 'timm==1.0.31'
	# Bytecode now, so that start-up is fast even where PYTHONDONTWRITEBYTECODE is set.
	$(BIN)/python -m compileall -q warmup_cli
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/warmup show 'linear:4,base=0.1' --epochs 10 --plot

test: install
	$(BIN)/python -m pytest -q
	$(BIN)/ruff check warmup_cli tests bench tools
	$(BIN)/mypy --strict warmup_cli

# The property-based tests of tests/fuzz with fresh random inputs until FUZZ_SECONDS of wall
# clock are used up (split between the tests); `make test` runs the same tests on a small fixed
# budget (the hypothesis profile "ci" in tests/conftest.py).
FUZZ_SECONDS ?= 600
fuzz: install
	HYPOTHESIS_PROFILE=fuzz WARMUP_FUZZ_SECONDS=$(FUZZ_SECONDS) $(BIN)/python -m pytest -q tests/fuzz

lint: install
	$(BIN)/ruff check warmup_cli tests bench tools
	$(BIN)/mypy --strict warmup_cli

bench: install
	$(PIP) install -c requirements/constraints.txt -e '.[test,bench]'
	$(BIN)/python bench/bench.py

clean:
	rm -rf $(VENV) build *.egg-info
