"""Briefing-pack timing on the shipped data: what a committee member waits for after switching on
'Báo cáo tóm tắt' (the HTML pack, then its PDF). Prints the numbers; not a test.

    .venv/bin/python benchmarks/brief_bench.py [--db build/chiso.duckdb] [--unit hoa-binh/so-noi-vu]
        [--year 2024] [--repeat 3] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from chiso import paths  # noqa: E402
from chiso.config import load_catalog  # noqa: E402
from chiso.export import brief  # noqa: E402
from chiso.store import analysis_queries, queries  # noqa: E402
from chiso.views import brief as brief_view  # noqa: E402


def timed(fn) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=paths.db_path())
    parser.add_argument("--unit", default="hoa-binh/so-noi-vu")
    parser.add_argument("--year", type=int, default=2024)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="print the 25 costliest calls of one pack")
    args = parser.parse_args()
    catalog = load_catalog(paths.CONFIG_PATH)
    rows = []
    with queries.connect(args.db) as con:

        def html() -> str:
            read = analysis_queries.unit_year(con, unit_id=args.unit, year=args.year, order=catalog.codes)
            return brief.briefing_html(brief_view.build(catalog, read, year=args.year, lang="vi"))

        first, page = timed(html)
        rows.append(("HTML, first in the process", [first]))
        rows.append(("HTML, again", [timed(html)[0] for _ in range(args.repeat)]))
        pdf_first, _ = timed(lambda: brief.pdf_from_html(page))
        rows.append(("PDF, first (starts chromium)", [pdf_first]))
        rows.append(("PDF, again", [timed(lambda: brief.pdf_from_html(page))[0] for _ in range(args.repeat)]))
        rows.append(("toggle to both files, first", [first + pdf_first]))
        warm = [timed(lambda: brief.pdf_from_html(page, warm=True))[0] for _ in range(args.repeat + 1)]
        rows.append(("PDF in the warm renderer, first", warm[:1]))  # the app's way
        rows.append(("PDF in the warm renderer, again", warm[1:]))
        if args.profile:
            profiler = cProfile.Profile()
            profiler.runcall(lambda: brief.pdf_from_html(html()))
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    print(f"briefing pack of {args.unit} {args.year} ({len(page)} characters of HTML)")
    print(f"{'step':<32} {'n':>3} {'median s':>9} {'min s':>8} {'max s':>8}")
    for name, times in rows:
        median, low, high = statistics.median(times), min(times), max(times)
        print(f"{name:<32} {len(times):>3} {median:>9.3f} {low:>8.3f} {high:>8.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
