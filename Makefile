# The fresh-machine commands of the README:
#   make demo        installs provenance and audits the bundled cases/ (offline)
#   make scan-demo   writes the cases as WARC files and scans them (`provenance scan`)
#   make test        installs everything the tests need and runs the whole suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: install install-test system-deps demo scan-demo test test-alone lint docs bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet .

install-test: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'

system-deps:
	bash scripts/install-system-deps.sh

# The audit exits 1 because some bundled copies fail the default policy (that is the
# point of the truth set); the leading "-" keeps make going to print where the reports are.
demo: install
	@mkdir -p out
	-$(BIN)/provenance audit cases --offline --no-state --html out/cases.html --junit out/cases.xml --json out/cases.json
	@echo "reports: out/cases.html out/cases.xml out/cases.json"

scan-demo: install
	$(BIN)/python scripts/demo_crawl.py out/crawl
	$(BIN)/provenance scan out/crawl --archive out/crawl/originals.sqlite --out out/scan
	@echo "reports: out/scan/summary.md out/scan/findings.jsonl out/scan/findings.parquet out/scan/errors.jsonl"

# The test extra brings pyspark; system-deps a Java 17 runtime: the Spark tests run too.
test: system-deps install-test lint
	$(BIN)/python -m pytest

# The whole suite again in a copy of the checkout with no ../shared beside it (tests that
# need ../shared skip, saying so), with this venv: PYTHONPATH points the interpreter, and
# the console script the tests start, at the copy's code. .ci/run runs `test` then this.
test-alone: install-test
	@alone="$$(mktemp -d)"; trap 'rm -rf "$$alone"' EXIT; \
	$(BIN)/python scripts/copy_checkout.py "$$alone/provenance" && \
	cd "$$alone/provenance" && \
	PYTHONPATH="$$alone/provenance" $(abspath $(BIN))/python -m pytest -p no:cacheprovider

lint: install-test
	$(BIN)/ruff check provenance tests benchmarks scripts fuzz
	$(BIN)/ruff format --check provenance tests benchmarks scripts fuzz
	$(BIN)/mypy provenance

docs: install
	$(BIN)/python scripts/gen_cli_docs.py

bench: install-test
	$(BIN)/python benchmarks/bench_align.py
	$(BIN)/python benchmarks/bench_archive.py --sizes 10000,100000
	$(BIN)/python benchmarks/bench_scan.py
