# garment3d: `make demo` makes one virtual sample, `make test` runs the tests.
# Both create the virtual environment and install what they need.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export PYOPENGL_PLATFORM ?= egl

.PHONY: demo test bench venv clean web

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
	$(PY) -m pytest -q --durations=25

bench: $(STAMP)
	$(PY) benchmarks/bench_pipeline.py

clean:
	rm -rf $(VENV) renders/demo

# Browser code for the viewer and /docs, from npm, served from the service's own static files (never a CDN).
NODE_DIR := .cache/node
WEB_VENDOR := server/web/static/vendor
web: $(WEB_VENDOR)/.installed

$(WEB_VENDOR)/.installed:
	npm install --silent --no-audit --no-fund --prefix $(NODE_DIR) @google/model-viewer@4 swagger-ui-dist@5
	mkdir -p $(WEB_VENDOR)/swagger-ui
	cp $(NODE_DIR)/node_modules/@google/model-viewer/dist/model-viewer.min.js $(WEB_VENDOR)/
	cp $(NODE_DIR)/node_modules/@google/model-viewer/LICENSE $(WEB_VENDOR)/model-viewer.LICENSE
	cp $(NODE_DIR)/node_modules/swagger-ui-dist/swagger-ui-bundle.js $(NODE_DIR)/node_modules/swagger-ui-dist/swagger-ui.css $(WEB_VENDOR)/swagger-ui/
	cp $(NODE_DIR)/node_modules/swagger-ui-dist/LICENSE $(WEB_VENDOR)/swagger-ui/LICENSE
	touch $@
