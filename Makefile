# voicecare: `make run` sets up and starts the assistant; `make test` sets up and runs the tests.
# Both install the whole product: the Piper voice, the report's charts and PDF and the listening
# front end (the extras that a plain `pip install .` leaves out; `voicecare doctor` names any missing).
PYTHON ?= python3
VENV   ?= .venv
EXTRAS ?= piper,report,listen
BIN    := $(VENV)/bin

.PHONY: run test setup setup-test bench ha-check chat doctor clean

run: setup
	$(BIN)/voicecare run

test: setup-test
	$(BIN)/python -m pytest -q

bench: setup-test
	$(BIN)/python -m benchmarks

# A real Home Assistant core (cached in ~/.cache/voicecare-ha) talking to `voicecare wyoming`.
ha-check: setup-test
	$(BIN)/python -m benchmarks.ha_check

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
	$(BIN)/python -m pip install -q -e '.[$(EXTRAS)]'
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	./scripts/install-system-deps.sh --test
	$(BIN)/python -m pip install -q -e '.[$(EXTRAS),test]'
	touch $@

clean:
	rm -rf $(VENV) build *.egg-info
