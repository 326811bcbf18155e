# The two commands: `make run` and `make test`. Both set themselves up on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# `make run PORT=9000 DATABASE_URL=postgresql://...` serves elsewhere.
PORT ?= 8081
DATABASE_URL ?= sqlite:///./registry.db
# `make docs SITE_DIR=/tmp/site` builds the documentation site elsewhere.
SITE_DIR ?= site

.PHONY: run test install lint docs format typecheck unit bench dist clean asyncapi-specs

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,dev,cloud,otel,azure-monitor]'
	touch $(STAMP)

# The official AsyncAPI JSON Schemas (the npm package @asyncapi/specs), which the AsyncAPI tests
# validate documents with (tests/asyncapi/specs.py). Fetched once into the venv from the npm
# registry, checked against its SHA-256; the tests never reach the network.
ASYNCAPI_SPECS_VERSION := 6.11.1
ASYNCAPI_SPECS_SHA256 := 01af8744dc33c0c7eb2e908f6a955319ee58b70ecadc9387d1aeb16c0cd28928
ASYNCAPI_SPECS := $(VENV)/asyncapi-specs
ASYNCAPI_SPECS_STAMP := $(ASYNCAPI_SPECS)/.fetched-$(ASYNCAPI_SPECS_VERSION)

$(ASYNCAPI_SPECS_STAMP):
	rm -rf $(ASYNCAPI_SPECS) $(ASYNCAPI_SPECS).part
	mkdir -p $(ASYNCAPI_SPECS).part
	curl -fsSL --retry 3 -o $(ASYNCAPI_SPECS).part/specs.tgz \
		https://registry.npmjs.org/@asyncapi/specs/-/specs-$(ASYNCAPI_SPECS_VERSION).tgz
	echo "$(ASYNCAPI_SPECS_SHA256)  $(ASYNCAPI_SPECS).part/specs.tgz" | sha256sum -c --quiet
	tar -xzf $(ASYNCAPI_SPECS).part/specs.tgz -C $(ASYNCAPI_SPECS).part --strip-components=1 \
		package/package.json package/schemas
	rm $(ASYNCAPI_SPECS).part/specs.tgz
	touch $(ASYNCAPI_SPECS).part/.fetched-$(ASYNCAPI_SPECS_VERSION)
	mv $(ASYNCAPI_SPECS).part $(ASYNCAPI_SPECS)

asyncapi-specs: $(ASYNCAPI_SPECS_STAMP)

install: $(STAMP) $(ASYNCAPI_SPECS_STAMP)

run: $(STAMP)
	$(BIN)/esr serve --host 127.0.0.1 --port $(PORT) --database-url $(DATABASE_URL)

lint: $(STAMP)
	$(BIN)/ruff check registry tests bench examples
	$(BIN)/ruff format --check registry tests bench examples
	$(BIN)/mypy
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff format registry tests bench examples
	$(BIN)/ruff check --fix registry tests bench examples

# The documentation site (mkdocs.yml, docs/): a broken link or anchor, or a page missing from the
# nav, fails the build.
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --site-dir $(SITE_DIR)

# Two workers, tests handed out one at a time. --dist loadgroup so that an xdist_group mark is
# obeyed (--dist load would silently ignore it): a test that needs a resource no other test may
# use at the same time (a fixed port, one shared database) names that resource in
# @pytest.mark.xdist_group("...") and says why, and its group runs on one worker. No test needs one
# today: each gets its own database (tests/support/databases.py), ports from its worker's own
# block (tests/support/server.py) and its own tmp_path; the busiest PostgreSQL tests (three nodes)
# peak at 16 connections of the server's 100.
test: lint docs $(ASYNCAPI_SPECS_STAMP)
	AWS_EC2_METADATA_DISABLED=true $(BIN)/python -m pytest -n 2 --dist loadgroup --durations=30

unit: $(STAMP)
	$(BIN)/python -m pytest tests/unit -q

bench: $(STAMP)
	@command -v wrk >/dev/null || echo "wrk is missing: the server benchmarks will be skipped (apt-get install wrk)"
	$(BIN)/python -m bench

# A wheel in dist/, to install where the package index does not have esr:
# pip install dist/event_schema_registry-*.whl
dist: $(STAMP)
	rm -rf dist
	$(BIN)/python -m pip wheel --quiet --no-deps --wheel-dir dist .
	@ls dist

clean:
	rm -rf $(VENV) dist site .mypy_cache .ruff_cache .pytest_cache registry.db registry.db-wal registry.db-shm
