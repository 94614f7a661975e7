# garment3d: `make demo` makes one virtual sample, `make test` runs the tests.
# Both create the virtual environment and install what they need.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export PYOPENGL_PLATFORM ?= egl

.PHONY: demo test bench venv clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	$(PY) -m garment3d.warmup
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/garment3d sample --pattern a_line_skirt --size 160/84A --fabric linen_red --out renders/demo

test: $(STAMP)
	$(PY) -m pytest -q

bench: $(STAMP)
	$(PY) benchmarks/bench_pipeline.py

clean:
	rm -rf $(VENV) renders/demo
