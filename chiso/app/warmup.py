"""The first page's imports, started when the server starts instead of when the first reader's
page runs.

A fresh server answers its health check and then waits while the reader's browser fetches and
starts Streamlit's front end (a second or two here); only then does the first page run and pay for
importing Polars, DuckDB, pydantic and the project (≈ 1 s of CPU on the machines measured, see
README "Scale and speed"). ``python -m chiso.app.launch`` (what ``make run`` and ``make serve``
start) calls :func:`start` before Streamlit's server, so those imports happen while the browser is
busy; ``app.py`` calls :func:`wait` before any page code runs. Modules are imported, and the index
catalogue and the Vietnamese texts (configuration) are parsed; no data is read, cached or computed
here (data is read by the first request, as before).

Once imported, the modules' objects (≈ 150.000: functions, classes, constants) are moved out of the
garbage collector's sight with ``gc.freeze()``: they live as long as the process, and every full
collection (``chiso.app.collect``, every few seconds while pages run) would otherwise walk them
again (≈ 0,1 s of CPU each). Reference counting frees frozen objects as before.

Plotly checks ``sys.modules["pandas"]`` without the import lock, so a page must never run while
another thread imports pandas: :func:`wait` makes the first page wait for the whole warm-up, and
the launcher imports Streamlit (and Plotly with it) on its own thread before starting this one.
"""

from __future__ import annotations

import ast
import contextlib
import gc
import importlib
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Streamlit's st.dataframe imports pandas (and pyarrow) on its first call: first, before the rest.
LIBRARIES = ("pandas", "pyarrow", "polars", "duckdb", "plotly.graph_objects")
# Streamlit modules its widgets import on their first call: the emoji table (a regular expression
# of every emoji, ≈ 0,2 s) by the first page's st.segmented_control (the chart or map choice).
WIDGET_MODULES = ("streamlit.emojis",)

_thread: threading.Thread | None = None
_lock = threading.Lock()


def default_page(app: Path) -> Path | None:
    """The page ``app.py`` registers with ``default=True`` (the page a first link opens)."""
    for node in ast.walk(ast.parse(app.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", None) == "Page"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and any(k.arg == "default" and getattr(k.value, "value", None) is True for k in node.keywords)
        ):
            return app.parent / node.args[0].value
    return None


def imported_by(script: Path) -> list[str]:
    """Modules a script imports at its top (``from a import b`` gives ``a.b`` and ``a``)."""
    names: list[str] = []
    for node in ast.parse(script.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names += [f"{node.module}.{alias.name}" for alias in node.names] + [node.module]
    return names


def first_page_modules(root: Path = ROOT) -> list[str]:
    """What the first page run imports: the libraries, then ``app.py``'s and its default page's
    imports, in order, each once."""
    app = root / "app.py"
    page = default_page(app)
    found = [*LIBRARIES, *WIDGET_MODULES, *imported_by(app), *(imported_by(page) if page else [])]
    return list(dict.fromkeys(n for n in found if n != "chiso.app.warmup"))


def _import_all(modules: list[str]) -> None:
    for name in modules:
        # ``from a import b`` where b is a name, not a module; a real failure is the page's to
        # report when it imports the same module.
        with contextlib.suppress(Exception):
            importlib.import_module(name)
    _skip_repl_check()
    with contextlib.suppress(Exception):  # a broken file is the page's to report, in words
        from chiso import config, i18n, paths

        i18n.messages(i18n.DEFAULT_LANG)  # the Vietnamese texts (≈ 20 locale files)
        config.parse_ahead(paths.CONFIG_PATH)
    gc.freeze()  # the imported modules' objects: permanent, no collection need walk them again


def _skip_repl_check() -> None:
    """Streamlit's first element of a process asks whether it runs in a Python REPL, to warn that
    ``streamlit run`` is needed: ``inspect.stack()`` with the source lines of every frame (the
    router's, the page's, the project's helpers'), 0,08–0,13 s of the first page run on a cold
    start. Started by the launcher, the app runs under ``streamlit run`` by definition: the check is
    marked done. Nothing happens where Streamlit has no such flag."""
    from streamlit import delta_generator

    if hasattr(delta_generator, "_use_warning_has_been_displayed"):
        delta_generator._use_warning_has_been_displayed = True


def start(root: Path = ROOT) -> None:
    """Import the first page's modules and parse the configuration on a background thread (once
    per process)."""
    global _thread
    with _lock:
        if _thread is not None:
            return
        _thread = threading.Thread(
            target=_import_all, args=(first_page_modules(root),), daemon=True, name="chiso-warmup"
        )
        _thread.start()


def wait() -> None:
    """Return once the warm-up (when one was started) has finished; at once otherwise."""
    thread = _thread
    if thread is not None:
        thread.join()
