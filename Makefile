# Two entry points for a fresh machine (see README): `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# torch goes in first and pinned: a bare torch requirement pulls several GB of CUDA wheels.
TORCH := torch==2.13.0
# The browser test (tests/web) drives Debian's chromium; never a browser build of playwright's own.
CHROMIUM := /usr/bin/chromium

.PHONY: setup demo test bench clean

setup: $(VENV)/.installed $(CHROMIUM)

# Installed once: make skips this while the file exists.
$(CHROMIUM):
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q $(TORCH)
	$(BIN)/pip install -q -e '.[dev]'
	$(BIN)/nco osrm install
	touch $@

demo: setup
	bash scripts/demo.sh

test: setup
	bash scripts/test.sh

clean:
	rm -rf $(VENV) out
