"""The launcher's warm-up: the first page finds its libraries imported, and waits for them."""

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

from chiso.app import warmup

ROOT = Path(__file__).resolve().parents[2]
PROVINCES = {"group": "provinces", "index": "PCI", "year": "2019"}
HEAVY = ("polars", "duckdb", "pandas", "pyarrow", "pydantic", "pydantic_core", "yaml", "numpy")

FIRST_PAGE_AFTER_WARMUP = """
import json, sys
from chiso.app import warmup
warmup.start()
warmup.wait()
before = set(sys.modules)
import inspect
stacks = []
_stack = inspect.stack
inspect.stack = lambda *a, **k: stacks.append(1) or _stack(*a, **k)
import yaml
parses = []
_load = yaml.load
yaml.load = lambda *a, **k: parses.append(1) or _load(*a, **k)
from streamlit.testing.v1 import AppTest
at = AppTest.from_file(sys.argv[1], default_timeout=60)
for key, value in json.loads(sys.argv[2]).items():
    at.query_params[key] = value
at.run()
assert not at.exception, at.exception
print(json.dumps({
    "new": sorted({m.split(".")[0] for m in sys.modules} - {m.split(".")[0] for m in before}),
    "new_modules": sorted(set(sys.modules) - before),
    "tables": len(at.dataframe),
    "stacks": len(stacks),
    "parses": len(parses),
}))
"""


def test_the_first_page_imports_no_library_the_warmup_left_out(published_db):
    """A fresh process that ran the warm-up, then the app's first page on a table of provinces:
    the page run imports none of Polars, DuckDB, pandas, pyarrow, pydantic, YAML or NumPy itself
    (they were imported while the browser loaded the front end), nor Streamlit's emoji table, and
    it shows its table."""
    out = subprocess.run(
        # a table of provinces: the page offers its map beside the chart (a segmented control)
        [sys.executable, "-c", FIRST_PAGE_AFTER_WARMUP, str(ROOT / "app.py"), json.dumps(PROVINCES)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "CHISO_DB": str(published_db)},
        cwd=ROOT,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["tables"] >= 1
    late = [m for m in result["new"] if m in HEAVY]  # packages first imported by the page run
    assert late == []
    # nor Streamlit's emoji table (≈ 0,2 s), which its first segmented control imports
    assert not set(warmup.WIDGET_MODULES) & set(result["new_modules"])
    # nor reads the source of every frame to ask whether it runs in a REPL (≈ 0,1 s)
    assert result["stacks"] == 0
    # nor parses the index catalogue or the texts: the warm-up did, while the browser loaded
    assert result["parses"] == 0


def test_a_catalogue_parsed_ahead_is_handed_over_once_and_never_after_the_file_changed(tmp_path):
    from chiso import config
    from chiso.paths import CONFIG_PATH

    copy = tmp_path / "indices.yaml"
    copy.write_bytes(CONFIG_PATH.read_bytes())
    config.parse_ahead(copy)
    assert config.parsed_ahead(copy).codes == config.load_catalog(CONFIG_PATH).codes
    assert config.parsed_ahead(copy) is None  # handed over once; the cache above it keeps it
    config.parse_ahead(copy)
    copy.write_text(copy.read_text(encoding="utf-8") + "\n", encoding="utf-8")  # edited since
    assert config.parsed_ahead(copy) is None


def test_the_warmup_covers_the_default_page_and_the_libraries():
    modules = warmup.first_page_modules(ROOT)
    assert warmup.default_page(ROOT / "app.py") == ROOT / "pages" / "rankings.py"
    assert modules[:5] == list(warmup.LIBRARIES)  # pandas first: Streamlit's st.dataframe needs it
    assert "chiso.views.rankings" in modules and "chiso.app.page" in modules
    assert "chiso.app.warmup" not in modules


def test_app_waits_for_the_warmup_before_any_other_import():
    """No page code may run while the warm-up imports pandas (Plotly reads sys.modules['pandas']
    without the import lock): app.py's first statements import the warm-up and wait for it."""
    body = [n for n in ast.parse((ROOT / "app.py").read_text(encoding="utf-8")).body]
    body = body[1:] if isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) else body
    first, second = body[0], body[1]
    assert isinstance(first, ast.ImportFrom) and first.module == "chiso.app"
    assert [a.name for a in first.names] == ["warmup"]
    assert ast.unparse(second) == "warmup.wait()"


def test_wait_returns_at_once_without_a_warmup(monkeypatch):
    monkeypatch.setattr(warmup, "_thread", None)
    warmup.wait()  # plain `streamlit run app.py`: nothing to wait for


def test_a_broken_module_name_does_not_stop_the_warmup():
    """``from chiso.app.ui import favicon`` lists chiso.app.ui.favicon, which is no module: the
    warm-up skips it and imports the rest."""
    warmup._import_all(["chiso.app.ui.favicon", "no_such_module_here", "chiso.views.strip"])
    assert "chiso.views.strip" in sys.modules


FROZEN_AFTER_WARMUP = """
import gc, json
from chiso.app import warmup
warmup.start()
warmup.wait()
print(json.dumps({"frozen": gc.get_freeze_count(), "tracked": len(gc.get_objects())}))
"""


def test_the_warmup_leaves_the_imported_modules_out_of_full_collections():
    """The objects the imports made (functions, classes, constants of every library) are frozen:
    a full collection walks only what pages made afterwards."""
    out = subprocess.run(
        [sys.executable, "-c", FROZEN_AFTER_WARMUP], capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    assert out.returncode == 0, out.stderr[-2000:]
    counts = json.loads(out.stdout.strip().splitlines()[-1])
    assert counts["frozen"] > 50_000
    assert counts["tracked"] < counts["frozen"] / 10
