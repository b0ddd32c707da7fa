# deepviz: `make demo` renders the gallery, `make test` runs the tests.
# Both first run scripts/setup.sh (Debian packages when missing, .venv, the package).
VENV := .venv
PY := $(VENV)/bin/python
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: setup demo docs lint typecheck test bench clean

setup:
	@bash scripts/setup.sh

demo: setup
	$(VENV)/bin/deepviz gallery --quality low --jobs $(JOBS) --slides --output media/gallery

# The documentation site in site/; videos are embedded when `make demo` rendered them first.
docs: setup
	DISABLE_MKDOCS_2_WARNING=true NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict

# Static checks, configured in pyproject.toml; `make test` runs them first.
lint: setup
	$(VENV)/bin/ruff check .
	@# --project: this file, never a pyrightconfig.json a parent folder may hold (pyright looks upward for one)
	$(VENV)/bin/pyright --project pyproject.toml --pythonpath $(PY)

test: setup lint typecheck
	$(PY) -m pytest -q -n auto --dist loadgroup

typecheck: setup
	npm run --prefix src/deepviz/studio/frontend typecheck

bench: setup
	$(PY) benchmarks/render_throughput.py

clean:
	rm -rf media site .pytest_cache
