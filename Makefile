# deepviz: `make demo` renders the gallery, `make test` runs the tests.
# Both first run scripts/setup.sh (Debian packages when missing, .venv, the package).
VENV := .venv
PY := $(VENV)/bin/python
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: setup demo lint test bench clean

setup:
	@bash scripts/setup.sh

demo: setup
	$(VENV)/bin/deepviz gallery --quality low --jobs $(JOBS) --output media/gallery

# Static checks, configured in pyproject.toml; `make test` runs them first.
lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/pyright --pythonpath $(PY)
	@# the front end's type check (tsc --noEmit) goes here

test: lint
	$(PY) -m pytest -q

bench: setup
	$(PY) benchmarks/render_throughput.py

clean:
	rm -rf media .pytest_cache
