# reportqa: `make run` builds the index of the bundled reports; `make test` runs the tests.
# Both create .venv and install what they need on a fresh machine.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test index setup clean

run: index

index: $(STAMP)
	$(PY) ingest.py

test: $(STAMP)
	$(PY) -m pytest -q tests

setup: $(STAMP)

# torch first, pinned to the CPU build: installing sentence-transformers first
# would pull a multi-GB CUDA build.
$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -r requirements.txt -r requirements-dev.txt
	touch $(STAMP)

clean:
	rm -rf $(VENV) index .pytest_cache
