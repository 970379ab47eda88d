"""Where a page run's time goes: import, data, cache, view, figure, serialise, widgets, other. Not a test.

    .venv/bin/chiso demo --scale national --db build/national.duckdb
    .venv/bin/python benchmarks/profile_pages.py --db build/national.duckdb [--json out.json]
    .venv/bin/python benchmarks/profile_pages.py --db build/national.duckdb --cpu --warm 10 [--vary]

Each page runs in a fresh Python process through Streamlit's ``AppTest`` (the page script, its
widgets and its elements marshalled to protobuf, without a browser or websocket): once cold (the
project's imports and the first reads included), then ``--warm`` times more with the caches
filled. A sampler thread reads the script thread's stack every millisecond and files each sample
under the outermost frame that names a category:

- import: Python's import machinery (modules loaded by this run);
- data: ``chiso/store`` (DuckDB queries, frames out of DuckDB);
- cache: ``st.cache_data`` hashing, lookup and the copy handed back (the pages' shared reads and
  views, ``chiso.app.memo``, are filed under what they run: data, view, figure);
- view: ``chiso/views`` outside the chart modules (tables, sentences, findings);
- figure: ``chiso/views/charts*``/``style``/``maps`` and Plotly building a figure;
- serialise: Streamlit elements that display data (``st.dataframe``, ``st.plotly_chart``,
  download buttons: Arrow, JSON and protobuf);
- widgets: Streamlit's input widgets and navigation;
- other: the rest (the page frame, layout, text).

The same is done for the bare-Streamlit floor (``benchmarks/floor_app.py``: one 19-row table, one
Plotly bar chart). Sampling costs a little; the split is what to look at, the totals are close to
a real run's.

``--cpu`` measures instead what capacity depends on: the process CPU seconds of each warm run
(``time.process_time`` deltas, all threads, no sampler), median and max per page beside the
floor's. CPU time is robust on a shared machine where wall time is not: one process serves
about ``1 / cpu`` page runs per second per core it gets. ``--vary`` makes each warm run a new
session opening a random link of the catalogue (a selection nobody has opened yet, as in
``benchmarks/load.py``); without it the same selection is run again (what shared caches serve).
``AppTest`` runs the script without two things a server does per session or run: the source
watcher's scan of every module (a new session's first run) and the garbage collection after each
run (``runner.postScriptGC``, off in this app's config); ``benchmarks/load.py`` reports the
server's own CPU seconds per run, which include them.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = ("rankings", "trends", "gaps", "profile", "compare", "why", "services", "data", "about")
CATEGORIES = ("import", "data", "cache", "view", "figure", "serialise", "widgets", "other")
CHART_FILES = ("/chiso/views/charts", "/chiso/views/style.py", "/chiso/views/maps")
SERIALISE = (
    "/streamlit/elements/arrow.py",
    "/streamlit/elements/plotly_chart.py",
    "/streamlit/elements/widgets/button.py",
    "/streamlit/elements/lib/column_config_utils.py",
    "/streamlit/dataframe_util.py",
)


def category(stack: list[str]) -> str:
    """The category of one sample; ``stack`` holds file names, outermost first."""
    for i, name in enumerate(stack):
        if "importlib._bootstrap" in name:
            return "import"
        if "/chiso/store/" in name:
            return "data"
        if "/streamlit/runtime/caching/" in name:
            inner = stack[i + 1 :]
            if any("/chiso/store/" in n for n in inner):
                return "data"
            if any("importlib._bootstrap" in n for n in inner):
                return "import"
            return "cache"
        if "/chiso/views/" in name:
            inner = stack[i:]
            if any(c in n for n in inner for c in CHART_FILES) or any("/plotly/" in n for n in inner):
                return "figure"
            return "view"
        if any(name.endswith(s) for s in SERIALISE):
            return "serialise"
        if "/streamlit/elements/widgets/" in name:
            return "widgets"
    return "other"


class Sampler:
    def __init__(self, interval: float = 0.001) -> None:
        self.interval = interval
        self.counts: dict[str, int] = dict.fromkeys(CATEGORIES, 0)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _script_frame(self):
        for thread in threading.enumerate():
            if thread.name == "ScriptRunner.scriptThread":
                return sys._current_frames().get(thread.ident)
        return None

    def _run(self) -> None:
        while not self._stop.is_set():
            frame = self._script_frame()
            if frame is not None:
                stack = []
                while frame is not None:
                    stack.append(frame.f_code.co_filename)
                    frame = frame.f_back
                stack.reverse()
                self.counts[category(stack)] += 1
            time.sleep(self.interval)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def cpu_run(at, page: str | None) -> dict:
    """One run without the sampler: process CPU seconds and wall seconds."""
    cpu0, wall0 = time.process_time(), time.perf_counter()
    (at.switch_page(f"pages/{page}.py") if page else at).run()
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    errors = [e.value for e in at.exception] + [e.value for e in at.error]
    return {"cpu_s": cpu, "wall_s": wall, "errors": errors}


def cpu_child(script: str, page: str | None, warm: int, vary: bool = False) -> dict:
    """Runs inside the fresh process: one cold run, then ``warm`` runs, CPU seconds each. With
    ``vary`` each warm run is a new session opening a random link of the database's catalogue
    (as ``benchmarks/load.py`` does): the selection is new, the process warm."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(script, default_timeout=300)
    cold = cpu_run(at, page)
    if vary and page:
        import random

        from benchmarks.load import Catalogue

        catalogue, rng = Catalogue.read(Path(os.environ["CHISO_DB"])), random.Random(15)
        runs = []
        components = at._bidi_component_manager
        for _ in range(warm):
            at = AppTest.from_file(script, default_timeout=300)
            # A server scans the installed packages for components once, at start; a new
            # AppTest does it on its first run (≈ 0,1 s here), which no server page run pays.
            at._bidi_component_manager = components
            for key, value in catalogue.link(rng, page).items():
                at.query_params[key] = value
            runs.append(cpu_run(at, page))
    else:
        runs = [cpu_run(at, page) for _ in range(warm)]
    cpu = sorted(r["cpu_s"] for r in runs)
    return {
        "cold_cpu_s": cold["cpu_s"],
        "cpu_median_s": statistics.median(cpu),
        "cpu_min_s": cpu[0],
        "cpu_max_s": cpu[-1],
        "wall_median_s": statistics.median(r["wall_s"] for r in runs),
        "errors": cold["errors"] + [e for r in runs for e in r["errors"]],
    }


def one_run(at, page: str | None) -> dict:
    started = time.perf_counter()
    with Sampler() as sampler:
        (at.switch_page(f"pages/{page}.py") if page else at).run()
    total_ms = (time.perf_counter() - started) * 1000
    samples = sum(sampler.counts.values()) or 1
    split = {k: total_ms * v / samples for k, v in sampler.counts.items()}
    errors = [e.value for e in at.exception] + [e.value for e in at.error]
    return {"total_ms": total_ms, **split, "errors": errors}


def child(script: str, page: str | None, warm: int) -> dict:
    """Runs inside the fresh process: one cold run, then ``warm`` runs."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(script, default_timeout=300)
    cold = one_run(at, page)
    warm_runs = [one_run(at, page) for _ in range(warm)]
    warm_split = {k: statistics.median(r[k] for r in warm_runs) for k in ("total_ms", *CATEGORIES)}
    errors = cold["errors"] + [e for r in warm_runs for e in r["errors"]]
    return {"cold": cold, "warm": warm_split, "errors": errors}


def measure(
    script: Path, page: str | None, warm: int, env: dict[str, str], fn: str = "child", extra: str = ""
) -> dict:
    code = (
        f"import json, sys; sys.path.insert(0, {str(ROOT)!r});"
        f"from benchmarks.profile_pages import {fn};"
        f"print('RESULT' + json.dumps({fn}({str(script)!r}, {page!r}, {warm}{extra})))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900
    )
    for line in done.stdout.splitlines():
        if line.startswith("RESULT"):
            return json.loads(line[len("RESULT") :])
    raise SystemExit(f"{page or 'floor'}: no result\n{done.stderr[-2000:]}")


def table(rows: dict[str, dict], key: str) -> str:
    head = "| page | total | " + " | ".join(CATEGORIES) + " |"
    lines = [head, "|" + "---|" * (len(CATEGORIES) + 2)]
    for name, result in rows.items():
        r = result[key]
        cells = " | ".join(f"{r[c]:.0f}" for c in CATEGORIES)
        lines.append(f"| {name} | {r['total_ms']:.0f} | {cells} |")
    return "\n".join(lines)


def cpu_table(rows: dict[str, dict]) -> str:
    floor = rows["floor"]["cpu_median_s"]
    lines = [
        "| page | CPU s per warm run (median) | min | max | × floor | wall s (median) | cold run CPU s |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, r in rows.items():
        lines.append(
            f"| {name} | {r['cpu_median_s']:.3f} | {r['cpu_min_s']:.3f} | {r['cpu_max_s']:.3f} | "
            f"{r['cpu_median_s'] / floor:.1f} | {r['wall_median_s']:.3f} | {r['cold_cpu_s']:.2f} |"
        )
    return "\n".join(lines)


def cpu_main(args, env: dict[str, str]) -> dict[str, dict]:
    floor = ROOT / "benchmarks" / "floor_app.py"
    rows: dict[str, dict] = {"floor": measure(floor, None, args.warm, env, "cpu_child")}
    for page in args.pages.split(","):
        extra = ", vary=True" if args.vary else ""
        rows[page] = measure(ROOT / "app.py", page, args.warm, env, "cpu_child", extra)
        print(f"{page}: {rows[page]['cpu_median_s']:.3f} CPU s per warm run", file=sys.stderr)
    what = "each a new session on a random link" if args.vary else "the same selection again"
    print(f"CPU seconds per page run (process CPU time, {args.warm} warm runs, {what}, after one cold run):")
    print(cpu_table(rows))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--pages", default=",".join(PAGES))
    parser.add_argument("--warm", type=int, default=5)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--cpu", action="store_true", help="CPU seconds per warm run instead of the split")
    parser.add_argument(
        "--vary", action="store_true", help="with --cpu: each warm run a new session on a random link"
    )
    args = parser.parse_args()
    env = {**os.environ, "CHISO_DB": str(args.db.resolve())}
    if args.cpu:
        return _finish(cpu_main(args, env), args.json)
    rows: dict[str, dict] = {"floor": measure(ROOT / "benchmarks" / "floor_app.py", None, args.warm, env)}
    for page in args.pages.split(","):
        rows[page] = measure(ROOT / "app.py", page, args.warm, env)
        cold, warm = rows[page]["cold"]["total_ms"], rows[page]["warm"]["total_ms"]
        print(f"{page}: cold {cold:.0f} ms, warm {warm:.0f} ms", file=sys.stderr)
    print("Cold page run (fresh process, ms):")
    print(table(rows, "cold"))
    print(f"\nWarm page run (median of {args.warm}, ms):")
    print(table(rows, "warm"))
    return _finish(rows, args.json)


def _finish(rows: dict[str, dict], json_path: Path | None) -> int:
    """Name the pages that failed, write the JSON if asked; exit code 1 when any failed."""
    failed = {k: v["errors"] for k, v in rows.items() if v["errors"]}
    if failed:
        print("\nErrors:", failed)
    if json_path:
        json_path.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
