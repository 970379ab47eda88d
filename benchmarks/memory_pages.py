"""The app's memory after every page of one browser session, over several rounds. Not a test.

    .venv/bin/chiso demo --scale national --db build/national.duckdb
    .venv/bin/python benchmarks/memory_pages.py --db build/national.duckdb [--rounds 3] [--json out.json]

Starts the app on the database (as ``benchmarks/run.py`` does: the demo dataset, a fresh server),
opens it in Chromium and clicks through every page in the sidebar ``--rounds`` times, printing the
server's resident memory (VmRSS) after each page has settled, and its peak (VmHWM) at the end. The
first round is what ``benchmarks/run.py`` reports as "RSS after every page"; later rounds show
whether memory keeps growing when a reader goes round again (a leak, an unbounded cache) or stays
(caches filled once). ``--env NAME=VALUE`` passes a setting to the server (e.g.
``MALLOC_ARENA_MAX=2``) to compare allocators' settings in the same way.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.run import (  # noqa: E402
    PAGE_TITLES,
    _cold_start,
    _rss_mb,
    _stop,
    _visit_every_page,
    settle,
)
from benchmarks.run import ROOT as APP_ROOT  # noqa: E402

PAGES = PAGE_TITLES


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--env", action="append", default=[], help="NAME=VALUE for the server")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    db = str(args.db.resolve())
    env = {**os.environ, "CHISO_DB": db, "CHISO_DEMO_DB": db}
    env.update(dict(item.split("=", 1) for item in args.env))
    steps: list[tuple[int, str, float]] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
        )
        _, proc, _, context, page = _cold_start(browser, APP_ROOT / "app.py", env, "?ds=demo", keep=True)
        try:
            settle(page)
            steps.append((0, PAGES[0], _rss_mb(proc.pid, "VmRSS")))
            print(f"round 0 {PAGES[0]:<24}{steps[-1][2]:>8.0f} MB", flush=True)
            for n in range(1, args.rounds + 1):

                def settled(name: str, n: int = n) -> None:
                    settle(page)  # the page's run has finished, not only its heading drawn
                    steps.append((n, name, _rss_mb(proc.pid, "VmRSS")))
                    print(f"round {n} {name:<24}{steps[-1][2]:>8.0f} MB", flush=True)

                _visit_every_page(page, PAGES, after=settled)
            peak = _rss_mb(proc.pid)
            context.close()
        finally:
            _stop(proc)
    first = [mb for n, _, mb in steps if n <= 1]
    print(f"round 1: first page {first[0]:.0f} MB, then at most {max(first):.0f} MB; peak {peak:.0f} MB")
    if args.json:
        args.json.write_text(
            json.dumps({"steps": steps, "peak_mb": peak, "env": args.env}, ensure_ascii=False, indent=1),
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
