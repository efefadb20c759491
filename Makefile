# The two commands: `make report` and `make test`. Both set up .venv/ first when it is missing or
# pyproject.toml changed since it was built.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# One pytest run holds the tests, the docstring examples of energytrade/ and the nbval checks of the notebooks, in
# two processes (pytest-xdist), a whole file per process (`--dist loadfile`: a file's module fixtures are made
# once, and no two processes write one path). Files go out slowest first (tests/conftest.py's SLOWEST_FILES;
# `--no-loadscope-reorder` keeps that order), so the two processes end together. `make test PYTEST_WORKERS=`
# runs in one.
PYTEST_WORKERS ?= -n 2 --dist loadfile --no-loadscope-reorder

.PHONY: report test lint notebooks build bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

report: $(STAMP)
	$(BIN)/energytrade report

build: $(STAMP)
	$(BIN)/energytrade build

test: $(STAMP) lint
	@test -d "$${ENERGYTRADE_SHARED_DIR:-../shared}" || echo "WARNING: ../shared is missing beside the repo: the tests that compare with the reference collection and the article's text are skipped (named at the end of the pytest run)"
	MPLBACKEND=Agg $(BIN)/python -m pytest tests energytrade notebooks --doctest-modules \
		--nbval --nbval-current-env --nbval-sanitize-with notebooks/sanitize.cfg $(PYTEST_WORKERS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

notebooks: $(STAMP)
	MPLBACKEND=Agg $(BIN)/jupyter nbconvert --to notebook --execute --inplace --ExecutePreprocessor.record_timing=False notebooks/*.ipynb

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_report.py

clean:
	rm -rf data/processed/*.csv data/processed/*.parquet reports
