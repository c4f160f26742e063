# voicecare: `make run` sets up and starts the assistant; `make test` sets up and runs the tests.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: run test setup setup-test bench chat doctor clean

run: setup
	$(BIN)/voicecare run

test: setup-test
	$(BIN)/python -m pytest -q

bench: setup-test
	$(BIN)/python -m benchmarks

chat: setup
	$(BIN)/voicecare chat

doctor: setup
	$(BIN)/voicecare doctor

setup: $(VENV)/.installed

setup-test: $(VENV)/.installed-test

$(VENV)/.installed: pyproject.toml scripts/install-system-deps.sh
	./scripts/install-system-deps.sh
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[listen]'
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	./scripts/install-system-deps.sh --test
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

clean:
	rm -rf $(VENV) build *.egg-info
