# Two promises: `make run` and `make test` work on a fresh machine with python3 and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DATA ?= homeward-data

.PHONY: run test clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	HOMEWARD_DATA_DIR=$(DATA) HOMEWARD_COOKIE_SECURE=false $(BIN)/homeward init
	@echo
	@echo "No accounts exist yet. Create the first one (it asks for nothing on screen):"
	@echo "  read -s PW && echo \"\$$PW\" | HOMEWARD_DATA_DIR=$(DATA) $(BIN)/homeward users create YOURNAME --role nurse --password-stdin"
	@echo "Then open http://127.0.0.1:8000/login (API docs: http://127.0.0.1:8000/api/v1/docs)."
	@echo
	HOMEWARD_DATA_DIR=$(DATA) HOMEWARD_COOKIE_SECURE=false $(BIN)/homeward serve

test: $(STAMP)
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
