"""The shape of the code, guarded: every module's imports are read (``ast``, nothing is imported)
and each layer rule below names the files that break it.

Layers (a module may import only the layers listed for its own; ``base`` is the top-level modules):

    base     config units admin_registry names i18n fmt errors failures paths auth safe selection columns
             exprs lineage geo
    ingest   base                      files in → validated rows and problems; no DuckDB
    metrics  base                      pure Polars: no store, no I/O
    store    base ingest metrics       DuckDB only (a build derives the ranked table with metrics)
    views    base ingest metrics       pure: frames → what a page shows (ingest: an import's problems)
    export   base metrics views        files from views, never a connection
    demo     base store                the demo data sets, written through the store
    app      everything but cli/demo   the only package that imports Streamlit
    cli      everything but app

Pages (``pages/*.py``) import only ``chiso.app``, ``chiso.views`` and ``chiso.i18n`` (a page's own
words: headings and captions are layout), besides Streamlit itself; no Polars, no SQL, ≤ 60 lines.
Only ``chiso.app`` (and the Streamlit scripts ``app.py`` and ``pages/``) import Streamlit; only
``chiso.store`` imports DuckDB. ``metrics`` and ``views`` do no I/O. No import cycles.

Rules today's main still breaks are marked ``xfail(strict=True)`` naming the branch that fixes
them: when it lands the test passes, strict xfail fails, and the marker is removed.
"""

from __future__ import annotations

import ast
import functools
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

BASE = {
    "config",
    "units",
    "admin_registry",
    "names",
    "i18n",
    "fmt",
    "errors",
    "failures",
    "paths",
    "auth",
    "safe",
    "selection",
    "columns",
    "exprs",
    "lineage",
    "geo",
}
ALLOWED: dict[str, set[str]] = {
    "base": {"base"},
    "ingest": {"base", "ingest"},
    "metrics": {"base", "metrics"},
    "store": {"base", "ingest", "metrics", "store"},
    "views": {"base", "ingest", "metrics", "views"},
    "export": {"base", "metrics", "views", "export"},
    "demo": {"base", "store", "demo"},
    "app": {"base", "ingest", "metrics", "store", "views", "export", "app"},
    "cli": {"base", "ingest", "metrics", "store", "views", "export", "demo", "cli"},
}
PAGE_IMPORTS = ("chiso.app", "chiso.views", "chiso.i18n", "streamlit", "__future__")
PAGE_MAX_LINES = 60
PURE_LAYERS = ("metrics", "views")
IO_MODULES = (
    "duckdb",
    "sqlite3",
    "requests",
    "httpx",
    "urllib.request",
    "socket",
    "subprocess",
    "shutil",
    "tempfile",
    "streamlit",
    "chiso.paths",
)
IO_CALLS = {"open", "load_catalog"}  # plain names called
IO_METHODS = {
    "read_text",
    "write_text",
    "read_bytes",
    "write_bytes",
    "mkdir",
    "unlink",
    "write_image",
    "sink_csv",
    "sink_parquet",
}
IO_POLARS = ("read_", "scan_")  # pl.read_csv, pl.scan_parquet …


@dataclass(frozen=True)
class Module:
    name: str  # 'chiso.views.tables', 'pages.rankings', 'app'
    path: Path
    tree: ast.Module
    lines: int


@dataclass(frozen=True)
class Imported:
    module: str  # 'from chiso.views import tables' → 'chiso.views.tables' (the module, where one is named)
    line: int


def load(root: Path) -> dict[str, Module]:
    """Every Python file of the package, the pages and ``app.py``. Tests and benchmarks are clients
    from outside (a load test speaks Streamlit's protocol and reads the database itself)."""
    files = [*root.joinpath("chiso").rglob("*.py"), *root.joinpath("pages").glob("*.py")]
    files += [root / "app.py"]
    out = {}
    for path in sorted(f for f in files if f.exists()):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        text = path.read_text(encoding="utf-8")
        out[".".join(parts)] = Module(".".join(parts), path, _parse(text), len(text.splitlines()))
    return out


@functools.cache
def _parse(text: str) -> ast.Module:
    return ast.parse(text)  # copies broken by the checker's own tests share the unchanged files' trees


def imports(module: Module, known: dict[str, Module]) -> list[Imported]:
    """What a module imports, anywhere in it (inside functions too), resolved to module names."""
    found = []
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Import):
            found += [Imported(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module.name.split(".")
                is_package = module.path.name == "__init__.py"
                package = package[: len(package) - node.level + (1 if is_package else 0)]
                base = ".".join([*package, base] if base else package)
            for alias in node.names:
                full = f"{base}.{alias.name}"
                found.append(Imported(full if full in known else base, node.lineno))
    return found


def layer_of(name: str) -> str | None:
    parts = name.split(".")
    if parts[0] != "chiso" or len(parts) == 1:
        return None
    if parts[1] in BASE:
        return "base"
    return parts[1]


def _is(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def _where(module: Module, line: int, root: Path) -> str:
    return f"{module.path.relative_to(root)}:{line}"


def importers_of(root: Path, target: str, allowed: tuple[str, ...]) -> list[str]:
    """Files importing ``target`` whose module is not under one of ``allowed``."""
    known = load(root)
    return [
        f"{_where(m, i.line, root)} imports {i.module}"
        for m in known.values()
        if not any(_is(m.name, a) for a in allowed)
        for i in imports(m, known)
        if _is(i.module, target)
    ]


def page_import_breaks(root: Path) -> list[str]:
    known = load(root)
    return [
        f"{_where(m, i.line, root)} imports {i.module}"
        for m in known.values()
        if _is(m.name, "pages")
        for i in imports(m, known)
        if not any(_is(i.module, ok) for ok in PAGE_IMPORTS)
    ]


def page_length_breaks(root: Path) -> list[str]:
    return [
        f"{m.path.relative_to(root)} has {m.lines} lines"
        for m in load(root).values()
        if _is(m.name, "pages") and m.lines > PAGE_MAX_LINES
    ]


FUNCTION_MAX_LINES = 80


def long_functions(root: Path) -> list[str]:
    """Functions (and methods) longer than FUNCTION_MAX_LINES in the package, pages and app.py."""
    return [
        f"{_where(m, node.lineno, root)} {node.name} has {node.end_lineno - node.lineno + 1} lines"
        for m in load(root).values()
        for node in ast.walk(m.tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno - node.lineno + 1 > FUNCTION_MAX_LINES
    ]


def layer_breaks(root: Path) -> list[str]:
    known = load(root)
    out = []
    for m in known.values():
        own = layer_of(m.name)
        if own is None:
            continue
        for i in imports(m, known):
            other = layer_of(i.module)
            if other is not None and other not in ALLOWED.get(own, set()):
                out.append(f"{_where(m, i.line, root)}: {own} imports {other} ({i.module})")
    return out


def _called(node: ast.Call) -> tuple[str | None, str | None]:
    """(name, attribute) of a call: open(...) → ('open', None); pl.read_csv(...) → ('pl', 'read_csv')."""
    func = node.func
    if isinstance(func, ast.Name):
        return func.id, None
    if isinstance(func, ast.Attribute):
        owner = func.value.id if isinstance(func.value, ast.Name) else None
        return owner, func.attr
    return None, None


def io_breaks(root: Path) -> list[str]:
    """I/O in the pure layers: an I/O module imported, or a call that reads or writes files."""
    known = load(root)
    out = []
    for m in known.values():
        if layer_of(m.name) not in PURE_LAYERS:
            continue
        out += [
            f"{_where(m, i.line, root)} imports {i.module}"
            for i in imports(m, known)
            if any(_is(i.module, io) for io in IO_MODULES)
        ]
        for node in ast.walk(m.tree):
            if not isinstance(node, ast.Call):
                continue
            owner, attr = _called(node)
            plain = attr is None and owner in IO_CALLS
            method = attr in IO_METHODS or attr in IO_CALLS
            polars = owner == "pl" and attr is not None and attr.startswith(IO_POLARS)
            if plain or method or polars:
                out.append(f"{_where(m, node.lineno, root)} calls {attr or owner}()")
    return out


def cycles(root: Path) -> list[str]:
    """Import cycles between modules of the package, each as 'a → b → a' (smallest rotation first)."""
    known = load(root)
    graph = {
        name: sorted({i.module for i in imports(m, known) if i.module in known and i.module != name})
        for name, m in known.items()
        if _is(name, "chiso")
    }
    found: set[tuple[str, ...]] = set()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()

    def connect(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, []):
            if nxt not in index:
                connect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                group.append(top)
                if top == node:
                    break
            if len(group) > 1:
                found.add(tuple(sorted(group)))

    for name in graph:
        if name not in index:
            connect(name)
    return [" ↔ ".join(group) for group in sorted(found)]


def private_reads(root: Path, layers: tuple[str, ...]) -> list[str]:
    """Private names (``_x``) of another module read by the modules of ``layers``: ``ui._choice(…)``
    or ``from chiso.app.ui import _choice``. A helper other modules call gets a public name."""
    known = load(root)
    out = []
    for m in known.values():
        if not any(_is(m.name, layer) for layer in layers):
            continue
        aliases = {}
        for node in ast.walk(m.tree):
            if isinstance(node, ast.Import):
                aliases |= {a.asname or a.name: a.name for a in node.names if a.name in known}
            elif isinstance(node, ast.ImportFrom) and node.module:
                for alias in node.names:
                    full = f"{node.module}.{alias.name}"
                    if full in known:
                        aliases[alias.asname or alias.name] = full
                    elif alias.name.startswith("_") and node.module in known:
                        out.append(f"{_where(m, node.lineno, root)} imports {full}")
        out += [
            f"{_where(m, node.lineno, root)} reads {aliases[node.value.id]}.{node.attr}"
            for node in ast.walk(m.tree)
            if isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in aliases
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
        ]
    return out


# ---------- words a user reads come from locales/ ----------

VIETNAMESE = re.compile("[ăâđêôơưĂÂĐÊÔƠƯàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]")
REGEX_LIKE = re.compile(r"\\[sdwb]|\(\?[:=!]|\[\^?[^\]]*\]")
TEXT_LAYERS = ("chiso.cli", "chiso.store", "chiso.ingest", "chiso.failures", "chiso.selection")
# Vietnamese the readers must match or the data carry, not words shown to a user (module: why).
VIETNAMESE_DATA = {
    "chiso.ingest.legacy_fonts": "the TCVN3 and VNI code tables, and the fonts' names as offices know them",
    "chiso.store.schema": "SQL comments giving examples of stored values ('Huyện Đầm Hà', '96,04 %')",
}


def _literals(tree: ast.Module) -> list[tuple[int, str]]:
    """String literals and f-strings that are not docstrings: (line, text; an f-string's fixed parts)."""
    skipped = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Expr)}  # docstrings
    skipped |= {id(v) for n in ast.walk(tree) if isinstance(n, ast.JoinedStr) for v in n.values}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            parts = [v.value for v in node.values if isinstance(v, ast.Constant)]
            found.append((node.lineno, "{}".join(parts)))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skipped:
            found.append((node.lineno, node.value))
    return found


def vietnamese_words(root: Path, layers: tuple[str, ...] = TEXT_LAYERS) -> dict[str, list[str]]:
    """Per module of ``layers``, its literals that read as Vietnamese words a user sees: a
    Vietnamese letter and a space, and not a regular expression."""
    out = {}
    for m in load(root).values():
        if not any(_is(m.name, layer) for layer in layers) or m.name in VIETNAMESE_DATA:
            continue
        words = [
            f"{_where(m, line, root)}: {text[:60]!r}"
            for line, text in _literals(m.tree)
            if VIETNAMESE.search(text) and " " in text.strip() and not REGEX_LIKE.search(text)
        ]
        if words:
            out[m.name] = words
    return out


def words_in_code(root: Path) -> list[str]:
    """Every Vietnamese sentence written in the text layers' code (none may be: see VIETNAMESE_DATA)."""
    return [line for _, words in sorted(vietnamese_words(root).items()) for line in words]


# ---------- the rules, on this checkout ----------


def test_pages_import_only_app_views_and_i18n():
    assert page_import_breaks(ROOT) == []


def test_every_page_is_at_most_60_lines():
    assert page_length_breaks(ROOT) == []


def test_no_function_is_longer_than_80_lines():
    assert long_functions(ROOT) == []


def test_only_chiso_app_and_the_streamlit_scripts_import_streamlit():
    assert importers_of(ROOT, "streamlit", ("chiso.app", "app", "pages")) == []


def test_only_the_store_imports_duckdb():
    assert importers_of(ROOT, "duckdb", ("chiso.store",)) == []


def test_metrics_and_views_do_no_io():
    assert io_breaks(ROOT) == []


def test_layers_import_one_way():
    assert layer_breaks(ROOT) == []


def test_no_import_cycles():
    assert cycles(ROOT) == []


def test_the_app_and_pages_call_no_private_helper_of_another_module():
    assert private_reads(ROOT, ("chiso.app", "pages", "app")) == []


def test_cli_store_ingest_and_failures_write_no_vietnamese_words_in_code():
    """Messages carry codes and their words live in locales/ (vi, en), so `chiso --lang en` and the
    English pages say them in English; only data the readers match is written in Vietnamese."""
    assert words_in_code(ROOT) == []


# ---------- the checker itself: each rule catches a break ----------


def _copy(tmp_path: Path) -> Path:
    """The checked files of this checkout, copied so a test can break one."""
    for folder in ("chiso", "pages"):
        shutil.copytree(ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "app.py", tmp_path / "app.py")
    return tmp_path


def _add_line(path: Path, line: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")


def test_a_page_importing_duckdb_fails_the_checker(tmp_path):
    root = _copy(tmp_path)
    before_pages, before_duckdb = page_import_breaks(root), importers_of(root, "duckdb", ("chiso.store",))
    _add_line(root / "pages" / "about.py", "import duckdb")
    new_pages = set(page_import_breaks(root)) - set(before_pages)
    new_duckdb = set(importers_of(root, "duckdb", ("chiso.store",))) - set(before_duckdb)
    assert len(new_pages) == 1 and "pages/about.py" in new_pages.pop()
    assert len(new_duckdb) == 1 and "imports duckdb" in new_duckdb.pop()


def test_streamlit_outside_chiso_app_fails_the_checker(tmp_path):
    root = _copy(tmp_path)
    _add_line(root / "chiso" / "metrics" / "gaps.py", "from streamlit import cache_data")
    last = len((root / "chiso/metrics/gaps.py").read_text().splitlines())
    found = importers_of(root, "streamlit", ("chiso.app", "app", "pages"))
    assert found == [f"chiso/metrics/gaps.py:{last} imports streamlit"]


def test_io_in_a_pure_layer_fails_the_checker(tmp_path):
    root = _copy(tmp_path)
    before = set(io_breaks(root))
    _add_line(
        root / "chiso" / "metrics" / "trends.py", "def peek(p):\n    return open(p).read() + p.read_text()"
    )
    _add_line(root / "chiso" / "views" / "tables.py", "import subprocess")
    new = sorted(set(io_breaks(root)) - before)
    assert [n.split(" ", 1)[1] for n in new] == ["calls open()", "calls read_text()", "imports subprocess"]


def test_an_upward_import_fails_the_checker(tmp_path):
    root = _copy(tmp_path)
    before = set(layer_breaks(root))
    _add_line(root / "chiso" / "metrics" / "ranks.py", "from chiso.store import queries")
    _add_line(root / "chiso" / "config.py", "from chiso.views import tables")
    new = sorted(b.split(": ", 1)[1] for b in set(layer_breaks(root)) - before)
    assert new == ["base imports views (chiso.views.tables)", "metrics imports store (chiso.store.queries)"]


def test_a_cycle_fails_the_checker(tmp_path):
    root = _copy(tmp_path)
    before = set(cycles(root))
    _add_line(root / "chiso" / "fmt.py", "from chiso import names")
    _add_line(root / "chiso" / "names.py", "def later():\n    from chiso import fmt")
    assert set(cycles(root)) - before == {"chiso.fmt ↔ chiso.names"}


def test_a_long_page_fails_the_checker(tmp_path):
    root = _copy(tmp_path)
    before = set(page_length_breaks(root))
    _add_line(root / "pages" / "about.py", "\n" * PAGE_MAX_LINES)
    new = set(page_length_breaks(root)) - before
    assert len(new) == 1 and new.pop().startswith("pages/about.py has")


def test_a_private_helper_called_from_the_app_fails_the_checker(tmp_path):
    root = _copy(tmp_path)
    _add_line(root / "chiso" / "app" / "maps.py", "def peek():\n    return ui._private_helper()")
    _add_line(root / "pages" / "about.py", "from chiso.app.ui import _private_helper")
    found = [b.split(" ", 1)[1] for b in private_reads(root, ("chiso.app", "pages", "app"))]
    assert found == ["reads chiso.app.ui._private_helper", "imports chiso.app.ui._private_helper"]


def test_a_vietnamese_message_in_the_cli_fails_the_checker(tmp_path):
    root = _copy(tmp_path)
    before = set(words_in_code(root))
    _add_line(root / "chiso" / "cli" / "main.py", 'def say(n):\n    return f"Đã ghi {n} dòng"')
    _add_line(root / "chiso" / "ingest" / "annex.py", '_DATA = re.compile(r"(?:tối đa|max)")')  # a pattern
    new = set(words_in_code(root)) - before
    assert len(new) == 1 and "chiso/cli/main.py" in (line := new.pop()) and "Đã ghi {} dòng" in line


def test_the_function_length_rule_catches_a_long_function(tmp_path):
    root = _copy(tmp_path)
    body = "\n".join(f"    x{i} = {i}" for i in range(80))
    _add_line(root / "chiso" / "views" / "tables.py", f"def sprawling():\n{body}")
    assert [b.split(" ", 1)[1] for b in long_functions(root)] == ["sprawling has 81 lines"]
