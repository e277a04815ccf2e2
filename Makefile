# Two promises: `make run` and `make test` work on a fresh machine with python3 and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DEMO ?= homeward-demo
JS_TESTS := $(wildcard tests/js/*.test.mjs)

.PHONY: run test test-js clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	HOMEWARD_DATA_DIR=$(DEMO) $(BIN)/homeward demo $(if $(PORT),--port $(PORT))

# One pytest worker per core, at most four (pytest-xdist): the suite waits on servers, subprocesses and
# Chromium as much as it computes. `pytest tests/x.py` alone still runs in one process. Tests
# marked `serial` (a browser updating its service worker) run after, alone: under four workers
# Chromium has left a new worker uninstalled for over a minute.
test: $(STAMP) test-js
	$(BIN)/python -m pytest -q -n auto --maxprocesses 4 --dist worksteal -m "not serial"
	$(BIN)/python -m pytest -q -m serial

# The family app's pure modules run under Node's own test runner. Without node they are
# skipped locally with a sentence; CI sets REQUIRE_NODE_TESTS=1 and installs Debian's nodejs.
test-js:
	@if [ -z "$(JS_TESTS)" ]; then echo "no JavaScript tests"; \
	elif command -v node >/dev/null 2>&1; then node --test $(JS_TESTS); \
	elif [ "$$REQUIRE_NODE_TESTS" = 1 ]; then echo "REQUIRE_NODE_TESTS=1 but node is missing (apt-get install nodejs)"; exit 1; \
	else echo "SKIPPED: the JavaScript tests need node (apt-get install nodejs)"; fi

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
