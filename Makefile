# Chỉ số — the README's two commands are `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DB     ?= $(or $(CHISO_DB),build/chiso.duckdb)
DEMO_DB ?= $(or $(CHISO_DEMO_DB),build/demo.duckdb)
INPUTS := $(shell find config data -type f -name '*.yaml' -o -type f -name '*.csv' 2>/dev/null)
# Packages are installed with their bytecode: a server start then reads ≈ 7.000 compiled modules
# instead of compiling them (≈ 2 s of CPU at every start where bytecode is not written back:
# PYTHONDONTWRITEBYTECODE, a read-only install). The project's own modules likewise, below.
UV     := $(BIN)/uv pip install --python $(BIN)/python -q --compile-bytecode

.PHONY: run serve test lint fix build demo chromium nginx clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip uv

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(UV) -e .
	$(BIN)/python -m compileall -q chiso pages app.py
	@touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(UV) -e '.[test]'
	@touch $@

# Rebuilt when missing or older than any config or data file. A failed build stops here with its
# message (the previous file stays); a database holding imports not in data/ is kept and served.
$(DB): $(INPUTS) $(VENV)/.installed
	$(BIN)/chiso build --keep-imported --db $(DB)

build: $(DB)

demo: $(VENV)/.installed
	$(BIN)/chiso demo --db $(DEMO_DB)

# The demo province (generated, labelled "Dữ liệu minh họa") that the sidebar offers beside the
# shipped data: built when missing only (order-only below), so a demo file of your own is kept; a
# failed demo build ('-') never stops the shipped data from being served (the page then says so).
$(DEMO_DB): | $(VENV)/.installed
	-$(BIN)/chiso demo --db $(DEMO_DB)

run: $(DB) | $(DEMO_DB)
	@echo "Chỉ số đang chạy tại http://127.0.0.1:8501"
	CHISO_DB=$(DB) CHISO_DEMO_DB=$(DEMO_DB) $(BIN)/python -m chiso.app.launch run app.py \
		--server.address 127.0.0.1 --server.port 8501 --server.headless true \
		--browser.gatherUsageStats false

# Several replicas behind nginx (sticky sessions, websocket upgrade), all reading $(DB):
# make serve REPLICAS=3 [PORT=8501]. See docs/scaling.md.
REPLICAS ?= 2
PORT     ?= 8501
serve: $(DB) nginx | $(DEMO_DB)
	$(BIN)/python deploy/serve.py --replicas $(REPLICAS) --port $(PORT) --db $(DB) --demo-db $(DEMO_DB)

nginx:
	@if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null; \
		else echo "nginx is missing: run 'sudo apt-get install nginx'"; exit 1; fi; \
	fi

# Debian's chromium drives the browser tests (playwright cannot download its own browser here) and
# prints the PDF test corpus; tesseract (with its Vietnamese data) and poppler read scanned PDFs;
# nginx fronts two replicas in tests/browser/test_replicas.py.
DEBIAN_PACKAGES := chromium fonts-noto-core tesseract-ocr tesseract-ocr-vie poppler-utils nginx
chromium:
	@if ! command -v chromium >/dev/null 2>&1 || ! dpkg -s fonts-noto-core tesseract-ocr-vie poppler-utils nginx >/dev/null 2>&1; then \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(DEBIAN_PACKAGES) >/dev/null; \
		else echo "missing: run 'sudo apt-get install $(DEBIAN_PACKAGES)' (browser, PDF, scan and replica tests will be skipped)"; fi; \
	fi

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fix: $(VENV)/.installed-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# One pytest worker per core (TEST_WORKERS=0 runs in this process); a test file stays on one worker,
# so its server and browser start once.
TEST_WORKERS ?= auto
test: $(VENV)/.installed-test chromium
	$(BIN)/ruff check .
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile

clean:
	rm -rf build tests/artifacts .pytest_cache
