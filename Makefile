# Two commands on a fresh Debian machine with Python 3.11:  make demo  and  make test.
# Each creates .venv and installs what it needs; `make test` also installs the system
# packages the tests drive (Debian's chromium) and checks the PostgreSQL server.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
OUT    ?= out
SERVE  ?= 1

.PHONY: demo test lint typecheck contracts pytest system docs clean

$(BIN)/evidens: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

## demo: build the seed's review (RISS) from its files into $(OUT)/riss on SQLite, and the
## real-records example too where ../shared is beside the clone; then open the web app on it
## (Ctrl-C stops the server; SERVE=0 skips it).
demo: $(BIN)/evidens
	$(BIN)/evidens run examples/riss --out $(OUT)/riss
	$(BIN)/evidens run examples/living-update --out $(OUT)/living-update
	@if [ -d ../shared/data/exports ]; then \
	  $(BIN)/evidens run examples/dinosaur-records --out $(OUT)/dinosaur-records; \
	else echo "../shared not found: skipping examples/dinosaur-records (it reads real exports from there)"; fi
	@echo "Outputs written to $(OUT)/"
	@if [ "$(SERVE)" = "1" ]; then $(BIN)/evidens serve; fi

system:
	bash scripts/setup-system.sh

lint: $(BIN)/evidens
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts

typecheck: $(BIN)/evidens
	$(BIN)/mypy

contracts: $(BIN)/evidens
	$(BIN)/lint-imports

## node_modules: the npm packages the tests use (axe-core, pinned in package-lock.json).
node_modules/axe-core/axe.min.js: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

## The suite is mostly one process on one core; CI machines have two. The web tests run in a
## second pytest beside the rest (each PostgreSQL test has its own scratch database, each
## queue its own name, each server its own free port), and both must pass.
pytest: $(BIN)/evidens node_modules/axe-core/axe.min.js
	@$(BIN)/pytest --durations=10 tests/web > .pytest-web.log 2>&1 & web=$$!; \
	$(BIN)/pytest --durations=10 --ignore=tests/web; rest=$$?; \
	wait $$web; webrc=$$?; echo "=== tests/web (second process) ==="; cat .pytest-web.log; \
	test $$rest -eq 0 && test $$webrc -eq 0

## docs: the user guide site into site/: the reference pages generated from the code, the web
## app's screenshots from a real server (Debian's chromium), then `mkdocs build --strict`.
docs: $(BIN)/evidens
	$(BIN)/python scripts/docs_reference.py
	$(BIN)/python scripts/docs_screenshots.py
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --site-dir site

## test: everything CI runs: lint, types, import contracts, the whole test suite (which builds
## the docs site with `mkdocs build --strict`, screenshots included: tests/docs/test_docs_build.py).
test: $(BIN)/evidens system lint typecheck contracts pytest

clean:
	rm -rf $(VENV) $(OUT) site node_modules .pytest_cache .mypy_cache .ruff_cache
