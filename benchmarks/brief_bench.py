"""Briefing-pack timing on the shipped data: what a committee member waits for after switching on
'Báo cáo tóm tắt' (the HTML pack, then its PDF). Prints the numbers; not a test.

    .venv/bin/python benchmarks/brief_bench.py [--db build/chiso.duckdb] [--unit hoa-binh/so-noi-vu]
        [--year 2024] [--repeat 3] [--profile]
"""

from __future__ import annotations

import cProfile
import pstats

from bench import parser, print_times, timed

from chiso import paths
from chiso.config import load_catalog
from chiso.export import brief
from chiso.store import analysis_queries, queries
from chiso.views import brief as brief_view


def main() -> int:
    options = parser(__doc__, repeat=3)
    options.add_argument("--unit", default="hoa-binh/so-noi-vu")
    options.add_argument("--year", type=int, default=2024)
    options.add_argument("--profile", action="store_true", help="print the 25 costliest calls of one pack")
    args = options.parse_args()
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
    print_times("step", rows, 32)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
